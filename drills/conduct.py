"""The conduct console (导调台): the drill's controllers release injects (server time), skip them with a
reason and add unplanned ones while the drill runs; everyone at the console reads one state, polled.

Who is who on a running drill:
- **controllers** (run the console): the drill's managers (``access.can_manage``), its director, and its
  participants in the roles 总指挥 (commander) and 导调 (controller);
- **observers** (keep the observation log): controllers and the drill's evaluators (and lead evaluator);
- everyone else who takes part (参演, 观摩) sees neither the console nor the observations: the drill
  answers 404 there, as for a drill they do not know.

The console is live while the drill is approved and not yet recorded as conducted, from
``CONSOLE_OPENS_BEFORE`` ahead of the planned start; after that the timeline is what was recorded.
A release within ``ON_TIME_MINUTES`` of the planned time counts as on time; otherwise it is early or late
by whole minutes.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import aliased

from accounts.models import Employee, User
from core.extensions import db
from core.i18n import gettext as _
from drills import access
from drills.errors import DrillError, DrillStateError
from drills.models import Drill, DrillInject, DrillStatus, ParticipantRole

CONSOLE_OPENS_BEFORE = dt.timedelta(hours=2)
ON_TIME_MINUTES = 2
MAX_OFFSET_MINUTES = 24 * 60
CONTROL_ROLES = (ParticipantRole.COMMANDER, ParticipantRole.CONTROLLER)


# ---------------------------------------------------------------- who


def can_control(user: User, drill: Drill) -> bool:
    """Managers of the drill, its director, its commanders and controllers run the console."""
    # the cheap checks first: the director needs no query, the roles one (cached for the request)
    if user.employee_id is not None and user.employee_id == drill.director_id:
        return True
    if access.roles_of(user, drill) & set(CONTROL_ROLES):
        return True
    return access.can_manage(user, drill)


def can_observe(user: User, drill: Drill) -> bool:
    """Controllers and evaluators keep (and read) the observation log."""
    # evaluators first: their role is in the one cached query, so fifty phones polling the log never
    # load role grants
    if user.employee_id is not None and user.employee_id == drill.lead_evaluator_id:
        return True
    if ParticipantRole.EVALUATOR in access.roles_of(user, drill):
        return True
    return can_control(user, drill)


# ---------------------------------------------------------------- when


def console_open(drill: Drill, now: dt.datetime) -> bool:
    return drill.status == DrillStatus.APPROVED and now >= drill.starts_at - CONSOLE_OPENS_BEFORE


def _require_open(drill: Drill, now: dt.datetime) -> None:
    if drill.status != DrillStatus.APPROVED:
        raise DrillStateError(_("The console is closed: the drill is not running."))
    if now < drill.starts_at - CONSOLE_OPENS_BEFORE:
        raise DrillStateError(_("The console opens two hours before the drill starts."))


# ---------------------------------------------------------------- actions


def _locked_inject(drill: Drill, inject_id: int) -> DrillInject:
    """The inject, locked for the rest of the transaction so two controllers cannot both act on it."""
    inject = db.session.scalar(
        select(DrillInject)
        .where(DrillInject.id == inject_id, DrillInject.drill_id == drill.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if inject is None:
        raise DrillError(_("This inject is not part of the drill."))
    return inject


def _require_pending(inject: DrillInject) -> None:
    if inject.released_at is not None:
        name = inject.released_by.employee.name if inject.released_by and inject.released_by.employee else ""
        raise DrillStateError(_("This inject was already released by %(name)s.", name=name))
    if inject.skipped_at is not None:
        raise DrillStateError(_("This inject was already skipped."))


def release(drill: Drill, inject_id: int, user: User, now: dt.datetime) -> DrillInject:
    """Release a pending inject now (server time)."""
    _require_open(drill, now)
    inject = _locked_inject(drill, inject_id)
    _require_pending(inject)
    inject.released_at, inject.released_by = now, user
    db.session.flush()
    return inject


def skip(drill: Drill, inject_id: int, reason: str, user: User, now: dt.datetime) -> DrillInject:
    """Skip a pending inject; the reason is required and kept."""
    _require_open(drill, now)
    if not (reason or "").strip():
        raise DrillError(_("Say why the inject is skipped."))
    inject = _locked_inject(drill, inject_id)
    _require_pending(inject)
    inject.skipped_at, inject.skipped_by, inject.skip_reason = now, user, reason.strip()[:2000]
    db.session.flush()
    return inject


def add_unplanned(
    drill: Drill,
    *,
    event: str,
    expected_action: str = "",
    responsible_role: str = "",
    release_now: bool = True,
    user: User,
    now: dt.datetime,
) -> DrillInject:
    """An inject that was not in the plan, timed at the current minute of the drill; released at once
    unless the controller holds it back for later."""
    _require_open(drill, now)
    if not (event or "").strip():
        raise DrillError(_("Describe the inject's event."))
    offset = max(0, min(MAX_OFFSET_MINUTES, math.floor((now - drill.starts_at).total_seconds() / 60)))
    inject = DrillInject(
        offset_minutes=offset,
        event=event.strip()[:2000],
        expected_action=(expected_action or "").strip()[:2000],
        responsible_role=(responsible_role or "").strip()[:100],
        unplanned=True,
    )
    if release_now:
        inject.released_at, inject.released_by_id = now, user.id
    if "injects" in sa_inspect(drill).unloaded:
        # the console reads injects as rows: loading every inject as an object only to append one
        # (60 objects on a large scenario) is the cost of the request, so the row is added on its own
        inject.drill_id = drill.id
        db.session.add(inject)
    else:
        drill.injects.append(inject)
    db.session.flush()
    return inject


# ---------------------------------------------------------------- the state every console polls

_RELEASER, _RELEASER_EMPLOYEE = aliased(User), aliased(Employee)
_SKIPPER, _SKIPPER_EMPLOYEE = aliased(User), aliased(Employee)


def _state_rows(drill: Drill) -> list:
    """The injects as plain rows in planned order, with the names of who released or skipped each: one
    query (consoles poll it)."""
    return db.session.execute(
        select(
            DrillInject.id,
            DrillInject.offset_minutes,
            DrillInject.event,
            DrillInject.expected_action,
            DrillInject.responsible_role,
            DrillInject.unplanned,
            DrillInject.released_at,
            DrillInject.skipped_at,
            DrillInject.skip_reason,
            _RELEASER_EMPLOYEE.name.label("released_by"),
            _SKIPPER_EMPLOYEE.name.label("skipped_by"),
        )
        .outerjoin(_RELEASER, _RELEASER.id == DrillInject.released_by_id)
        .outerjoin(_RELEASER_EMPLOYEE, _RELEASER_EMPLOYEE.id == _RELEASER.employee_id)
        .outerjoin(_SKIPPER, _SKIPPER.id == DrillInject.skipped_by_id)
        .outerjoin(_SKIPPER_EMPLOYEE, _SKIPPER_EMPLOYEE.id == _SKIPPER.employee_id)
        .where(DrillInject.drill_id == drill.id)
        .order_by(DrillInject.offset_minutes, DrillInject.id)
    ).all()


def _punctuality_of(minutes: int | None) -> str | None:
    if minutes is None:
        return None
    if abs(minutes) <= ON_TIME_MINUTES:
        return "on_time"
    return "late" if minutes > 0 else "early"


def deviation_minutes(inject: DrillInject) -> int | None:
    """Whole minutes the release came after (+) or before (−) the planned time; None if not released."""
    return _deviation(inject.released_at, inject.planned_at)


def _deviation(released_at: dt.datetime | None, planned_at: dt.datetime) -> int | None:
    if released_at is None:
        return None
    return int((released_at - planned_at).total_seconds() / 60)  # towards zero: 1 min 50 s late is 1


def punctuality(inject: DrillInject) -> str | None:
    """ "on_time", "early" or "late" for a released inject, else None."""
    return _punctuality_of(deviation_minutes(inject))


def ordered_injects(drill: Drill) -> list[DrillInject]:
    """The MSEL in planned order (minute, then the order they were written)."""
    return sorted(drill.injects, key=lambda i: (i.offset_minutes, i.id))


def _row_state(row, starts_at: dt.datetime) -> dict:
    planned_at = starts_at + dt.timedelta(minutes=row.offset_minutes)
    deviation = _deviation(row.released_at, planned_at)
    return {
        "id": row.id,
        "offset_minutes": row.offset_minutes,
        "planned_at": planned_at.isoformat(),
        "event": row.event,
        "expected_action": row.expected_action,
        "responsible_role": row.responsible_role,
        "unplanned": row.unplanned,
        "state": "released" if row.released_at else "skipped" if row.skipped_at else "pending",
        "released_at": row.released_at.isoformat() if row.released_at else None,
        "released_by": row.released_by or "",
        "skipped_at": row.skipped_at.isoformat() if row.skipped_at else None,
        "skipped_by": row.skipped_by or "",
        "skip_reason": row.skip_reason,
        "deviation_minutes": deviation,
        "punctuality": _punctuality_of(deviation),
    }


def state_version(drill: Drill) -> str:
    """A short fingerprint of the injects' state, in one aggregate query: it changes with every release,
    skip or added inject, so a console that already has this version needs nothing else."""
    row = db.session.execute(
        select(
            func.count(DrillInject.id),
            func.max(DrillInject.id),
            func.max(DrillInject.released_at),
            func.max(DrillInject.skipped_at),
        ).where(DrillInject.drill_id == drill.id)
    ).one()
    return _version_text(*row, drill.status)


def _version_text(*values) -> str:
    return "|".join(str(v.isoformat() if hasattr(v, "isoformat") else v) for v in values)


def _version_of_rows(rows: list, status: str) -> str:
    """``state_version`` computed from the rows already read (the same text, no second query)."""
    released = [r.released_at for r in rows if r.released_at is not None]
    skipped = [r.skipped_at for r in rows if r.skipped_at is not None]
    return _version_text(
        len(rows),
        max((r.id for r in rows), default=None),
        max(released, default=None),
        max(skipped, default=None),
        status,
    )


def polled_state(drill: Drill, now: dt.datetime, since: str) -> dict:
    """The answer to a poll: short (``unchanged``) when the console already has the current version
    ``since``, else the whole state."""
    version = state_version(drill)
    if since and since == version:
        return {"server_now": now.isoformat(), "unchanged": True, "version": version}
    return console_state(drill, now, version)


def console_state(drill: Drill, now: dt.datetime, version: str | None = None) -> dict:
    """What every console shows, as JSON: the server's clock, the injects in planned order, the next
    pending one. Read as plain rows with the names in one query: consoles poll it every few seconds."""
    rows = _state_rows(drill)
    injects = [_row_state(r, drill.starts_at) for r in rows]
    pending = [i for i in injects if i["state"] == "pending"]
    nxt = pending[0] if pending else None
    return {
        "server_now": now.isoformat(),
        "version": version or _version_of_rows(rows, drill.status),
        "starts_at": drill.starts_at.isoformat(),
        "open": console_open(drill, now),
        "status": drill.status,
        "injects": injects,
        "next_id": nxt["id"] if nxt else None,
        "next_in_seconds": int((dt.datetime.fromisoformat(nxt["planned_at"]) - now).total_seconds())
        if nxt
        else None,
        "counts": {
            "released": sum(1 for i in injects if i["state"] == "released"),
            "skipped": sum(1 for i in injects if i["state"] == "skipped"),
            "pending": len(pending),
        },
    }


def can_confirm_timing(user: User, drill: Drill) -> bool:
    """The drill's managers and evaluators confirm or correct the computed timings."""
    if access.can_manage(user, drill):
        return True
    if user.employee_id is not None and user.employee_id == drill.lead_evaluator_id:
        return True
    return ParticipantRole.EVALUATOR in access.roles_of(user, drill)


def reads_log(user: User, drill: Drill) -> bool:
    """Who reads the observation log and the hotwash comments: observers, and HR over the unit."""
    return can_observe(user, drill) or access.hr_covers(user, drill)
