"""The 学时 ledger: hours credited once per source (course completions, drills), and each employee's year
against the position's annual requirement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from accounts.models import Employee
from core.extensions import db
from core.i18n import gettext as _
from core.timeutil import local_date
from training import notices
from training.errors import TrainingError
from training.models import HoursEntry, HoursSource


def credit_hours(
    employee: Employee | int,
    hours: Decimal,
    *,
    source: str,
    source_key: str,
    earned_on: dt.date,
    description: str = "",
) -> HoursEntry | None:
    """Add 学时 to the ledger once per ``source_key`` (a replay credits nothing and returns None); the
    person is told (``training.notices``)."""
    if db.session.scalar(select(HoursEntry.id).where(HoursEntry.source_key == source_key)):
        return None
    hours = Decimal(str(hours))
    if hours < 0:
        raise TrainingError(_("Hours cannot be negative."))
    entry = HoursEntry(
        employee_id=employee if isinstance(employee, int) else employee.id,
        hours=hours,
        source=source,
        source_key=source_key,
        earned_on=earned_on,
        description=description[:300],
    )
    db.session.add(entry)
    db.session.flush()
    notices.hours_credited(entry)
    return entry


def on_drill_participated(sender, *, employee, drill, role, hours, source_key, now, **_extra) -> None:
    """Listener of ``core.signals.drill_participated``: credit the drill's hours once."""
    title = getattr(drill, "title", None) or getattr(drill, "name", None) or str(drill)
    credit_hours(
        employee,
        Decimal(str(hours)),
        source=HoursSource.DRILL,
        source_key=f"drill:{source_key}",
        earned_on=local_date(now),
        description=f"{title} ({role})" if role else str(title),
    )


def hours_in_year(employee: Employee, year: int) -> Decimal:
    """The employee's 学时 credited in ``year`` (calendar year, Asia/Shanghai dates)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(
            HoursEntry.employee_id == employee.id,
            HoursEntry.earned_on >= dt.date(year, 1, 1),
            HoursEntry.earned_on <= dt.date(year, 12, 31),
        )
    )
    return Decimal(str(total)).quantize(Decimal("0.1"))


def hours_summary(employee: Employee, year: int) -> dict:
    """Hours this year against the position's annual requirement (share capped at 100%)."""
    earned = hours_in_year(employee, year)
    required = Decimal(employee.position.annual_training_hours or 0)
    share = (
        Decimal(100)
        if not required
        else min(Decimal(100), (earned * 100 / required).quantize(Decimal("0.1")))
    )
    by_source = dict(
        db.session.execute(
            select(HoursEntry.source, func.sum(HoursEntry.hours))
            .where(
                HoursEntry.employee_id == employee.id,
                HoursEntry.earned_on >= dt.date(year, 1, 1),
                HoursEntry.earned_on <= dt.date(year, 12, 31),
            )
            .group_by(HoursEntry.source)
        ).all()
    )
    return {
        "earned": earned,
        "required": required,
        "share": share,
        "met": earned >= required,
        "by_source": by_source,
    }


def hours_entries(employee: Employee, year: int) -> list[HoursEntry]:
    return list(
        db.session.scalars(
            select(HoursEntry)
            .where(
                HoursEntry.employee_id == employee.id,
                HoursEntry.earned_on >= dt.date(year, 1, 1),
                HoursEntry.earned_on <= dt.date(year, 12, 31),
            )
            .order_by(HoursEntry.earned_on.desc(), HoursEntry.id.desc())
        )
    )
