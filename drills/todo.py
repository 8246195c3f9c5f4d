"""Drills on an employee's to-do list (``core.todo``): roles to confirm in drills still ahead, and the
corrective actions they own that are still open (assigned or being corrected), by due date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.timeutil import local_date
from core.todo import TodoItem, start_of_day
from drills import roles
from drills.evaluation_models import OPEN_ACTION, CorrectiveAction
from drills.labels import ACTION_STATUS_LABELS, phase_label


def role_items(user, now: dt.datetime) -> list[TodoItem]:
    """Drills in which ``user`` has a role still to confirm (the drill's status read by time)."""
    items = []
    for drill, rows in roles.roles_to_confirm(user.employee_id, now):
        items.append(
            TodoItem(
                "drills.roles",
                drill.starts_at,
                drill.title,
                phase_label(drill, now),
                roles.role_page(drill),
                _l("Confirm my role"),
                tone="info",
                when_label=_l("Starts"),
                detail=str(_l("Your role: %(roles)s", roles=roles.role_names(rows)))
                + (f" · {drill.place}" if drill.place else ""),
            )
        )
    return items


def action_items(user, now: dt.datetime) -> list[TodoItem]:
    """Open corrective actions ``user`` owns, by due date (overdue ones marked)."""
    today = local_date(now)
    actions = db.session.scalars(
        select(CorrectiveAction)
        .where(CorrectiveAction.owner_id == user.employee_id, CorrectiveAction.status.in_(OPEN_ACTION))
        .order_by(CorrectiveAction.due_date, CorrectiveAction.id)
    ).all()
    items = []
    for action in actions:
        overdue = action.is_overdue(today)
        items.append(
            TodoItem(
                "drills.actions",
                start_of_day(action.due_date) if action.due_date else now,
                action.description[:80],
                _l("Overdue") if overdue else ACTION_STATUS_LABELS[action.status],
                f"/drills/actions/{action.id}",
                _l("Update the action"),
                tone="danger" if overdue else "warning",
                timed=False,
                when_label=_l("Due"),
            )
        )
    return items
