"""Manual grading (essays, blind, question by question across candidates) and regrading after a key fix.

Regrade decision: fixing a key in the bank creates a new question version (used versions are immutable).
A regrade re-marks every automatically graded item of the exam against its question's *current* version
(when the type is unchanged) and moves the item onto that version, so the review shows the fixed key.
Hand marks (essays) are kept. The preview and the apply run the same computation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import url_for
from sqlalchemy import func, select

from accounts.models import User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from exams import grading, notices, outcomes, services
from exams.errors import ExamError
from exams.models import Attempt, AttemptItem, AttemptStatus, Exam
from exams.runtime import load_items, pass_mark, send_signals
from question_bank.models import Question, QuestionVersion
from question_bank.services import mark_version_used
from question_bank.usage import VersionUse


@dataclass
class QueueEntry:
    version: QuestionVersion
    pending: int
    graded: int


def _manual_counts(exam: Exam, by) -> list[tuple[int, int, int]]:
    """(``by`` value, answers waiting, answers marked) over the exam's submitted hand-graded answers."""
    return db.session.execute(
        select(
            by,
            func.count().filter(AttemptItem.mark.is_(None)),
            func.count().filter(AttemptItem.mark.is_not(None)),
        )
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.status != AttemptStatus.OPEN,
            AttemptItem.qtype.in_(grading.MANUAL_TYPES),
        )
        .group_by(by)
        .order_by(by)
    ).all()


def grading_queue(exam: Exam) -> list[QueueEntry]:
    """Hand-graded questions of the exam with how many answers wait and how many are graded."""
    rows = _manual_counts(exam, AttemptItem.version_id)
    versions = {
        v.id: v
        for v in db.session.scalars(
            select(QuestionVersion).where(QuestionVersion.id.in_([r[0] for r in rows]))
        )
    }
    return [QueueEntry(versions[vid], pending, graded) for vid, pending, graded in rows]


def items_for_version(exam: Exam, version_id: int, *, pending_only: bool = False) -> list[AttemptItem]:
    """The submitted answers to one hand-graded question, in a stable order that hides who wrote them."""
    query = (
        select(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.status != AttemptStatus.OPEN,
            AttemptItem.version_id == version_id,
        )
        .order_by(AttemptItem.id)
    )
    if pending_only:
        query = query.where(AttemptItem.mark.is_(None))
    return list(db.session.scalars(query))


@dataclass
class SheetEntry:
    attempt: Attempt
    pending: int
    graded: int


def sheets_to_mark(exam: Exam) -> list[SheetEntry]:
    """Submitted attempts with hand-graded answers, with how many wait: the by-candidate marking queue."""
    rows = _manual_counts(exam, AttemptItem.attempt_id)
    attempts = {
        a.id: a for a in db.session.scalars(select(Attempt).where(Attempt.id.in_([r[0] for r in rows])))
    }
    return [SheetEntry(attempts[aid], pending, graded) for aid, pending, graded in rows]


def manual_items(exam: Exam, attempt_id: int) -> list[AttemptItem] | None:
    """One submitted attempt's hand-graded answers (None when it is not a closed attempt of ``exam``)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.exam_id != exam.id or attempt.status == AttemptStatus.OPEN:
        return None
    return [i for i in load_items(attempt) if i.qtype in grading.MANUAL_TYPES]


def parse_points(text: str) -> Decimal:
    """Points typed by a grader (two decimals at most)."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise ExamError(_("Points must be a number.")) from None
    if not value.is_finite() or value != grading.quantise(value):
        raise ExamError(_("Points take at most two decimals."))
    return value


