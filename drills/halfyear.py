"""Half years in Asia/Shanghai time: H1 = 1 Jan – 30 Jun, H2 = 1 Jul – 31 Dec (guide 6.1, 6.4)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.i18n import gettext as _
from core.timeutil import LOCAL_TZ, local_midnight_utc

_PATTERN = re.compile(r"^\s*(\d{4})\s*[Hh]\s*([12])\s*$")


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1 or 2

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        """``2026H2`` → HalfYear(2026, 2); ValueError on anything else."""
        match = _PATTERN.match(text or "")
        if not match:
            raise ValueError(f"not a half year: {text!r} (expected e.g. 2026H2)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of_date(cls, day: dt.date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def of(cls, moment: dt.datetime) -> HalfYear:
        """The half year of an aware instant, by its calendar date in Asia/Shanghai."""
        return cls.of_date(moment.astimezone(LOCAL_TZ).date())

    @property
    def index(self) -> int:
        return self.year * 2 + self.half - 1

    @classmethod
    def from_index(cls, index: int) -> HalfYear:
        return cls(index // 2, index % 2 + 1)

    def shift(self, n: int) -> HalfYear:
        return HalfYear.from_index(self.index + n)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight_utc(self.first_day)

    @property
    def end_utc(self) -> dt.datetime:
        """The first instant after the half year (exclusive bound)."""
        return local_midnight_utc(self.last_day + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        """The half year as people say it (2026年下半年); ``str()`` keeps the code for URLs and storage."""
        if self.half == 1:
            return _("first half of %(year)d", year=self.year)
        return _("second half of %(year)d", year=self.year)

    def __str__(self) -> str:
        return f"{self.year}H{self.half}"


def span_label(first: HalfYear, last: HalfYear) -> str:
    """A run of half years as people say it: 2024年下半年至2026年上半年."""
    return _("%(first)s to %(last)s", first=first.label, last=last.label)


def half_year_of(moment: dt.datetime) -> HalfYear:
    """The half year a drill at ``moment`` counts in (Asia/Shanghai calendar)."""
    return HalfYear.of(moment)


def half_years(first: HalfYear, last: HalfYear) -> list[HalfYear]:
    return [HalfYear.from_index(i) for i in range(first.index, last.index + 1)]
