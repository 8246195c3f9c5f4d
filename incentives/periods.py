"""Periods (month, quarter, year) in Asia/Shanghai calendar terms, and their UTC bounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.i18n import gettext as _
from core.timeutil import local_date, local_midnight_utc
from incentives.models import PeriodKind


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first day
    end: dt.date  # first day after

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight_utc(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        return local_midnight_utc(self.end)

    @property
    def index(self) -> int:
        """Month 1-12, quarter 1-4, or 1 for a year."""
        if self.kind == PeriodKind.MONTH:
            return self.start.month
        if self.kind == PeriodKind.QUARTER:
            return (self.start.month - 1) // 3 + 1
        return 1

    @property
    def token(self) -> str:
        """A URL-friendly name: ``2026-07``, ``2026-Q3``, ``2026``."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{self.index}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(year)d-%(month)02d", year=self.start.year, month=self.start.month)
        if self.kind == PeriodKind.QUARTER:
            return _quarter_label(self.start.year, self.index)
        return _("Year %(year)d", year=self.start.year)

    @property
    def label_zh(self) -> str:
        """The Chinese name printed on certificates (a Chinese document whatever the UI language)."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.start.year}年度"

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - dt.timedelta(days=1))


def _quarter_label(year: int, quarter: int) -> str:
    """A quarter as people say it: 2026年第三季度."""
    if quarter == 1:
        return _("first quarter of %(year)d", year=year)
    if quarter == 2:
        return _("second quarter of %(year)d", year=year)
    if quarter == 3:
        return _("third quarter of %(year)d", year=year)
    return _("fourth quarter of %(year)d", year=year)


def period_choices(now: dt.datetime) -> list[Period]:
    """The periods a selection may be opened for: this year and the two before, the last eight quarters
    and the last twelve months, newest first within each kind."""
    return (
        recent_periods(PeriodKind.QUARTER, now, 8)
        + recent_periods(PeriodKind.MONTH, now, 12)
        + recent_periods(PeriodKind.YEAR, now, 3)
    )


def period_of(kind: str, year: int, index: int = 1) -> Period:
    """The month ``index`` (1-12), quarter ``index`` (1-4) or the year ``year``."""
    if kind == PeriodKind.MONTH:
        if not 1 <= index <= 12:
            raise ValueError("month out of range")
        start = dt.date(year, index, 1)
        end = dt.date(year + (index == 12), index % 12 + 1, 1)
    elif kind == PeriodKind.QUARTER:
        if not 1 <= index <= 4:
            raise ValueError("quarter out of range")
        start = dt.date(year, 3 * index - 2, 1)
        end = dt.date(year + (index == 4), (3 * index) % 12 + 1, 1)
    elif kind == PeriodKind.YEAR:
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    elif kind == PeriodKind.DAY:
        start = dt.date(year, 1, 1) + dt.timedelta(days=index - 1)
        end = start + dt.timedelta(days=1)
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    return Period(kind, start, end)


def period_containing(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that contains the local date ``day``."""
    if kind == PeriodKind.MONTH:
        return period_of(kind, day.year, day.month)
    if kind == PeriodKind.QUARTER:
        return period_of(kind, day.year, (day.month - 1) // 3 + 1)
    if kind == PeriodKind.DAY:
        return period_of(kind, day.year, day.timetuple().tm_yday)
    return period_of(PeriodKind.YEAR, day.year)


def period_at(kind: str, moment: dt.datetime) -> Period:
    """The period of ``kind`` in which the UTC instant ``moment`` falls (Asia/Shanghai calendar)."""
    return period_containing(kind, local_date(moment))


def parse_period(token: str | None, kind: str | None, now: dt.datetime) -> Period:
    """A period from its token (``2026-07``, ``2026-Q3``, ``2026``); the current one when absent or bad."""
    kind = kind if kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR) else PeriodKind.QUARTER
    token = (token or "").strip()
    try:
        if kind == PeriodKind.MONTH and len(token) == 7 and token[4] == "-":
            return period_of(kind, int(token[:4]), int(token[5:]))
        if kind == PeriodKind.QUARTER and len(token) == 7 and token[4:6] == "-Q":
            return period_of(kind, int(token[:4]), int(token[6]))
        if kind == PeriodKind.YEAR and len(token) == 4:
            return period_of(kind, int(token))
    except ValueError:
        pass
    return period_at(kind, now)


def recent_periods(kind: str, now: dt.datetime, count: int = 8) -> list[Period]:
    """The current period of ``kind`` and the ``count - 1`` before it, newest first."""
    periods = [period_at(kind, now)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods
