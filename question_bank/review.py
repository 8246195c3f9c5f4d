"""Review before use (审核, issue 15 §5): the two-person rule on questions.

- A question's current version is reviewed by a second trainer: new, imported and edited questions are
  drafts for review (``ReviewStatus.DRAFT``) until a trainer who wrote neither the question nor this
  version approves it, or sends it back with a comment its author reads (``RETURNED``). Editing a question
  sent back puts it up for review again.
- Only approved questions (``APPROVED``) enter certification papers (``certified_clause``, used by
  ``exams.papers``). Publication (``QuestionStatus``) is a separate axis: assessment exams and practice keep
  taking published questions whether reviewed or not (see docs/question_bank.md for why).
- Item statistics (``exams.item_review``) flag an approved question whose figures are weak (``FLAGGED``):
  it leaves certification draws until a trainer reviews it again — approving clears the flag, sending it
  back returns it to its author.
- The starter bank and questions in use before review existed are approved by the system (no reviewer).

Reviewers are trainers and admins who may use the question's category (the bank's department scope); a
question outside it answers 404 as everywhere in the bank.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from accounts.models import User
from core import audit
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from core.notifications import notify
from question_bank.categories import visible_category_clause
from question_bank.errors import QuestionError
from question_bank.models import (
    Category,
    Question,
    QuestionReview,
    QuestionStatus,
    QuestionVersion,
    ReviewDecision,
    ReviewStatus,
)

NOTICE_KIND = "question_bank.review"
COMMENT_MAX = 2000


def certified_clause():
    """SQL condition on ``Question``: may enter a certification paper (its current version is approved and
    item statistics have not flagged it)."""
    return Question.review_status == ReviewStatus.APPROVED


def is_certified(question: Question) -> bool:
    return question.review_status == ReviewStatus.APPROVED


def review_refusal(user: User, question: Question) -> QuestionError | None:
    """Why ``user`` may not approve or send back ``question`` now (an error to raise or show), or None when
    they may (the caller has already checked that the user sees the question's category)."""
    if not user.has_any_role(Role.TRAINER, Role.ADMIN):
        return QuestionError(_("Only trainers review questions."), status=403)
    version = question.current_version
    if user.id in {question.author_id, version.created_by_id if version is not None else None}:
        return QuestionError(
            _("You wrote this question or its current version: a second trainer must review it."), status=403
        )
    if question.review_status not in (ReviewStatus.DRAFT, ReviewStatus.FLAGGED):
        return QuestionError(_("This question is not waiting for review."), status=409)
    return None


def _check(user: User, question: Question) -> QuestionVersion:
    refusal = review_refusal(user, question)
    if refusal is not None:
        raise refusal
    return question.current_version


def approve(question: Question, user: User, now: dt.datetime, comment: str = "") -> QuestionReview:
    """A second trainer approves the current version (also clears a statistics flag)."""
    version = _check(user, question)
    flag = question.review_flag
    version.approved_by_id, version.approved_at, version.approved_by_system = user.id, now, False
    question.review_status, question.review_flag = ReviewStatus.APPROVED, None
    review = _record(question, version, ReviewDecision.APPROVED, user, (comment or "").strip(), now)
    audit.record(
        "question_bank.review_approved", question, version=version.number, comment=review.comment or None,
        after_flag=flag or None,
    )  # fmt: skip
    _tell_author(question, user, _("Your question #%(id)d was approved.", id=question.id), review.comment, now)
    return review


def send_back(question: Question, user: User, comment: str, now: dt.datetime) -> QuestionReview:
    """A reviewer returns the question to its author with a comment (required: the author must know what
    to change)."""
    comment = (comment or "").strip()
    if not comment:
        raise QuestionError(_("Say what the author should change: the comment is required."))
    if len(comment) > COMMENT_MAX:
        raise QuestionError(_("The comment is too long (at most %(n)d characters).", n=COMMENT_MAX))
    version = _check(user, question)
    question.review_status = ReviewStatus.RETURNED
    review = _record(question, version, ReviewDecision.RETURNED, user, comment, now)
    audit.record("question_bank.review_returned", question, version=version.number, comment=comment)
    _tell_author(question, user, _("Your question #%(id)d was sent back.", id=question.id), comment, now)
    return review


def approve_by_system(question: Question, now: dt.datetime) -> None:
    """Approve without a reviewer: the starter bank's own questions (written and checked with the release)."""
    version = question.current_version
    version.approved_by_id, version.approved_at, version.approved_by_system = None, now, True
    question.review_status, question.review_flag = ReviewStatus.APPROVED, None


def content_changed(question: Question) -> None:
    """The current version's content changed (a new version, or a draft edited in place): it waits for
    review again, and an approval recorded on an edited-in-place version no longer holds."""
    version = question.current_version
    if version is not None and version.approved_at is not None and not version.used:
        version.approved_by_id, version.approved_at, version.approved_by_system = None, None, False
    question.review_status, question.review_flag = ReviewStatus.DRAFT, None


def flag(question: Question, figures: dict, now: dt.datetime) -> QuestionReview:
    """Item statistics ask for a fresh review of an approved question (``figures``: responses, facility
    and discrimination as fractions, reasons); it leaves certification draws until reviewed."""
    question.review_status, question.review_flag = ReviewStatus.FLAGGED, figures
    review = _record(question, question.current_version, ReviewDecision.FLAGGED, None, "", now, figures)
    audit.record("question_bank.review_flagged", question, user_id=None, **figures)
    return review


def _record(question, version, decision, user, comment, now, figures=None) -> QuestionReview:
    review = QuestionReview(
        question_id=question.id,
        version_id=version.id if version is not None else None,
        decision=decision,
        reviewer_id=user.id if user is not None else None,
        comment=comment,
        figures=figures,
        created_at=now,
    )
    db.session.add(review)
    db.session.flush()
    return review


def _tell_author(question: Question, reviewer: User, title: str, comment: str, now: dt.datetime) -> None:
    authors = {question.author_id, question.current_version.created_by_id} - {None, reviewer.id}
    people = [u for u in (db.session.get(User, i) for i in sorted(authors)) if u is not None and u.active]
    if people:
        notify(
            people,
            kind=NOTICE_KIND,
            title=title,
            body=comment,
            link=f"/question-bank/{question.id}",  # a path: notices are also sent outside requests
            now=now,
        )


# ---------------------------------------------------------------- the queue


def _visible(user: User) -> Select:
    query = select(Question).where(Question.status != QuestionStatus.RETIRED)
    if not user.has_any_role(Role.ADMIN):
        query = query.where(Question.category_id.in_(select(Category.id).where(visible_category_clause(user))))
    return query.options(
        selectinload(Question.current_version).selectinload(QuestionVersion.created_by),
        selectinload(Question.category),
        selectinload(Question.author),
    )


def queue(user: User, limit: int = 200) -> dict[str, list[Question]]:
    """The review queue as ``user`` sees it (the bank's scope): questions for them to review (others'
    drafts), statistics flags, their own questions waiting for someone else, and their own sent back."""
    def rows(query) -> list[Question]:
        return list(db.session.scalars(query.order_by(Question.updated_at, Question.id).limit(limit)))

    waiting = (ReviewStatus.DRAFT,)
    mine = Question.author_id == user.id
    base = _visible(user)
    by_others = base.where(Question.review_status.in_(waiting), Question.author_id.is_distinct_from(user.id))
    return {
        "to_review": [q for q in rows(by_others) if q.current_version.created_by_id != user.id],
        "flagged": rows(base.where(Question.review_status == ReviewStatus.FLAGGED)),
        "mine_waiting": rows(base.where(Question.review_status.in_(waiting), mine)),
        "mine_returned": rows(base.where(Question.review_status == ReviewStatus.RETURNED, mine)),
    }


def queue_count(user: User) -> int:
    """How many questions wait for ``user``'s review (the navigation badge and the to-do count)."""
    found = queue(user)
    return len(found["to_review"]) + len(found["flagged"])


def history(question: Question) -> list[QuestionReview]:
    """The question's review decisions, newest first."""
    return list(
        db.session.scalars(
            select(QuestionReview)
            .where(QuestionReview.question_id == question.id)
            .options(selectinload(QuestionReview.reviewer), selectinload(QuestionReview.version))
            .order_by(QuestionReview.created_at.desc(), QuestionReview.id.desc())
        )
    )


def last_comment(question: Question) -> QuestionReview | None:
    """The latest send-back of a question sent back (what its author must change), else None."""
    if question.review_status != ReviewStatus.RETURNED:
        return None
    return db.session.scalar(
        select(QuestionReview)
        .where(QuestionReview.question_id == question.id, QuestionReview.decision == ReviewDecision.RETURNED)
        .order_by(QuestionReview.created_at.desc(), QuestionReview.id.desc())
        .limit(1)
    )
