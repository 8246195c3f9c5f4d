"""Score review (成绩复核): a candidate asks for one question's marking to be looked at again, with a reason,
within the exam's ``review_days`` after the results were released to them; the exam's owner (who marks it)
answers. A changed mark regrades the attempt on the regrade path (``marking.change_mark``): the total,
pass/fail, the qualification and points that depend on it, and the candidate is told. Every step is audited;
one open request per question per attempt (a partial unique index).

When the results count as released for an attempt: immediately after submitting (``immediate``), at the
later of the window's close and the submission (``after_close``), or when marking is finished
(``after_grading``). A changed mark on an automatically graded question stands until the next key regrade
recomputes it from the key; fix the key when the key was wrong.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from exams import grading, marking, notices
from exams.errors import ExamError
from exams.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Exam,
    ResultsRelease,
    ReviewRequest,
    ReviewStatus,
)
from exams.runtime import score_visible

MAX_REASON = 2000


def released_at(attempt: Attempt) -> dt.datetime | None:
    """When the attempt's score was released to the candidate under the exam's policy."""
    exam = attempt.exam
    if attempt.status == AttemptStatus.OPEN or attempt.submitted_at is None:
        return None
    if exam.results_release == ResultsRelease.IMMEDIATE:
        return attempt.submitted_at
    if exam.results_release == ResultsRelease.AFTER_CLOSE:
        return max(exam.closes_at, attempt.submitted_at)
    return attempt.graded_at if attempt.status == AttemptStatus.GRADED else None


def review_deadline(attempt: Attempt, now: dt.datetime) -> dt.datetime | None:
    """Until when the candidate may ask (None: no reviews for this exam, or the score is not out yet)."""
    if attempt.exam.review_days <= 0 or not score_visible(attempt, now):
        return None
    start = released_at(attempt)
    return None if start is None else start + dt.timedelta(days=attempt.exam.review_days)


def can_request(attempt: Attempt, now: dt.datetime) -> bool:
    deadline = review_deadline(attempt, now)
    return deadline is not None and now < deadline


def request_review(attempt: Attempt, position: int, reason: str, now: dt.datetime) -> ReviewRequest:
    """The candidate's request about the question at ``position`` (the view has checked it is their attempt)."""
    if not can_request(attempt, now):
        raise ExamError(_("Score reviews for this attempt are closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ExamError(_("Say what you think was marked wrongly."))
    item = db.session.scalar(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id, AttemptItem.position == position)
    )
    if item is None or item.qtype == "description":
        raise ExamError(_("Question not found."), status=404)
    review = ReviewRequest(
        attempt_id=attempt.id, item_id=item.id, reason=reason[:MAX_REASON], old_mark=item.mark, created_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()
    except IntegrityError:
        raise ExamError(_("A review of this question is already open."), status=409) from None
    audit.record("review.request", review, attempt_id=attempt.id, position=position, reason=review.reason)
    return review


def answer_review(
    review: ReviewRequest, *, new_mark: Decimal | None, answer: str, by: User, now: dt.datetime
) -> ReviewRequest:
    """Answer an open request: ``new_mark`` None (or the same mark) upholds the marking; another mark
    changes it and regrades the attempt. The candidate is told either way."""
    if review.status != ReviewStatus.OPEN:
        raise ExamError(_("This review has already been answered."), status=409)
    answer = (answer or "").strip()
    if not answer:
        raise ExamError(_("Write the answer the candidate will read."))
    item = review.item
    changed = new_mark is not None and item.mark != grading.quantise(new_mark)
    if changed:
        marking.change_mark(item, new_mark, by, now, _("Changed after a score review: no longer a pass."))
    review.status = ReviewStatus.CHANGED if changed else ReviewStatus.UPHELD
    review.new_mark = item.mark
    review.answer, review.answered_by_id, review.answered_at = answer[:MAX_REASON], by.id, now
    db.session.flush()
    audit.record(
        "review.answer",
        review,
        attempt_id=review.attempt_id,
        position=item.position,
        status=review.status,
        old_mark=review.old_mark,
        new_mark=review.new_mark,
        score=review.attempt.score,
        answer=review.answer,
    )
    notices.review_answered(review, now)
    return review


def reviews_of_attempt(attempt: Attempt) -> list[ReviewRequest]:
    return list(
        db.session.scalars(
            select(ReviewRequest).where(ReviewRequest.attempt_id == attempt.id).order_by(ReviewRequest.id)
        )
    )


def reviews_of_exam(exam: Exam) -> list[ReviewRequest]:
    """Every request about the exam's attempts, open ones first."""
    return list(
        db.session.scalars(
            select(ReviewRequest)
            .join(Attempt, Attempt.id == ReviewRequest.attempt_id)
            .where(Attempt.exam_id == exam.id)
            .order_by((ReviewRequest.status != ReviewStatus.OPEN), ReviewRequest.id)
        )
    )


def open_count(exam: Exam) -> int:
    return (
        db.session.scalar(
            select(func.count(ReviewRequest.id))
            .join(Attempt, Attempt.id == ReviewRequest.attempt_id)
            .where(Attempt.exam_id == exam.id, ReviewRequest.status == ReviewStatus.OPEN)
        )
        or 0
    )
