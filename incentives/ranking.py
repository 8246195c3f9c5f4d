"""Leaderboards and the service-star candidate list: points per person in a unit and period, summed in
SQL; tie-breaks and eligibility rules, each with the words shown to users.

A unit is a department subtree (``Department.path`` prefix). People count in the unit they belong to
now (points follow the person, not the team they were in when they earned them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from accounts.models import Department, Employee, EmployeeStatus
from core.extensions import db
from core.i18n import lazy_gettext as _l
from incentives.ledger import ONE_PLACE
from incentives.models import ExamScore, PointEntry, PointRule, RuleCategory
from incentives.periods import Period


@dataclass
class Standing:
    """One person's line on a leaderboard."""

    employee_id: int
    employee_no: str
    name: str
    department: str
    points: Decimal
    rank: int = 0


def leaderboard(unit: Department, period: Period, *, limit: int | None = None) -> list[Standing]:
    """Everyone on post in ``unit`` (hired before the period ended) with their points in ``period``, best
    first, ranked 1, 2, 2, 4…

    The ledger is aggregated first (one pass over the period's slice of the (occurred_at, employee_id,
    points) index, restricted to the unit's people), then joined to the people, so a large unit costs
    one hash aggregate instead of a sort of every line; see docs/incentives.md for the figures.
    """
    members = (
        select(Employee.id)
        .join(Department, Department.id == Employee.department_id)
        .where(Department.path.startswith(unit.path))
    )
    in_period = [PointEntry.occurred_at >= period.start_utc, PointEntry.occurred_at < period.end_utc]
    # A root (the whole company) needs no membership filter: the outer join below keeps only the
    # unit's people anyway, so the filter only saves work for smaller units.
    if unit.parent_id is not None:
        in_period.append(PointEntry.employee_id.in_(members))
    totals = (
        select(PointEntry.employee_id, func.sum(PointEntry.points).label("total"))
        .where(*in_period)
        .group_by(PointEntry.employee_id)
        .subquery()
    )
    total = func.coalesce(totals.c.total, 0)
    query = (
        select(
            Employee.id,
            Employee.employee_no,
            Employee.name,
            Department.name,
            total.label("total"),
            func.rank().over(order_by=total.desc()).label("rank"),
        )
        .join(Department, Department.id == Employee.department_id)
        .outerjoin(totals, totals.c.employee_id == Employee.id)
        .where(
            Department.path.startswith(unit.path),
            Employee.status == EmployeeStatus.ACTIVE,
            # People hired after the period are not ranked in it.
            or_(Employee.hire_date.is_(None), Employee.hire_date < period.end),
        )
        .order_by(total.desc(), Employee.employee_no)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        Standing(row[0], row[1], row[2], row[3], Decimal(row[4]).quantize(ONE_PLACE), int(row[5]))
        for row in db.session.execute(query)
    ]


def standing_of(employee_id: int, board: list[Standing]) -> Standing | None:
    return next((s for s in board if s.employee_id == employee_id), None)


def unit_of(employee: Employee) -> Department:
    """The unit an employee is ranked in: the top-level branch or centre above them (depth 1), or the
    company itself for people directly under it."""
    dept = employee.department
    while dept.parent is not None and dept.depth > 1:
        dept = dept.parent
    return dept


# ---------------------------------------------------------------- candidates for a selection


def complaint_counts(employee_ids: list[int], period: Period) -> dict[int, int]:
    """Valid complaints per person in ``period``: complaint entries that have not been reversed."""
    if not employee_ids:
        return {}
    reversal = aliased(PointEntry)
    rows = db.session.execute(
        select(PointEntry.employee_id, func.count(PointEntry.id))
        .join(PointRule, PointRule.id == PointEntry.rule_id)
        .outerjoin(reversal, reversal.reverses_id == PointEntry.id)
        .where(
            PointRule.category == RuleCategory.COMPLAINT,
            PointEntry.reverses_id.is_(None),
            reversal.id.is_(None),
            PointEntry.employee_id.in_(employee_ids),
            PointEntry.occurred_at >= period.start_utc,
            PointEntry.occurred_at < period.end_utc,
        )
        .group_by(PointEntry.employee_id)
    )
    return {employee_id: count for employee_id, count in rows}


def exam_averages(employee_ids: list[int], period: Period) -> dict[int, Decimal]:
    """Average exam percentage per person over the attempts graded in ``period``."""
    if not employee_ids:
        return {}
    rows = db.session.execute(
        select(ExamScore.employee_id, func.avg(ExamScore.percentage))
        .where(
            ExamScore.employee_id.in_(employee_ids),
            ExamScore.graded_at >= period.start_utc,
            ExamScore.graded_at < period.end_utc,
        )
        .group_by(ExamScore.employee_id)
    )
    return {eid: Decimal(str(avg)).quantize(ONE_PLACE) for eid, avg in rows if avg is not None}


@dataclass
class Candidate:
    standing: Standing
    employee: Employee
    complaints: int = 0
    exam_average: Decimal | None = None
    reasons: list[str] = field(default_factory=list)  # why ineligible; empty: eligible
    position: int = 0  # place after tie-breaks (equal keys share a place)

    @property
    def eligible(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class TieBreak:
    code: str
    label: object
    key: Callable[[Candidate], object]  # smaller sorts first


TIE_BREAKS = {
    "fewest_complaints": TieBreak("fewest_complaints", _l("Fewest complaints"), lambda c: c.complaints),
    "higher_exam_average": TieBreak(
        "higher_exam_average",
        _l("Higher average exam score"),
        lambda c: -(c.exam_average if c.exam_average is not None else Decimal(-1)),
    ),
    "longer_service": TieBreak(
        "longer_service",
        _l("Longer service (earlier hire date)"),
        lambda c: c.employee.hire_date or dt.date.max,
    ),
}


def parse_tie_breaks(value: str) -> list[TieBreak]:
    """The tie-breaks named in a comma-separated setting, in order, unknown names skipped."""
    return [TIE_BREAKS[code] for code in (value or "").split(",") if code.strip() in TIE_BREAKS]


def rank_candidates(candidates: list[Candidate], tie_breaks: list[TieBreak]) -> list[Candidate]:
    """Order by points (high first), then each tie-break in turn; equal keys share a place."""

    def key(c: Candidate):
        return (-c.standing.points, *(tb.key(c) for tb in tie_breaks))

    ordered = sorted(candidates, key=lambda c: (key(c), c.standing.employee_no))
    previous = None
    for index, cand in enumerate(ordered, start=1):
        current = key(cand)
        cand.position = ordered[index - 2].position if current == previous else index
        previous = current
    return ordered
