"""The unit readiness dashboard (单位培训就绪度): each measure's current value and trend for a unit and its
sub-departments, coloured by configurable thresholds; the people of a unit; the composite ranking of teams.

A trend is 4 half years or 8 quarters, each computed from the records with that period's dates
(``reports.measures``). Thresholds and team weights live in one ``ReportSettings`` row (defaults below).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from accounts.models import Department, DepartmentKind, Employee, User
from core.extensions import db
from reports.access import employee_scope
from reports.measures import MEASURES, Measure
from reports.models import ReportSettings
from reports.periods import HALF, QUARTER, ReportPeriod, recent

TREND_LENGTH = {HALF: 4, QUARTER: 8}
DEFAULT_THRESHOLDS = {
    "certified": {"green": 95, "amber": 85},
    "hours": {"green": 100, "amber": 80},
    "exams": {"green": 90, "amber": 75},
    "drills": {"green": 100, "amber": 50},
    "points": {"green": None, "amber": None},
}
DEFAULT_TEAM_WEIGHTS = {"certified": 30, "hours": 30, "exams": 25, "points": 15}
ONE_PLACE = Decimal("0.1")


def settings() -> ReportSettings:
    """The settings row (made with the defaults when there is none yet)."""
    row = db.session.scalar(select(ReportSettings).limit(1))
    if row is None:
        row = ReportSettings(thresholds=DEFAULT_THRESHOLDS, team_weights=DEFAULT_TEAM_WEIGHTS)
        db.session.add(row)
        db.session.flush()
    return row


def thresholds(row: ReportSettings | None = None) -> dict:
    stored = (row or settings()).thresholds or {}
    return {
        key: {**DEFAULT_THRESHOLDS.get(key, {}), **stored.get(key, {})}
        for key in {*DEFAULT_THRESHOLDS, *stored}
    }


def team_weights(row: ReportSettings | None = None) -> dict[str, int]:
    return dict((row or settings()).team_weights or DEFAULT_TEAM_WEIGHTS)


@dataclass
class Value:
    numerator: Decimal
    denominator: Decimal
    kind: str
    colour: str = ""

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        if self.kind == "percent":
            return (self.numerator * 100 / self.denominator).quantize(ONE_PLACE, ROUND_HALF_UP)
        return (self.numerator / self.denominator).quantize(ONE_PLACE, ROUND_HALF_UP)


def colour_of(value: Decimal | None, limits: dict) -> str:
    """green at or above the green threshold, amber at or above amber, red below; '' without a threshold."""
    if value is None or limits.get("green") is None:
        return ""
    if value >= Decimal(str(limits["green"])):
        return "green"
    if limits.get("amber") is not None and value >= Decimal(str(limits["amber"])):
        return "amber"
    return "red"


@dataclass
class Row:
    department: Department | None
    employee: Employee | None
    values: dict[str, list[Value]] = field(default_factory=dict)  # measure key → one per period

    def current(self, key: str) -> Value:
        return self.values[key][-1]


@dataclass
class Dashboard:
    unit: Department
    kind: str
    periods: list[ReportPeriod]
    measures: list[Measure]
    rows: list[Row]  # the unit first, then its sub-departments
    thresholds: dict
    teams: list[tuple[Row, Decimal]] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)


def _subtree(unit: Department) -> list[Department]:
    return list(
        db.session.scalars(
            select(Department).where(Department.path.startswith(unit.path)).order_by(Department.path)
        )
    )


def _scope(user: User, unit: Department):
    members = select(Department.id).where(Department.path.startswith(unit.path))
    return employee_scope(user) & Employee.department_id.in_(members)


def _values(data, measure: Measure, periods, ids, limits) -> list[Value]:
    out = []
    for period in periods:
        counts = data.get(period.token, {})
        num = sum((counts[i][0] for i in ids if i in counts), Decimal(0))
        den = sum((counts[i][1] for i in ids if i in counts), Decimal(0))
        value = Value(num, den, measure.kind)
        value.colour = colour_of(value.value, limits.get(measure.key, {}))
        out.append(value)
    return out


def build_dashboard(user: User, unit: Department, kind: str, now: dt.datetime) -> Dashboard:
    """The dashboard of ``unit`` (its row, then one per sub-department) over the recent periods of ``kind``."""
    kind = kind if kind in TREND_LENGTH else HALF
    periods = recent(kind, now, TREND_LENGTH[kind])
    scope = _scope(user, unit)
    data = {m.key: m.compute(periods, Employee.department_id, scope, now) for m in MEASURES}
    subtree = _subtree(unit)
    stored = settings()
    limits = thresholds(stored)
    nodes = [unit] + [d for d in subtree if d.parent_id == unit.id]
    rows = []
    for node in nodes:
        ids = [d.id for d in subtree if d.path.startswith(node.path)]
        row = Row(node, None)
        for m in MEASURES:
            row.values[m.key] = _values(data[m.key], m, periods, ids, limits)
        rows.append(row)
    board = Dashboard(unit, kind, periods, list(MEASURES), rows, limits)
    board.weights = team_weights(stored)
    teams = []
    for team in (d for d in subtree if d.kind == DepartmentKind.TEAM):
        ids = [d.id for d in subtree if d.path.startswith(team.path)]
        row = Row(team, None)
        for m in MEASURES:
            row.values[m.key] = _values(data[m.key], m, periods[-1:], ids, limits)
        teams.append(row)
    board.teams = rank_teams(teams, board.weights)
    return board


def rank_teams(teams: list[Row], weights: dict[str, int]) -> list[tuple[Row, Decimal]]:
    """班组 composite score, best first: Σ weight × measure score / Σ weight of the measures the team has a
    value for. A percent measure scores its value (at most 100); a per-head measure scores its value as a
    percent of the best team's."""
    best = {}
    for key in weights:
        values = [t.current(key).value for t in teams if key in t.values and t.current(key).value is not None]
        best[key] = max(values, default=None)
    scored = []
    for team in teams:
        total, weight_sum = Decimal(0), Decimal(0)
        for key, weight in weights.items():
            if not weight or key not in team.values:
                continue
            cell = team.current(key)
            if cell.value is None:
                continue
            if cell.kind == "percent":
                score = min(cell.value, Decimal(100))
            else:
                score = cell.value * 100 / best[key] if best[key] else Decimal(0)
            total += Decimal(weight) * score
            weight_sum += Decimal(weight)
        scored.append(
            (team, (total / weight_sum).quantize(ONE_PLACE, ROUND_HALF_UP) if weight_sum else Decimal(0))
        )
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].department.code))


def people_rows(user: User, unit: Department, period: ReportPeriod, now: dt.datetime) -> list[Row]:
    """Each person on post in ``unit``'s subtree with every measure for ``period`` (the drill-down's end)."""
    scope = _scope(user, unit)
    limits = thresholds()
    people = db.session.scalars(
        select(Employee).where(scope, Employee.status == "active").order_by(Employee.employee_no)
    ).all()
    data = {m.key: m.compute([period], Employee.id, scope, now) for m in MEASURES}
    rows = []
    for person in people:
        row = Row(person.department, person)
        for m in MEASURES:
            row.values[m.key] = _values(data[m.key], m, [period], [person.id], limits)
        rows.append(row)
    return rows
