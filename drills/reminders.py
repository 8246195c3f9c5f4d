"""Corrective-action reminders (``flask drills notify``, daily).

The owner is reminded once ``reminder_days_before`` (7) days before the due date, then weekly while the
action is overdue; from the second overdue reminder (a week unanswered) the owner's managers get it too.
The owner's MANAGERS are the users holding the trainer or hr role over the owner's department through a
department-scoped grant (the nearest scope wins; company-wide grants only when no scoped grant covers
it), plus the drill's director. Each action remembers what was sent, so running the command twice a day
sends nothing new.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.models import RoleGrant, User
from core.auth import Role
from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from core.timeutil import LOCAL_TZ
from drills.evaluation_models import OPEN_ACTION, CorrectiveAction
from drills.settings import get_settings


def owner_managers(action: CorrectiveAction) -> list[User]:
    """The users to whom an overdue action escalates (see the module docstring)."""
    users: dict[int, User] = {}
    if action.owner is not None:
        dept_path = action.owner.department.path
        grants = db.session.scalars(
            select(RoleGrant).where(RoleGrant.role.in_([Role.TRAINER, Role.HR]))
        ).all()
        scoped = [g for g in grants if g.department is not None and dept_path.startswith(g.department.path)]
        if scoped:
            deepest = max(g.department.depth for g in scoped)
            chosen = [g for g in scoped if g.department.depth == deepest]
        else:
            chosen = [g for g in grants if g.department is None]
        for g in chosen:
            if g.user.is_active and g.user.employee_id != action.owner_id:
                users[g.user.id] = g.user
    director = action.finding.drill.director
    if director is not None and director.user is not None and director.id != action.owner_id:
        users[director.user.id] = director.user
    return list(users.values())


def send_action_reminders(now: dt.datetime) -> dict[str, int]:
    """Daily: due-soon reminders, weekly overdue reminders, escalation to managers (idempotent per day)."""
    settings = get_settings()
    today = now.astimezone(LOCAL_TZ).date()
    counts = {"due_soon": 0, "overdue": 0, "escalated": 0}
    actions = db.session.scalars(
        select(CorrectiveAction).where(
            CorrectiveAction.status.in_(OPEN_ACTION), CorrectiveAction.due_date.is_not(None)
        )
    ).all()
    for action in actions:
        if action.due_date >= today:
            if (
                action.due_date - today
            ).days <= settings.reminder_days_before and action.due_soon_sent_on is None:
                remind_due_soon(action, today, now)
                counts["due_soon"] += 1
            continue
        last = action.last_overdue_reminder_on
        if last is not None and (today - last).days < 7:
            continue
        remind_overdue(action, today, now)
        counts["overdue"] += 1
        if action.overdue_reminders >= 2 and escalate_overdue(action, now):
            counts["escalated"] += 1
    db.session.flush()
    return counts


def _owner_user(action: CorrectiveAction) -> User | None:
    return action.owner.user if action.owner is not None else None


def remind_due_soon(action: CorrectiveAction, today: dt.date, now: dt.datetime) -> None:
    """Tell the owner once that the action falls due soon."""
    action.due_soon_sent_on = today
    owner = _owner_user(action)
    if owner:
        notify(
            [owner],
            kind="drill.action_due",
            title=_l("Corrective action due on %(due)s", due=action.due_date.isoformat()),
            body=action.description,
            link=f"/drills/actions/{action.id}",
            now=now,
        )


def remind_overdue(action: CorrectiveAction, today: dt.date, now: dt.datetime) -> None:
    """Tell the owner (at most weekly) that the action is overdue, and count the reminder."""
    action.overdue_reminders += 1
    action.last_overdue_reminder_on = today
    owner = _owner_user(action)
    if owner:
        notify(
            [owner],
            kind="drill.action_overdue",
            title=_l("Corrective action overdue since %(due)s", due=action.due_date.isoformat()),
            body=action.description,
            link=f"/drills/actions/{action.id}",
            now=now,
        )


def escalate_overdue(action: CorrectiveAction, now: dt.datetime) -> bool:
    """Tell the owner's managers about an action still overdue after two reminders; False when none."""
    managers = owner_managers(action)
    if not managers:
        return False
    notify(
        managers,
        kind="drill.action_escalated",
        title=_l("Overdue corrective action of %(name)s", name=action.owner.name if action.owner else "-"),
        body=_l("%(what)s — due %(due)s", what=action.description, due=action.due_date.isoformat()),
        link=f"/drills/actions/{action.id}",
        now=now,
    )
    return True
