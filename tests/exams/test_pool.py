"""The question pool of an exam is frozen at its first start: every candidate of one exam draws from the
same questions, whatever is published or edited in the bank meanwhile; a trainer may refresh it (audited)."""

import datetime as dt

from sqlalchemy import select

from core.audit import AuditEntry
from exams import pools, runtime
from exams.models import ExamPool
from tests import factories as base
from tests.exams import factories as f

NOW = f.NOW
MIN = dt.timedelta(minutes=1)


def _exam_with_a_pool_of_three():
    old = [f.question("single", chapter=7) for _ in range(3)]
    bp = f.blueprint(draw=[{"count": 3, "chapters": [7], "types": ["single"]}])
    return f.exam(bp), old


def _drawn_questions(exam, at):
    employee = f.candidate(exam).employee
    return {
        item.question_id: item.version_id
        for item in runtime.load_items(runtime.start_attempt(exam, employee, at))
    }


def test_questions_published_or_edited_after_the_first_start_stay_out_of_the_exam(db):
    exam, old = _exam_with_a_pool_of_three()
    first = _drawn_questions(exam, NOW)
    assert set(first) == {q.id for q in old}
    fresh = f.question("single", chapter=7)
    f.new_version(old[0], key={"correct": ["B"]})
    for minute in range(1, 9):
        drawn = _drawn_questions(exam, NOW + minute * MIN)
        assert fresh.id not in drawn
        assert drawn == first  # the frozen versions, not the edited one


def test_each_exam_freezes_its_own_pool(db):
    exam, old = _exam_with_a_pool_of_three()
    _drawn_questions(exam, NOW)
    fresh = f.question("single", chapter=7)
    later = f.exam(exam.blueprint, opens_at=NOW, closes_at=NOW + dt.timedelta(days=1))
    assert fresh.current_version_id in pools.pool_version_ids(pools.exam_pool(later, NOW))
    assert fresh.current_version_id not in pools.pool_version_ids(pools.exam_pool(exam, NOW))


def test_a_trainer_refreshes_the_pool_explicitly_and_it_is_audited(db):
    exam, _old = _exam_with_a_pool_of_three()
    _drawn_questions(exam, NOW)
    fresh = f.question("single", chapter=7)
    trainer = base.user(grants=[("trainer", None)])
    pools.refresh_pool(exam, trainer, NOW + MIN)
    pool = db.session.get(ExamPool, exam.id)
    assert fresh.current_version_id in pools.pool_version_ids(pool) and pool.frozen_at == NOW + MIN
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.pool_refreshed"))
    assert entry is not None and entry.user_id == trainer.id


def test_refresh_page_is_for_managers_only(client, login, db):
    exam, _old = _exam_with_a_pool_of_three()
    login("employee")
    assert client.post(f"/exams/manage/{exam.id}/pool/refresh").status_code in (403, 404)
    assert db.session.get(ExamPool, exam.id) is None


def test_refresh_page_refreshes_and_says_so(client, login, db):
    exam, _old = _exam_with_a_pool_of_three()
    login("trainer")
    response = client.post(f"/exams/manage/{exam.id}/pool/refresh")
    assert response.status_code == 302
    assert db.session.get(ExamPool, exam.id) is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="exam-pool"' in page
