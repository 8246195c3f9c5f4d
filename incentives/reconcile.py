"""Do the points match the records? (``flask incentives reconcile``)

Two lists, read from the ledger and from the records the award rules pay for:

- **orphans**: ledger entries whose source no longer exists (a course completion, an exam attempt, a
  qualification record, a drill participation, a drill, a corrective action or a manual claim that was
  deleted — or a source key that names no record at all);
- **missing**: records an active automatic rule should have rewarded but did not (no entry of that rule,
  person and source key, not even a capped one of 0 points).

Decision: "should have" means by the rules active now, whatever their creation date (the rules keep no
history); a rule added later therefore lists earlier records until HR decides. ``pay_missing`` (the
command's ``--pay``) lets the rules run on them through the same listeners the live signals call, each
award dated when its record happened, so it counts in the right period. Reversals are corrections, not
awards, and are not checked.

incentives stands right of training, exams and drills, so it reads their records here directly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.timeutil import LOCAL_TZ
from drills.evaluation_models import ActionStatus, CorrectiveAction
from drills.models import Drill, DrillParticipant
from exams.models import Attempt
from incentives import awards
from incentives.models import PointClaim, PointEntry, PointRule, Trigger
from training.models import CourseCompletion, HoursEntry, QualificationRecord

_AGAIN = re.compile(r":again-\d+$")


@dataclass(frozen=True)
class Source:
    """One record an automatic trigger pays for."""

    trigger: str
    source_key: str
    employee_id: int
    occurred_at: dt.datetime
    label: str  # what the record is, for the report
    pay: Callable[[], None]  # runs the trigger's listener for this record
    applies: Callable[[PointRule], bool] = lambda _rule: True


@dataclass(frozen=True)
class Missing:
    rule: PointRule
    source: Source


def base_key(source_key: str) -> str:
    """The event's own key (a restored pass pays under ``<key>:again-N``)."""
    return _AGAIN.sub("", source_key)


# ---------------------------------------------------------------- the records each trigger pays for


def _completions() -> list[Source]:
    hours = dict(
        db.session.execute(
            select(HoursEntry.source_key, HoursEntry.hours).where(HoursEntry.source_key.like("completion:%"))
        ).all()
    )
    sources = []
    for c in db.session.scalars(select(CourseCompletion)):
        key = f"completion:{c.id}"
        quantity = hours.get(key, Decimal(c.course.hours))

        def pay(c=c, key=key, quantity=quantity):
            awards.on_training_completed(
                c, employee=c.employee, course=c.course, hours=quantity, source_key=key, now=c.completed_at
            )

        sources.append(Source(Trigger.TRAINING_HOUR, key, c.employee_id, c.completed_at, c.course.title, pay))
    return sources


def _percentage(attempt: Attempt) -> Decimal:
    if not attempt.max_score:
        return Decimal(attempt.score or 0)
    return (Decimal(attempt.score or 0) * 100 / Decimal(attempt.max_score)).quantize(Decimal("0.1"))


def _passes() -> list[Source]:
    sources = []
    for a in db.session.scalars(select(Attempt).where(Attempt.passed.is_(True))):
        key = f"exam-attempt:{a.id}"
        when = a.graded_at or a.submitted_at or a.started_at

        def pay(a=a, key=key, when=when):
            awards.on_exam_passed(
                a,
                employee=a.employee,
                exam=a.exam,
                score=a.score,
                max_score=a.max_score,
                first_attempt=a.number == 1,
                source_key=key,
                now=when,
            )

        pct = _percentage(a)
        for trigger, applies in (
            (Trigger.EXAM_PASSED, lambda _r: True),
            (
                Trigger.EXAM_EXCELLENT,
                lambda r, pct=pct: pct >= (r.threshold or awards.DEFAULT_EXCELLENT_THRESHOLD),
            ),
            (Trigger.EXAM_FIRST_ATTEMPT, lambda _r, a=a: a.number == 1),
        ):
            sources.append(Source(trigger, key, a.employee_id, when, a.exam.title, pay, applies))
    return sources


def _qualifications() -> list[Source]:
    """Records granted here (they carry a source key); certificates recorded from elsewhere earn nothing."""
    sources = []
    for r in db.session.scalars(
        select(QualificationRecord).where(QualificationRecord.source_key.is_not(None))
    ):

        def pay(r=r):
            awards.on_qualification_granted(
                r,
                employee=r.employee,
                certificate_type=r.certificate_type,
                source_key=r.source_key,
                now=r.recorded_at,
            )

        label = r.certificate_type.name
        sources.append(Source(Trigger.QUALIFICATION, r.source_key, r.employee_id, r.recorded_at, label, pay))
    return sources


