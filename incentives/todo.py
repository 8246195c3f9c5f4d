"""Points on an employee's to-do list (``core.todo``): their appeals HR has answered in the last
``ANSWERED_DAYS`` days, to read the decision (an upheld appeal reversed the entry; a dismissed one left
it standing)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.todo import TodoItem
from incentives.models import Appeal, AppealStatus

ANSWERED_DAYS = 14

APPEAL_OUTCOMES = {
    AppealStatus.UPHELD: (_l("Appeal upheld"), "success"),
    AppealStatus.DISMISSED: (_l("Appeal dismissed"), "secondary"),
}


def appeal_items(user, now: dt.datetime) -> list[TodoItem]:
    """``user``'s appeals answered in the last two weeks, by the answer's date."""
    appeals = db.session.scalars(
        select(Appeal)
        .where(
            Appeal.employee_id == user.employee_id,
            Appeal.status != AppealStatus.OPEN,
            Appeal.resolved_at >= now - dt.timedelta(days=ANSWERED_DAYS),
        )
        .order_by(Appeal.resolved_at)
    ).all()
    items = []
    for appeal in appeals:
        status, tone = APPEAL_OUTCOMES[appeal.status]
        items.append(
            TodoItem(
                "incentives.appeals",
                appeal.resolved_at,
                str(_l("My appeal: %(what)s", what=appeal.entry.source_label)),
                status,
                f"/incentives/appeals/{appeal.id}",
                _l("Read the decision"),
                tone=tone,
                when_label=_l("Answered"),
            )
        )
    return items
