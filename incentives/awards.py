"""Automatic awards: listeners on ``core.signals`` that pay the active rules of each trigger.

The senders (exams, training, drills) never import this package. Each listener runs inside the sender's
transaction and only flushes; each award is keyed by (rule, source_key, employee), so an event sent twice
or replayed pays once. Listeners use only what the signal docstrings promise (plus ``.id``); names for
the ledger's source line are read with ``getattr`` and fall back to the id.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core import signals
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from incentives.ledger import award, default_locale, reverse_entry, reversed_ids
from incentives.models import ExamScore, PointEntry, PointRule, Trigger

# drill_evaluated's ``tier`` values that count as 优秀 (the drills package decides the scale; we accept
# its enum value or label in either language).
EXCELLENT_TIERS = {"excellent", "优秀", "outstanding"}
DEFAULT_EXCELLENT_THRESHOLD = Decimal("95")


def _in_default_locale(listener):
    """Run a listener with the site's default language (labels are stored; there may be no request)."""

    @functools.wraps(listener)
    def wrapped(*args, **kwargs):
        with default_locale():
            return listener(*args, **kwargs)

    return wrapped


def active_rules(trigger: str) -> list[PointRule]:
    """The active rules that ``trigger`` pays."""
    return list(
        db.session.scalars(
            select(PointRule).where(PointRule.trigger == trigger, PointRule.active).order_by(PointRule.id)
        )
    )