def grade_item(
    item: AttemptItem,
    points: Decimal,
    comment: str,
    grader: User,
    now: dt.datetime,
    rubric_marks: list | None = None,
) -> None:
    """Record a hand mark (0..the item's points) with a comment; the attempt is final once nothing waits."""
    attempt = item.attempt
    if attempt.status == AttemptStatus.OPEN:
        raise ExamError(_("The attempt is still in progress."))
    if item.qtype not in grading.MANUAL_TYPES:
        raise ExamError(_("This question is graded automatically."))
    if points < 0 or points > item.points:
        raise ExamError(_("Points must be between 0 and %(max)s.", max=item.points))
    old = item.mark
    item.mark = grading.quantise(points)
    item.grader_comment = (comment or "").strip()[:5000]
    item.rubric_marks = rubric_marks
    item.graded_by_id = grader.id
    item.graded_at = now
    db.session.flush()
    audit.record(
        "attempt_item.grade", item, attempt_id=attempt.id, position=item.position, old=old, new=item.mark
    )
    items = load_items(attempt)
    if not any(i.mark is None for i in items) or attempt.status == AttemptStatus.GRADED:
        was_final = attempt.status == AttemptStatus.GRADED
        _retotal(attempt, items, now)
        if not was_final and attempt.status == AttemptStatus.GRADED:
            notices.marking_complete(attempt, now)
    else:
        attempt.score = sum((i.mark or Decimal(0) for i in items), Decimal(0))
        db.session.flush()


def _retotal(attempt: Attempt, items: list[AttemptItem], now: dt.datetime) -> None:
    was_passed = attempt.passed
    attempt.score = sum((i.mark or Decimal(0) for i in items), Decimal(0))
    if any(i.mark is None for i in items):
        attempt.status = AttemptStatus.SUBMITTED
        attempt.passed = None
        db.session.flush()
        return
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = attempt.graded_at or now
    attempt.passed = attempt.score >= pass_mark(attempt.exam, attempt.max_score)
    db.session.flush()
    send_signals(attempt, now, newly_passed=bool(attempt.passed and not was_passed))


# ---------------------------------------------------------------- regrade


@dataclass
class RegradeChange:
    attempt: Attempt
    old_score: Decimal | None
    new_score: Decimal
    old_passed: bool | None
    new_passed: bool | None
    items: list[tuple[int, Decimal | None, Decimal]] = field(default_factory=list)  # position, old, new

    @property
    def flips(self) -> bool:
        return (
            self.old_passed is not None and self.new_passed is not None and self.old_passed != self.new_passed
        )


def _regrade(exam: Exam, apply: bool, now: dt.datetime) -> list[RegradeChange]:
    """Re-mark every closed attempt against the current keys; with ``apply``, store the new marks."""
    attempts = list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.exam_id == exam.id, Attempt.status != AttemptStatus.OPEN)
            .order_by(Attempt.id)
        )
    )
    current = _current_versions(exam)
    changes: list[RegradeChange] = []
    for attempt in attempts:
        items = load_items(attempt)
        new_marks, item_changes = _remark(exam, items, current)
        new_score = sum((m or Decimal(0) for m in new_marks.values()), Decimal(0))
        pending = any(m is None for m in new_marks.values())
        new_passed = None if pending else new_score >= pass_mark(exam, attempt.max_score)
        if item_changes or new_passed != attempt.passed:
            changes.append(
                RegradeChange(attempt, attempt.score, new_score, attempt.passed, new_passed, item_changes)
            )
        if apply:
            _store_marks(items, new_marks, current)
            if item_changes:
                _retotal(attempt, items, now)
    return changes


def _current_versions(exam: Exam) -> dict[int, QuestionVersion | None]:
    """The current version of every question on the exam's papers, by question id."""
    return {
        q.id: q.current_version
        for q in db.session.scalars(
            select(Question).where(
                Question.id.in_(
                    select(AttemptItem.question_id)
                    .join(Attempt, Attempt.id == AttemptItem.attempt_id)
                    .where(Attempt.exam_id == exam.id)
                )
            )
        )
    }


def _regradable(item: AttemptItem, version: QuestionVersion | None) -> bool:
    """An automatically graded item whose question still has the same type in its current version."""
    return version is not None and version.type == item.qtype and item.qtype not in grading.MANUAL_TYPES


def _remark(
    exam: Exam, items: list[AttemptItem], current: dict[int, QuestionVersion | None]
) -> tuple[dict[int, Decimal | None], list[tuple[int, Decimal | None, Decimal]]]:
    """Each item's mark against its question's current key (hand marks kept), and the marks that change."""
    new_marks: dict[int, Decimal | None] = {}
    item_changes = []
    for item in items:
        version = current.get(item.question_id)
        if not _regradable(item, version):
            new_marks[item.id] = item.mark
            continue
        mark = grading.grade_response(
            item.qtype,
            version.key or {},
            version.options or [],
            item.response,
            item.points,
            exam.multiple_rule,
        )
        new_marks[item.id] = mark
        if mark != item.mark:
            item_changes.append((item.position, item.mark, mark))
    return new_marks, item_changes


