"""After the drill: one timeline of the injects (planned and actual) and the observations, and the
timing criteria's suggestions.

A timing criterion (method 计时) names its limit in its standard or text (``30分钟内``, ``2小时内``; the
first such figure). Its suggestion is computed from timestamps: from the release of an inject to the first
observation linked to the criterion (the note's own inject when it names one, else the last inject
released before the note). Example: inject released 10:00, first matching note 10:07 → 7 minutes. The
suggestion is shown, never scored: the evaluator confirms it or corrects it (a correction needs a note),
and the ratings stay the evaluators' own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import User
from core.extensions import db
from core.i18n import gettext as _
from drills import assessment, conduct, observations
from drills.conduct_models import Observation, TimingCheck
from drills.errors import DrillError, DrillStateError
from drills.evaluation_models import Criterion, Method
from drills.models import Drill, DrillInject, DrillStatus

_LIMIT = re.compile(r"(\d+(?:\.\d+)?)\s*(分钟|小时|min|h)")
CHECK_STATES = (DrillStatus.APPROVED, DrillStatus.CONDUCTED, DrillStatus.EVALUATING)


def limit_minutes(criterion: Criterion) -> int | None:
    """The minutes a timing criterion allows, read from its standard (else its text), or None."""
    for text in (criterion.standard, criterion.text):
        match = _LIMIT.search(text or "")
        if match:
            value = float(match.group(1))
            return int(value * 60) if match.group(2) in ("小时", "h") else int(value)
    return None


@dataclass
class Suggestion:
    criterion: Criterion
    limit: int | None
    start: DrillInject | None
    note: Observation | None
    minutes: int | None  # computed; None when no release/note pair exists
    check: TimingCheck | None

    @property
    def within(self) -> bool | None:
        minutes = self.check.minutes if self.check else self.minutes
        if minutes is None or self.limit is None:
            return None
        return minutes <= self.limit


def _start_inject(note: Observation, released: list[DrillInject]) -> DrillInject | None:
    if note.inject is not None and note.inject.released_at is not None:
        return note.inject if note.inject.released_at <= note.observed_at else None
    before = [i for i in released if i.released_at <= note.observed_at]
    return before[-1] if before else None


def suggestions(drill: Drill) -> list[Suggestion]:
    """One suggestion per timing criterion that applies to the drill."""
    notes = observations.notes_of(drill)
    released = sorted((i for i in drill.injects if i.released_at), key=lambda i: i.released_at)
    checks = {
        c.criterion_id: c
        for c in db.session.scalars(select(TimingCheck).where(TimingCheck.drill_id == drill.id))
    }
    result = []
    for criterion in assessment.applicable_criteria(drill):
        if criterion.method != Method.TIMING:
            continue
        start = note = minutes = None
        for candidate in notes:
            if criterion.id in (candidate.criterion_ids or []):
                start = _start_inject(candidate, released)
                if start is not None:
                    note = candidate
                    seconds = (candidate.observed_at - start.released_at).total_seconds()
                    minutes = int(seconds // 60)
                    break
        result.append(
            Suggestion(criterion, limit_minutes(criterion), start, note, minutes, checks.get(criterion.id))
        )
    return result


def confirm(
    drill: Drill, criterion_id: int, minutes: int | None, note: str, user: User, now: dt.datetime
) -> TimingCheck:
    """The evaluator's word on a timing criterion: ``minutes`` None confirms the computed value; other
    minutes correct it and need ``note``. Can be changed until the report is issued."""
    if drill.status not in CHECK_STATES:
        raise DrillStateError(_("Timings can be confirmed until the report is issued."))
    suggestion = next((s for s in suggestions(drill) if s.criterion.id == criterion_id), None)
    if suggestion is None:
        raise DrillError(_("Unknown criterion."))
    if minutes is None:
        if suggestion.minutes is None:
            raise DrillError(_("There is nothing computed to confirm; enter the minutes you measured."))
        minutes = suggestion.minutes
    elif minutes < 0 or minutes > conduct.MAX_OFFSET_MINUTES:
        raise DrillError(_("Enter minutes between 0 and 1440."))
    note = (note or "").strip()
    if minutes != suggestion.minutes and not note:
        raise DrillError(_("Say why the computed time is corrected."))
    check = suggestion.check or TimingCheck(drill_id=drill.id, criterion_id=criterion_id)
    check.computed_minutes, check.minutes, check.note = suggestion.minutes, minutes, note[:2000]
    check.confirmed_by, check.confirmed_at = user, now
    db.session.add(check)
    db.session.flush()
    return check


@dataclass
class Entry:
    at: dt.datetime
    kind: str  # "inject" or "note"
    inject: DrillInject | None = None
    note: Observation | None = None


def entries(drill: Drill, with_notes: bool) -> list[Entry]:
    """The injects at their actual time (planned time when pending or skipped) and, for readers of the
    observation log, the notes at their time, in one list."""
    items = [
        Entry(i.released_at or i.skipped_at or i.planned_at, "inject", inject=i)
        for i in conduct.ordered_injects(drill)
    ]
    if with_notes:
        items += [Entry(n.observed_at, "note", note=n) for n in observations.notes_of(drill)]
    return sorted(items, key=lambda e: (e.at, 0 if e.kind == "inject" else 1))