def _drills() -> list[Source]:
    sources = []
    drills = db.session.scalars(select(Drill).where(Drill.conducted_at.is_not(None))).all()
    for drill in drills:
        attended = {}
        for p in drill.participants:
            if p.attended and p.employee_id not in attended:
                attended[p.employee_id] = p
        for p in attended.values():
            key = f"drill:{drill.id}:employee:{p.employee_id}"

            def pay(p=p, drill=drill, key=key):
                awards.on_drill_participated(
                    p, employee=p.employee, drill=drill, source_key=key, now=drill.conducted_at
                )

            sources.append(
                Source(Trigger.DRILL_PARTICIPATION, key, p.employee_id, drill.conducted_at, drill.title, pay)
            )
        if drill.reported_at is not None and str(drill.tier or "").lower() in awards.EXCELLENT_TIERS:
            people = [p.employee for p in attended.values()]

            def pay_excellent(drill=drill, people=people):
                awards.on_drill_evaluated(
                    drill, drill=drill, tier=drill.tier, participants=people, now=drill.reported_at
                )

            for p in attended.values():
                sources.append(
                    Source(
                        Trigger.DRILL_EXCELLENT,
                        f"drill-evaluated:{drill.id}",
                        p.employee_id,
                        drill.reported_at,
                        drill.title,
                        pay_excellent,
                    )
                )
    return sources


def _actions() -> list[Source]:
    sources = []
    closed = select(CorrectiveAction).where(
        CorrectiveAction.status == ActionStatus.CLOSED,
        CorrectiveAction.owner_id.is_not(None),
        CorrectiveAction.closed_at.is_not(None),
    )
    for action in db.session.scalars(closed):
        if action.due_date is not None and action.closed_at.astimezone(LOCAL_TZ).date() > action.due_date:
            continue
        key = f"drill-action:{action.id}"

        def pay(action=action, key=key):
            awards.on_corrective_action_closed(
                action, owner=action.owner, on_time=True, source_key=key, now=action.closed_at
            )

        sources.append(
            Source(
                Trigger.ACTION_ON_TIME, key, action.owner_id, action.closed_at, action.description[:60], pay
            )
        )
    return sources


def sources() -> list[Source]:
    """Every record an automatic trigger pays for."""
    return _completions() + _passes() + _qualifications() + _drills() + _actions()


# ---------------------------------------------------------------- the two lists


def missing_awards() -> list[Missing]:
    """Records an active automatic rule should have rewarded and did not."""
    rules: dict[str, list[PointRule]] = {}
    for rule in db.session.scalars(select(PointRule).where(PointRule.active).order_by(PointRule.id)):
        rules.setdefault(rule.trigger, []).append(rule)
    paid = {
        (rule_id, employee_id, base_key(key))
        for rule_id, employee_id, key in db.session.execute(
            select(PointEntry.rule_id, PointEntry.employee_id, PointEntry.source_key).where(
                PointEntry.reverses_id.is_(None)
            )
        )
    }
    found = []
    for source in sources():
        for rule in rules.get(source.trigger, []):
            if source.applies(rule) and (rule.id, source.employee_id, source.source_key) not in paid:
                found.append(Missing(rule, source))
    return found


def _existing_sources() -> dict[str, set]:
    """What exists, per trigger, in the form the ledger's source keys name it."""
    participants = db.session.execute(
        select(DrillParticipant.drill_id, DrillParticipant.employee_id).where(DrillParticipant.attended)
    )
    exam_keys = {f"exam-attempt:{i}" for i in db.session.scalars(select(Attempt.id))}
    return {
        Trigger.TRAINING_HOUR: {f"completion:{i}" for i in db.session.scalars(select(CourseCompletion.id))},
        Trigger.EXAM_PASSED: exam_keys,
        Trigger.EXAM_EXCELLENT: exam_keys,
        Trigger.EXAM_FIRST_ATTEMPT: exam_keys,
        Trigger.QUALIFICATION: set(
            db.session.scalars(
                select(QualificationRecord.source_key).where(QualificationRecord.source_key.is_not(None))
            )
        ),
        Trigger.DRILL_PARTICIPATION: {f"drill:{d}:employee:{e}" for d, e in participants},
        Trigger.DRILL_EXCELLENT: {f"drill-evaluated:{i}" for i in db.session.scalars(select(Drill.id))},
        Trigger.ACTION_ON_TIME: {
            f"drill-action:{i}" for i in db.session.scalars(select(CorrectiveAction.id))
        },
        Trigger.MANUAL: {f"claim:{i}" for i in db.session.scalars(select(PointClaim.id))},
    }


def orphan_entries() -> list[PointEntry]:
    """Ledger entries (not corrections) whose source record no longer exists."""
    existing = _existing_sources()
    entries = db.session.scalars(
        select(PointEntry).where(PointEntry.reverses_id.is_(None)).order_by(PointEntry.id)
    )
    return [e for e in entries if base_key(e.source_key) not in existing.get(e.rule.trigger, set())]


def pay_missing() -> int:
    """Let the rules run on every record they missed (idempotent); returns how many awards were missing."""
    found = missing_awards()
    paid: set[int] = set()
    for item in found:
        if id(item.source.pay) not in paid:
            paid.add(id(item.source.pay))
            item.source.pay()
    db.session.flush()
    return len(found)
