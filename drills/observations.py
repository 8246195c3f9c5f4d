"""The observation log (观察记录): evaluators and controllers note what they see, from their phones, with
an optional photo, linked to an inject and to evaluation criteria.

A phone makes the note's ``client_id`` before the first try and sends the same id on every retry, so a
note is stored once however often a flaky network makes the phone send it. Notes can be added from the
time the console opens until the evaluation is finished (late write-ups of what was seen are normal);
a note is never edited afterwards (a correction is a new note).

Readers: the drill's controllers and evaluators (``conduct.can_observe``). Players and observers never
see the notes, and the evaluation report carries what the evaluators concluded from them (ratings,
findings, confirmed timings), not the notes themselves.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accounts.models import Employee, User
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.uploads import JPEG, PNG, WEBP
from drills import assessment
from drills.conduct import CONSOLE_OPENS_BEFORE
from drills.conduct_models import FlowStep, Observation
from drills.errors import DrillError, DrillStateError
from drills.models import Drill, DrillInject, DrillStatus
from training.uploads import store_upload

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = (JPEG, PNG, WEBP)
TEXT_MAX = 4000
OPEN_STATES = (DrillStatus.APPROVED, DrillStatus.CONDUCTED, DrillStatus.EVALUATING)
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

# Quick templates for the five-step flow: a tap puts the sentence in the note and sets the step.
QUICK_TEMPLATES = {
    FlowStep.REPORT: (
        _l("Report received at (time); reported to the duty leader at (time)."),
        _l("First report incomplete: missing (what)."),
    ),
    FlowStep.ASSESS: (
        _l("Initial assessment done; level proposed: (level)."),
        _l("Assessment delayed: (why)."),
    ),
    FlowStep.ACTIVATE: (
        _l("Response activated; order issued at (time)."),
        _l("Not every responsible unit confirmed the order."),
    ),
    FlowStep.RESPOND: (
        _l("Repair team arrived on site at (time)."),
        _l("Customer notice published via 95598 / SMS / WeChat at (time)."),
    ),
    FlowStep.RECOVER: (
        _l("Supply restored at (time); customers informed."),
        _l("Hotwash held; main points: (what)."),
    ),
}


def _observed_at(drill: Drill, claimed: str | None, now: dt.datetime) -> dt.datetime:
    """The phone's time of the note when it is believable (from the console's opening to now), else now."""
    try:
        moment = dt.datetime.fromisoformat((claimed or "").replace("Z", "+00:00"))
    except ValueError:
        return now
    if moment.tzinfo is None:
        return now
    moment = moment.astimezone(dt.UTC)
    if moment > now or moment < drill.starts_at - CONSOLE_OPENS_BEFORE:
        return now
    return moment


def _criteria_of(drill: Drill, ids) -> list[int]:
    if not ids:
        return []
    allowed = {c.id for c in assessment.applicable_criteria(drill)}
    chosen = []
    for value in ids or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DrillError(_("Unknown criterion.")) from None
        if number not in allowed:
            raise DrillError(_("Unknown criterion."))
        if number not in chosen:
            chosen.append(number)
    return chosen


def find(drill: Drill, client_id: str) -> Observation | None:
    return db.session.scalar(
        select(Observation).where(Observation.drill_id == drill.id, Observation.client_id == client_id)
    )


def add(
    drill: Drill,
    *,
    client_id: str,
    text: str,
    author: Employee,
    user: User,
    now: dt.datetime,
    observed_at: str | None = None,
    step: str = "",
    inject_id: int | None = None,
    criterion_ids=(),
    photo=None,
) -> tuple[Observation, bool]:
    """Store a note (or return the one already stored under ``client_id``); returns (note, created)."""
    if not _CLIENT_ID.match(client_id or ""):
        raise DrillError(_("The note has no valid identifier; reload the page."))
    existing = find(drill, client_id)
    if existing is not None:
        return existing, False
    if drill.status not in OPEN_STATES or now < drill.starts_at - CONSOLE_OPENS_BEFORE:
        raise DrillStateError(_("Notes can be added from the console's opening until the evaluation ends."))
    text = (text or "").strip()
    if not text and photo is None:
        raise DrillError(_("Write what you saw or add a photo."))
    if len(text) > TEXT_MAX:
        raise DrillError(_("The note is longer than %(n)s characters.", n=TEXT_MAX))
    if step and step not in {s.value for s in FlowStep}:
        raise DrillError(_("Unknown step."))
    if inject_id is not None and db.session.get(DrillInject, inject_id) not in drill.injects:
        raise DrillError(_("This inject is not part of the drill."))
    note = Observation(
        drill=drill,
        client_id=client_id,
        author=author,
        observed_at=_observed_at(drill, observed_at, now),
        received_at=now,
        text=text,
        step=step or "",
        inject_id=inject_id,
        criterion_ids=_criteria_of(drill, criterion_ids),
    )
    if photo is not None:
        note.photo_id = store_upload(photo, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES, user=user).id
    try:
        with db.session.begin_nested():
            db.session.add(note)
            db.session.flush()
    except IntegrityError:  # the same note sent twice at once: the other request stored it
        stored = find(drill, client_id)
        if stored is None:
            raise
        return stored, False
    return note, True


def notes_of(drill: Drill, latest: int | None = None) -> list[Observation]:
    """The drill's notes in time order (with their authors); only the ``latest`` ones when given."""
    query = (
        select(Observation).where(Observation.drill_id == drill.id).options(joinedload(Observation.author))
    )
    if latest is None:
        return list(db.session.scalars(query.order_by(Observation.observed_at, Observation.id)))
    newest = db.session.scalars(
        query.order_by(Observation.observed_at.desc(), Observation.id.desc()).limit(latest)
    )
    return list(reversed(list(newest)))


def note_state(note: Observation) -> dict:
    return {
        "id": note.id,
        "client_id": note.client_id,
        "observed_at": note.observed_at.isoformat(),
        "author": note.author.name if note.author else "",
        "text": note.text,
        "step": note.step,
        "inject_id": note.inject_id,
        "criterion_ids": list(note.criterion_ids or []),
        "photo": note.photo_id is not None,
    }
