"""Score review (成绩复核): the window after results are released, one open request per question per
attempt, the owner's answer, a changed mark regrading the attempt with what depends on it, audit, notices."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import signals
from core.audit import AuditEntry
from core.models import utcnow
from core.notifications import Notification
from exams import reviews, runtime
from exams.errors import ExamError
from exams.models import ReviewRequest
from tests import factories as base
from tests.exams import factories as f

HOUR = dt.timedelta(hours=1)


def _sat(answer_a="B", answer_b="A", **fields):
    """Two single-choice questions of 5 points (pass mark 60 %): the candidate's answers as given."""
    now = utcnow()
    q1, q2 = f.question("single", points="5"), f.question("single", points="5")
    exam = f.exam(
        f.blueprint([q1, q2]),
        opens_at=now - 5 * HOUR,
        closes_at=now + HOUR,
        results_release="immediate",
        review_days=7,
        **fields,
    )
    user = f.candidate(exam)
    attempt = runtime.start_attempt(exam, user.employee, now - 2 * HOUR)
    runtime.save_answer(attempt.id, user.employee_id, 1, 1, {"choice": [answer_a]}, now - 2 * HOUR)
    runtime.save_answer(attempt.id, user.employee_id, 2, 1, {"choice": [answer_b]}, now - 2 * HOUR)
    runtime.submit_attempt(attempt, now - 2 * HOUR)
    return exam, user, attempt


def test_candidate_asks_once_per_question_within_the_window(signed_in, db):
    exam, user, attempt = _sat()
    client = signed_in(user)
    page = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Ask for a score review of this question" in page
    url = f"/exams/attempts/{attempt.id}/review"
    assert client.post(url, data={"position": 1, "reason": "我选的B也符合指南第三章"}).status_code == 302
    assert (
        client.post(url, data={"position": 1, "reason": "再问一次"}).status_code == 302
    )  # refused: one open
    assert len(db.session.scalars(select(ReviewRequest)).all()) == 1
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.request"))
    assert "Waiting for an answer" in client.get(f"/exams/attempts/{attempt.id}/result").get_data(
        as_text=True
    )
    # Someone else cannot ask about this attempt.
    other = f.candidate(exam)
    assert signed_in(other).post(url, data={"position": 2, "reason": "x"}).status_code == 404


def test_no_review_after_the_window_or_when_the_exam_allows_none(db):
    exam, _user, attempt = _sat()
    late = utcnow() + dt.timedelta(days=8)
    with pytest.raises(ExamError):
        reviews.request_review(attempt, 1, "太晚了", late)
    exam.review_days = 0
    with pytest.raises(ExamError):
        reviews.request_review(attempt, 1, "不受理", utcnow())


def test_a_changed_mark_regrades_the_attempt_and_credits_the_pass(signed_in, db):
    exam, user, attempt = _sat()  # 0 + 5 of 10: failed
    assert attempt.passed is False
    passed = []
    signals.exam_passed.connect(receiver := lambda sender, **kw: passed.append(sender.id), weak=False)
    try:
        review = reviews.request_review(attempt, 1, "B 也对", utcnow())
        owner = base.user(grants=[("trainer", None)])
        client = signed_in(owner)
        assert "B 也对" in client.get(f"/exams/manage/{exam.id}/reviews").get_data(as_text=True)
        data = {"decision": "changed", "new_mark": "5", "answer": "经复核，B 亦正确，改为满分。"}
        assert client.post(f"/exams/manage/{exam.id}/reviews/{review.id}", data=data).status_code == 302
    finally:
        signals.exam_passed.disconnect(receiver)
    db.session.refresh(attempt)
    db.session.refresh(review)
    assert attempt.score == Decimal("10.00") and attempt.passed is True
    assert (
        review.status == "changed"
        and review.old_mark == Decimal("0.00")
        and review.new_mark == Decimal("5.00")
    )
    assert passed == [attempt.id]
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))
    assert {"exam.review", "exam.regraded"} <= kinds
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.answer"))
    assert entry.details["new_mark"] == "5.00" and entry.details["status"] == "changed"
    # Answered: a new request about the same question may be made.
    assert reviews.request_review(attempt, 1, "再核一次", utcnow()).status == "open"


def test_a_lowered_mark_withdraws_the_pass(db):
    exam, user, attempt = _sat(answer_a="A", answer_b="A")  # 10 of 10
    withdrawn = []
    signals.exam_pass_withdrawn.connect(
        receiver := lambda sender, **kw: withdrawn.append(sender.id), weak=False
    )
    try:
        review = reviews.request_review(attempt, 2, "请复核", utcnow())
        reviews.answer_review(
            review, new_mark=Decimal("0"), answer="复核后改为零分", by=base.user(), now=utcnow()
        )
    finally:
        signals.exam_pass_withdrawn.disconnect(receiver)
    assert attempt.score == Decimal("5.00") and attempt.passed is False and withdrawn == [attempt.id]


def test_upheld_review_changes_nothing_and_tells_the_candidate(db):
    exam, user, attempt = _sat()
    review = reviews.request_review(attempt, 1, "请看看", utcnow())
    reviews.answer_review(review, new_mark=None, answer="评分无误。", by=base.user(), now=utcnow())
    assert review.status == "upheld" and attempt.score == Decimal("5.00")
    with pytest.raises(ExamError):
        reviews.answer_review(review, new_mark=None, answer="again", by=base.user(), now=utcnow())
    note = db.session.scalar(select(Notification).where(Notification.kind == "exam.review"))
    assert note.user_id == user.id and "评分无误" in note.body


def test_reviews_page_is_the_owners_only(signed_in, db):
    exam, user, attempt = _sat()
    review = reviews.request_review(attempt, 1, "x", utcnow())
    outsider = base.user(grants=[("trainer", base.department(name="外单位"))])
    client = signed_in(outsider)
    assert client.get(f"/exams/manage/{exam.id}/reviews").status_code == 404
    data = {"decision": "upheld", "answer": "x"}
    assert client.post(f"/exams/manage/{exam.id}/reviews/{review.id}", data=data).status_code == 404
    assert signed_in(user).get(f"/exams/manage/{exam.id}/reviews").status_code in (403, 404)
    assert review.status == "open"
