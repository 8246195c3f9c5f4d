"""Time zones: store UTC, show Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.models import utcnow

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

__all__ = ["LOCAL_TZ", "local_date", "local_to_utc", "to_local", "utcnow", "local_midnight_utc"]


def to_local(value: dt.datetime) -> dt.datetime:
    """An aware datetime in Asia/Shanghai."""
    return value.astimezone(LOCAL_TZ)


def local_date(value: dt.datetime) -> dt.date:
    """The calendar date in Asia/Shanghai of an aware datetime."""
    return to_local(value).date()


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """The UTC instant at which ``day`` begins in Asia/Shanghai."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def local_to_utc(value: dt.datetime | dt.date, at: dt.time | None = None) -> dt.datetime:
    """The UTC instant of a wall-clock time in Asia/Shanghai: a naive datetime (what a form's datetime field
    gives), or a date and a time of day."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, at or dt.time(0))
    return value.replace(tzinfo=LOCAL_TZ).astimezone(dt.UTC)