def _store_marks(
    items: list[AttemptItem], new_marks: dict[int, Decimal | None], current: dict[int, QuestionVersion | None]
) -> None:
    """Move each regraded item onto its question's current version with its new mark."""
    for item in items:
        version = current.get(item.question_id)
        if _regradable(item, version):
            item.version_id = version.id
            item.mark = new_marks[item.id]
            if not version.used:
                mark_version_used(version)
    db.session.flush()


def question_uses(question: Question, user: User) -> list[VersionUse]:
    """The exams (that ``user`` manages) whose submitted papers carry ``question``, with the versions they
    carry and a link to their regrade page; listed on the question's page in the bank."""
    rows = db.session.execute(
        select(Exam, QuestionVersion.number)
        .join(Attempt, Attempt.exam_id == Exam.id)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.version_id)
        .where(AttemptItem.question_id == question.id, Attempt.status != AttemptStatus.OPEN)
        .distinct()
        .order_by(Exam.id, QuestionVersion.number)
    ).all()
    numbers: dict[int, list[int]] = {}
    exams: dict[int, Exam] = {}
    for exam, number in rows:
        exams[exam.id] = exam
        numbers.setdefault(exam.id, []).append(number)
    current = question.current_version.number if question.current_version else None
    return [
        VersionUse(
            exam.title,
            url_for("exams_manage.regrade", exam_id=exam.id),
            tuple(numbers[exam.id]),
            any(n != current for n in numbers[exam.id]),
        )
        for exam in exams.values()
        if services.can_manage_exam(user, exam)
    ]


def settle_change(change: RegradeChange, reason: str, user: User, now: dt.datetime) -> None:
    """What follows a changed score: a pass that became a fail is withdrawn (qualification revoked, points
    reversed by the listeners); a fail that became a pass was credited by ``_retotal``; a flip is told."""
    if change.old_passed and change.new_passed is False:
        outcomes.withdraw_pass(change.attempt, reason, now, by=user)
    if change.flips:
        notices.result_flipped(change.attempt, now)


def change_mark(item: AttemptItem, mark: Decimal, user: User, now: dt.datetime, reason: str) -> RegradeChange:
    """Set one answer's mark after a score review (any question type) and regrade its attempt on the
    regrade path: re-total, signals, and ``settle_change`` for what depends on the score."""
    attempt = item.attempt
    if attempt.status == AttemptStatus.OPEN:
        raise ExamError(_("The attempt is still in progress."))
    if mark < 0 or mark > item.points:
        raise ExamError(_("Points must be between 0 and %(max)s.", max=item.points))
    old_score, old_passed, old_mark = attempt.score, attempt.passed, item.mark
    item.mark = grading.quantise(mark)
    item.graded_by_id, item.graded_at = user.id, now
    db.session.flush()
    _retotal(attempt, load_items(attempt), now)
    change = RegradeChange(
        attempt, old_score, attempt.score, old_passed, attempt.passed, [(item.position, old_mark, item.mark)]
    )
    settle_change(change, reason, user, now)
    return change


def regrade_preview(exam: Exam, now: dt.datetime) -> list[RegradeChange]:
    """Every score change and pass/fail flip a regrade would make; changes nothing."""
    return _regrade(exam, apply=False, now=now)


def regrade_apply(exam: Exam, user: User, now: dt.datetime) -> list[RegradeChange]:
    """Regrade every submitted attempt of the exam against the current keys; audited."""
    changes = _regrade(exam, apply=True, now=now)
    for change in changes:
        settle_change(change, _("Regraded after a key correction: no longer a pass."), user, now)
    audit.record(
        "exam.regrade",
        exam,
        user_id=user.id,
        changes=[
            {
                "attempt": c.attempt.id,
                "old": c.old_score,
                "new": c.new_score,
                "old_passed": c.old_passed,
                "new_passed": c.new_passed,
            }
            for c in changes
        ],
    )
    return changes
