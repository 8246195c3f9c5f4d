"""Report periods in Asia/Shanghai calendar terms: a half year (``2026H2``), a year (``2026``), a quarter
(``2026Q3``), a month (``2026-07``) or any dates (``2026-03-01~2026-05-31``).

A period is a first and a last day (inclusive); ``start_utc`` / ``end_utc`` bound instants (end exclusive).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from core.i18n import gettext as _
from core.timeutil import local_date, local_midnight_utc

HALF, YEAR, QUARTER, MONTH, DATES = "half", "year", "quarter", "month", "dates"
_HALF = re.compile(r"^(\d{4})H([12])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DATES = re.compile(r"^(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})$")
LONGEST_DATES = 366 * 10  # a custom period is at most ten years


@dataclass(frozen=True, order=True)
class ReportPeriod:
    first: dt.date
    last: dt.date
    kind: str

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight_utc(self.first)

    @property
    def end_utc(self) -> dt.datetime:
        """The first instant after the period."""
        return local_midnight_utc(self.last + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def token(self) -> str:
        """The period in a URL: ``2026H2``, ``2026``, ``2026Q3``, ``2026-07``, ``2026-03-01~2026-05-31``."""
        if self.kind == HALF:
            return f"{self.first.year}H{1 if self.first.month == 1 else 2}"
        if self.kind == YEAR:
            return str(self.first.year)
        if self.kind == QUARTER:
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == MONTH:
            return f"{self.first.year}-{self.first.month:02d}"
        return f"{self.first.isoformat()}~{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """The period as people say it, in the reader's language."""
        year = self.first.year
        if self.kind == HALF:
            if self.first.month == 1:
                return _("first half of %(year)d", year=year)
            return _("second half of %(year)d", year=year)
        if self.kind == YEAR:
            return _("year %(year)d", year=year)
        if self.kind == QUARTER:
            return _("%(year)d, quarter %(q)d", year=year, q=(self.first.month - 1) // 3 + 1)
        if self.kind == MONTH:
            return _("%(year)d-%(month)02d", year=year, month=self.first.month)
        return _("%(first)s to %(last)s", first=self.first.isoformat(), last=self.last.isoformat())

    @property
    def label_zh(self) -> str:
        """The Chinese name printed on PDFs (a Chinese document whatever the UI language)."""
        year = self.first.year
        if self.kind == HALF:
            return f"{year}年{'上' if self.first.month == 1 else '下'}半年"
        if self.kind == YEAR:
            return f"{year}年度"
        if self.kind == QUARTER:
            return f"{year}年第{'一二三四'[(self.first.month - 1) // 3]}季度"
        if self.kind == MONTH:
            return f"{year}年{self.first.month}月"
        return f"{self.first:%Y年%m月%d日}至{self.last:%Y年%m月%d日}"

    def shift(self, n: int) -> ReportPeriod:
        """The period ``n`` steps later (earlier when negative); only for half years, quarters, months, years."""
        months = {HALF: 6, QUARTER: 3, MONTH: 1, YEAR: 12}[self.kind] * n
        index = self.first.year * 12 + self.first.month - 1 + months
        return period_starting(self.kind, dt.date(index // 12, index % 12 + 1, 1))


def _month_end(year: int, month: int, months: int) -> dt.date:
    index = year * 12 + month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def period_starting(kind: str, first: dt.date) -> ReportPeriod:
    """The half year, quarter, month or year that begins on ``first``."""
    length = {HALF: 6, QUARTER: 3, MONTH: 1, YEAR: 12}[kind]
    return ReportPeriod(first, _month_end(first.year, first.month, length), kind)


def period_containing(kind: str, day: dt.date) -> ReportPeriod:
    """The half year, quarter, month or year that holds ``day``."""
    if kind == YEAR:
        return period_starting(YEAR, dt.date(day.year, 1, 1))
    if kind == HALF:
        return period_starting(HALF, dt.date(day.year, 1 if day.month <= 6 else 7, 1))
    if kind == QUARTER:
        return period_starting(QUARTER, dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
    return period_starting(MONTH, dt.date(day.year, day.month, 1))


def recent(kind: str, now: dt.datetime, count: int) -> list[ReportPeriod]:
    """The ``count`` periods of ``kind`` up to the current one, oldest first (a trend's x axis)."""
    current = period_containing(kind, local_date(now))
    return [current.shift(-i) for i in range(count - 1, -1, -1)]


def parse_period(token: str | None, now: dt.datetime, default_kind: str = HALF) -> ReportPeriod:
    """A period from its token; the current ``default_kind`` period when the token is absent or unreadable."""
    token = (token or "").strip().upper()
    try:
        if match := _HALF.match(token):
            return period_starting(HALF, dt.date(int(match[1]), 1 if match[2] == "1" else 7, 1))
        if match := _QUARTER.match(token):
            return period_starting(QUARTER, dt.date(int(match[1]), int(match[2]) * 3 - 2, 1))
        if match := _MONTH.match(token):
            return period_starting(MONTH, dt.date(int(match[1]), int(match[2]), 1))
        if match := _YEAR.match(token):
            return period_starting(YEAR, dt.date(int(match[1]), 1, 1))
        if match := _DATES.match(token):
            return dates_period(dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2]))
    except ValueError:
        pass
    return period_containing(default_kind, local_date(now))


def dates_period(first: dt.date, last: dt.date) -> ReportPeriod:
    """A period of any dates; swapped when given backwards, cut to ten years."""
    if last < first:
        first, last = last, first
    if (last - first).days > LONGEST_DATES:
        first = last - dt.timedelta(days=LONGEST_DATES)
    return ReportPeriod(first, last, DATES)


def plan_share(period: ReportPeriod) -> Decimal:
    """The share of a year's planned training hours that falls in ``period`` (a half year is half of it,
    a quarter a quarter, a month a twelfth, any dates their share of 365 days)."""
    if period.kind == DATES:
        return Decimal(period.days) / 365
    return {YEAR: Decimal(1), HALF: Decimal("0.5"), QUARTER: Decimal("0.25"), MONTH: Decimal(1) / 12}[
        period.kind
    ]


def choices(now: dt.datetime) -> list[ReportPeriod]:
    """The periods offered in a sheet's chooser: the last four half years and the last three years."""
    return list(reversed(recent(HALF, now, 4))) + list(reversed(recent(YEAR, now, 3)))