def _name(obj, fallback: str) -> str:
    for attr in ("title", "name"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return f"{fallback} #{getattr(obj, 'id', '?')}"


def _pay(trigger: str, employee, *, source_key: str, label: str, now: dt.datetime, quantity=1) -> list:
    entries = []
    for rule in active_rules(trigger):
        points = rule.points * Decimal(quantity)
        entries.append(award(rule, employee, points, source_key=source_key, source_label=label, now=now))
    points_awarded(employee, entries, now=now)
    return entries


def points_awarded(employee, entries: list[PointEntry], *, now: dt.datetime) -> None:
    """Tell the employee about each automatic award (once per ledger line, a replay tells nobody again);
    an award the cap cut to nothing is told too, with the reason."""
    if not entries:  # no rule paid (the usual case for a practice answer): nobody to look up
        return
    user = db.session.scalar(select(User).where(User.employee_id == employee.id, User.active.is_(True)))
    if user is None:
        return
    for entry in entries:
        notify(
            [user],
            kind="incentives.points",
            title=_l("%(points)s points: %(what)s", points=_signed(entry.points), what=entry.source_label),
            body=entry.reason,
            link="/incentives/",
            now=now,
            key=f"points:{entry.id}",
        )


def _signed(points: Decimal) -> str:
    return f"+{points}" if points > 0 else str(points)


def _percentage(score, max_score) -> Decimal:
    if max_score:
        return (Decimal(score) * 100 / Decimal(max_score)).quantize(Decimal("0.1"))
    return Decimal(score).quantize(Decimal("0.1"))  # 百分制 when the paper total is unknown


def record_exam_score(
    attempt_id: int,
    *,
    employee,
    exam,
    score,
    passed: bool,
    source_key: str,
    now: dt.datetime,
    max_score=None,
) -> ExamScore:
    """Keep the read model of one graded attempt up to date (used for the exam-average tie-break)."""
    row = db.session.scalar(select(ExamScore).where(ExamScore.attempt_id == attempt_id))
    if row is None:
        row = ExamScore(
            attempt_id=attempt_id,
            source_key=source_key[:120],
            employee_id=employee.id,
            exam_id=exam.id,
            score=Decimal(score),
            max_score=Decimal(max_score) if max_score else None,
            percentage=_percentage(score, max_score),
            passed=passed,
            graded_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            row = db.session.scalar(select(ExamScore).where(ExamScore.attempt_id == attempt_id))
        return row
    row.score = Decimal(score)
    row.passed = row.passed or passed
    if max_score:
        row.max_score = Decimal(max_score)
    row.percentage = _percentage(row.score, row.max_score)
    db.session.flush()
    return row


@_in_default_locale
def on_attempt_graded(
    sender, *, employee, exam, score, passed, source_key, now, max_score=None, **_kw
) -> None:
    record_exam_score(
        sender.id,
        employee=employee,
        exam=exam,
        score=score,
        passed=passed,
        source_key=source_key,
        now=now,
        max_score=max_score,
    )


def _paid_for_pass(employee, source_key: str) -> list[PointEntry]:
    """Entries a pass paid: under its source key, or under a later round's key (see ``_pass_round_key``)."""
    return list(
        db.session.scalars(
            select(PointEntry).where(
                PointEntry.employee_id == employee.id,
                PointEntry.reverses_id.is_(None),
                or_(PointEntry.source_key == source_key, PointEntry.source_key.like(f"{source_key}:again-%")),
            )
        )
    )


def _pass_round_key(employee, source_key: str) -> str:
    """A pass that a regrade withdrew (its entries reversed) and a later regrade restored pays again, under
    a key of its own round; the reversed entries stay as they are."""
    paid = _paid_for_pass(employee, source_key)
    gone = reversed_ids([e.id for e in paid])
    rounds = {e.source_key for e in paid if e.id in gone}
    return source_key if not rounds else f"{source_key}:again-{len(rounds)}"


@_in_default_locale
def on_exam_pass_withdrawn(sender, *, employee, source_key, reason, by, now, **_kw) -> None:
    """Reverse what the pass paid (pass, excellence, first attempt, its qualification) and unmark the pass."""
    paid = _paid_for_pass(employee, source_key)
    gone = reversed_ids([e.id for e in paid])
    for entry in paid:
        if entry.id not in gone:
            reverse_entry(entry, reason=str(reason), author=by, now=now)
    row = db.session.scalar(select(ExamScore).where(ExamScore.attempt_id == sender.id))
    if row is not None:
        row.passed = False
    db.session.flush()


@_in_default_locale
def on_exam_passed(
    sender, *, employee, exam, score, max_score, first_attempt, source_key, now, **_kw
) -> None:
    pay_key = _pass_round_key(employee, source_key)
    score_row = record_exam_score(
        sender.id,
        employee=employee,
        exam=exam,
        score=score,
        passed=True,
        source_key=source_key,
        now=now,
        max_score=max_score,
    )
    exam_name = _name(exam, _("Exam"))
    _pay(
        Trigger.EXAM_PASSED,
        employee,
        source_key=pay_key,
        label=_("Passed %(exam)s", exam=exam_name),
        now=now,
    )
    for rule in active_rules(Trigger.EXAM_EXCELLENT):
        if score_row.percentage >= (rule.threshold or DEFAULT_EXCELLENT_THRESHOLD):
            label = _("%(exam)s: %(pct)s%% of the marks", exam=exam_name, pct=score_row.percentage)
            award(rule, employee, rule.points, source_key=pay_key, source_label=label, now=now)
    if first_attempt:
        label = _("Passed %(exam)s at the first attempt", exam=exam_name)
        _pay(Trigger.EXAM_FIRST_ATTEMPT, employee, source_key=pay_key, label=label, now=now)


@_in_default_locale
def on_training_completed(sender, *, employee, course, hours, source_key, now, **_kw) -> None:
    label = _("Completed %(course)s (%(hours)s h)", course=_name(course, _("Course")), hours=hours)
    _pay(Trigger.TRAINING_HOUR, employee, source_key=source_key, label=label, now=now, quantity=hours)


@_in_default_locale
def on_qualification_granted(sender, *, employee, certificate_type, source_key, now, **_kw) -> None:
    label = _("Qualification earned: %(name)s", name=_name(certificate_type, _("Certificate")))
    _pay(
        Trigger.QUALIFICATION,
        employee,
        source_key=_pass_round_key(employee, source_key),
        label=label,
        now=now,
    )


@_in_default_locale
def on_drill_participated(sender, *, employee, drill, source_key, now, **_kw) -> None:
    label = _("Took part in drill %(drill)s", drill=_name(drill, _("Drill")))
    _pay(Trigger.DRILL_PARTICIPATION, employee, source_key=source_key, label=label, now=now)


@_in_default_locale
def on_drill_evaluated(sender, *, drill, tier, participants, now, **_kw) -> None:
    if str(getattr(tier, "value", tier)).strip().lower() not in EXCELLENT_TIERS:
        return
    label = _("Drill %(drill)s rated excellent", drill=_name(drill, _("Drill")))
    # The signal has no source_key; the drill's id names the event (one final result per drill).
    source_key = f"drill-evaluated:{drill.id}"
    for employee in participants:
        _pay(Trigger.DRILL_EXCELLENT, employee, source_key=source_key, label=label, now=now)


@_in_default_locale
def on_corrective_action_closed(sender, *, owner, on_time, source_key, now, **_kw) -> None:
    if not on_time or owner is None:
        return
    label = _("Corrective action #%(id)s closed on time", id=sender.id)
    _pay(Trigger.ACTION_ON_TIME, owner, source_key=source_key, label=label, now=now)


@_in_default_locale
def on_practice_answered(sender, *, employee, correct, question_id, source_key, now, **_kw) -> None:
    """A right answer in self-practice pays the practice rule (off by default), once per person, question and
    day (the source key names the day), within the rule's daily cap."""
    if not correct:
        return
    label = _("Self-practice: question #%(id)s answered right", id=question_id)
    _pay(Trigger.PRACTICE_RIGHT, employee, source_key=source_key, label=label, now=now)


LISTENERS = (
    (signals.attempt_graded, on_attempt_graded),
    (signals.exam_passed, on_exam_passed),
    (signals.exam_pass_withdrawn, on_exam_pass_withdrawn),
    (signals.training_completed, on_training_completed),
    (signals.qualification_granted, on_qualification_granted),
    (signals.drill_participated, on_drill_participated),
    (signals.drill_evaluated, on_drill_evaluated),
    (signals.corrective_action_closed, on_corrective_action_closed),
    (signals.practice_answered, on_practice_answered),
)


def connect() -> None:
    """Subscribe the listeners (Blinker keeps one subscription per function, so this is idempotent)."""
    for signal, listener in LISTENERS:
        signal.connect(listener, weak=False)
