"""A participant's role: told when the drill is approved (or when added to an approved drill), confirmed
by the person with one button.

Decisions (HSEEP's participant acknowledgement, in the spirit of a 回执):
- The notice links to the role page (``/drills/<id>/my-role``), which shows the drill's time, place and
  the person's role(s) and carries the 确认参加 button; the drill page shows the same button to them.
- One confirmation covers all of the person's roles in that drill. It can be given while the drill is
  approved and has not ended; the trainer sees who has confirmed on the participant list.
- Each person gets the role notice once per drill (``notify(..., key=...)``), however often the drill is
  approved again or they are added again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.models import Employee
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import join_list
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from drills.errors import DrillError
from drills.labels import PARTICIPANT_ROLE_LABELS
from drills.models import Drill, DrillParticipant, DrillStatus


def role_page(drill: Drill) -> str:
    return f"/drills/{drill.id}/my-role"


def my_roles(drill: Drill, employee: Employee) -> list[DrillParticipant]:
    """The participant rows of ``employee`` in ``drill`` (a person may hold two roles)."""
    return [p for p in drill.participants if p.employee_id == employee.id]


def role_names(rows: list[DrillParticipant]) -> str:
    """The roles of ``rows`` in words, joined as the language joins a list."""
    return join_list(PARTICIPANT_ROLE_LABELS.get(r.role, r.role) for r in rows)


def can_confirm(drill: Drill, now: dt.datetime) -> bool:
    """Roles are confirmed while the drill is approved and has not ended."""
    return drill.status == DrillStatus.APPROVED and now < drill.ends_at


def confirm_role(drill: Drill, employee: Employee, now: dt.datetime) -> list[DrillParticipant]:
    """The person confirms the role(s) they hold in ``drill``; a second confirmation changes nothing."""
    rows = my_roles(drill, employee)
    if not rows:
        raise DrillError(_("You have no role in this drill."), status=404)
    if not can_confirm(drill, now):
        raise DrillError(_("Roles can be confirmed once the drill is approved and until it ends."))
    for row in rows:
        if row.confirmed_at is None:
            row.confirmed_at = now
    db.session.flush()
    return rows


def notify_roles(drill: Drill, participants: list[DrillParticipant], now: dt.datetime | None = None) -> None:
    """Tell each participant their role, with the link to the page where they confirm it (once each)."""
    users = {p.employee.user.id: p.employee.user for p in participants if p.employee.user is not None}
    notify(
        list(users.values()),
        kind="drill.role",
        title=_l("Drill scheduled: %(title)s — please confirm your role", title=drill.title),
        body=_l("You take part in this emergency drill. Check the date, place and your role, then confirm."),
        link=role_page(drill),
        now=now,
        key=f"drill:{drill.id}",
    )


def roles_to_confirm(employee_id: int, now: dt.datetime) -> list[tuple[Drill, list[DrillParticipant]]]:
    """Approved drills not yet ended in which the employee has a role still unconfirmed, by start."""
    rows = db.session.scalars(
        select(DrillParticipant)
        .join(Drill, Drill.id == DrillParticipant.drill_id)
        .where(
            DrillParticipant.employee_id == employee_id,
            DrillParticipant.confirmed_at.is_(None),
            Drill.status == DrillStatus.APPROVED,
            Drill.ends_at > now,
        )
        .order_by(Drill.starts_at, DrillParticipant.id)
    ).all()
    by_drill: dict[int, tuple[Drill, list[DrillParticipant]]] = {}
    for row in rows:
        by_drill.setdefault(row.drill_id, (row.drill, []))[1].append(row)
    return list(by_drill.values())
