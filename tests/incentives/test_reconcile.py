"""Points that match the records: the demo's ledger comes from the demo's own records, and
``flask incentives reconcile`` lists entries whose source is gone and records a rule did not reward."""

import pytest
from sqlalchemy import delete, select

from incentives import reconcile
from incentives.cli import reconcile_command
from incentives.models import PointEntry, PointRule
from tests.page_crawl import build_demo, remove_demo
from training.models import CourseCompletion


@pytest.fixture(scope="module")
def demo(app):
    """The demo organisation, committed once for this module (seeded by ``flask seed-demo``'s seeders)."""
    build_demo(app)
    yield
    remove_demo(app)


def test_a_fresh_demo_reconciles_and_cites_only_real_records(demo, app, db):
    assert reconcile.orphan_entries() == []
    assert reconcile.missing_awards() == []
    result = app.test_cli_runner().invoke(reconcile_command)
    assert result.exit_code == 0, result.output
    assert "no longer exists: 0" in result.output and "did not: 0" in result.output
    labels = " ".join(db.session.scalars(select(PointEntry.source_label)))
    for invented in ("客户服务礼仪", "大面积停电客户沟通演练", "供电服务规范"):
        assert invented not in labels
    # Every kind of record the demo holds paid points.
    keys = {key.split(":")[0] for key in db.session.scalars(select(PointEntry.source_key))}
    assert {"completion", "drill", "drill-evaluated", "drill-action", "claim"} <= keys


def test_a_deleted_source_is_reported_and_an_unrewarded_record_is_listed(demo, app, db):
    completion = db.session.scalar(
        select(CourseCompletion).where(
            CourseCompletion.id.in_(
                select(CourseCompletion.id)
                .join(
                    PointEntry, PointEntry.source_key == "completion:" + CourseCompletion.id.cast(db.String)
                )
                .limit(1)
            )
        )
    )
    key = f"completion:{completion.id}"
    db.session.execute(delete(CourseCompletion).where(CourseCompletion.id == completion.id))
    orphans = reconcile.orphan_entries()
    assert {e.source_key for e in orphans} == {key}
    result = app.test_cli_runner().invoke(reconcile_command)
    assert result.exit_code == 1 and key in result.output

    # A record paid by a rule that was switched on afterwards: listed, then paid by --pay, dated when it happened.
    rule = db.session.scalar(select(PointRule).where(PointRule.code == "TRAINING_HOUR"))
    other = db.session.scalar(select(CourseCompletion).order_by(CourseCompletion.id.desc()))
    entry = db.session.scalar(select(PointEntry).where(PointEntry.source_key == f"completion:{other.id}"))
    assert entry is not None
    new_rule = PointRule(
        code="TRAINING_BONUS",
        name="培训加分",
        description="",
        trigger=rule.trigger,
        category=rule.category,
        points=1,
    )
    db.session.add(new_rule)
    db.session.flush()
    missing = reconcile.missing_awards()
    assert any(m.rule is new_rule and m.source.source_key == f"completion:{other.id}" for m in missing)
    assert all(m.rule is new_rule for m in missing)
    reconcile.pay_missing()
    assert reconcile.missing_awards() == []
    paid = db.session.scalar(
        select(PointEntry).where(
            PointEntry.rule_id == new_rule.id, PointEntry.source_key == f"completion:{other.id}"
        )
    )
    assert paid.occurred_at == other.completed_at
