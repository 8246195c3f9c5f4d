"""Anonymising departed staff: a dry run lists and changes nothing; the run masks the name and removes phone,
ID number and e-mail of those who left long enough ago; records stay; certificates verify with the mask."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.services import set_employee_status
from core.audit import AuditEntry
from reports.privacy import departures, mask_name
from tests import factories
from training.certificates import issue_certificate

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _left(db, name, when):
    person = factories.employee(name=name, email="p@example.test")
    db.session.flush()
    set_employee_status(person, "left")
    db.session.flush()
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_id == str(person.id), AuditEntry.action == "employee.update"
        )
    ).all()[-1]
    entry.at = when  # the departure happened then
    db.session.flush()
    return person


def test_mask_keeps_the_surname():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳明月") == "欧***"
    assert mask_name(mask_name("张三")) == "张*"


def test_dry_run_then_run(app, db):
    old = _left(db, "王老五", dt.datetime(2022, 3, 1, tzinfo=dt.UTC))
    recent = _left(db, "李新", dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    on_post = factories.employee(name="赵在岗")
    cert = issue_certificate(
        "qualification",
        old,
        title="低压电工作业证",
        number="N-1",
        issued_on=dt.date(2021, 1, 1),
        expires_on=None,
        issuer="培训中心",
        source_key="t:anon",
        now=NOW,
    )
    db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["reports", "anonymise", "--years", "3", "--dry-run", "--today", "2026-06-01"])
    assert dry.exit_code == 0, dry.output
    assert (
        "王老五 -> 王**" in dry.output
        and "keep: too recent" in dry.output
        and "nothing changed" in dry.output
    )
    db.session.refresh(old)
    assert old.name == "王老五" and old.phone

    run = runner.invoke(args=["reports", "anonymise", "--years", "3", "--today", "2026-06-01"])
    assert "anonymised 1 of 2" in run.output, run.output
    db.session.refresh(old)
    db.session.refresh(recent)
    db.session.refresh(on_post)
    assert (old.name, old.phone, old.national_id, old.email) == ("王**", None, None, None)
    assert recent.name == "李新" and on_post.name == "赵在岗"
    page = app.test_client().get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "王**" in page and "王老五" not in page
    assert [d.employee.id for d in departures(NOW, 3)] == [recent.id]  # the masked one is done
