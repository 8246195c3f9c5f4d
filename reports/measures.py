"""The readiness measures, each computed from the records by period (the dates in the records), never from
snapshots: a trend over past periods is the same query with other dates. Each measure answers, for a list
of periods, a numerator and a denominator per group (a department id, or an employee id for the people
list); a unit's value is the sum over the departments of its subtree, so one grouped query per measure and
period serves every row of the dashboard.

People count in the department they belong to now and while on post now (as the leaderboards do: the
records keep no history of moves), so a past period's value describes today's staff of the unit.

Another package adds a measure with ``register_measure`` — the hook the knowledge-point mastery measure
(issue 18 §2, built elsewhere from practice data) plugs into: ``compute(periods, group_column, scope, now)``
returns ``{period token: {group id: (numerator, denominator)}}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select

from accounts.models import Employee, EmployeeStatus, Position
from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.timeutil import local_date, local_midnight_utc
from drills.compliance.board import board_units, build_board
from drills.halfyear import HalfYear
from exams.models import Attempt, AttemptStatus
from incentives.models import PointEntry
from reports.periods import ReportPeriod, plan_share
from training.models import HoursEntry, QualificationRecord, certificate_type_positions

Counts = dict[int, tuple[Decimal, Decimal]]


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    kind: str  # "percent": numerator / denominator × 100; "per_head": numerator / denominator
    compute: Callable
    explanation: object = ""


MEASURES: list[Measure] = []


def register_measure(measure: Measure) -> None:
    """Add a measure to the dashboard (kept once per key, in the order added)."""
    if all(m.key != measure.key for m in MEASURES):
        MEASURES.append(measure)


def _on_post(scope):
    return and_(Employee.status == EmployeeStatus.ACTIVE, scope)


def _as_of(period: ReportPeriod, now: dt.datetime) -> dt.date:
    """The day a state measure is read on: the period's last day, or today while the period runs."""
    return min(period.last, local_date(now))


def _bucket(column, periods, *, dates: bool = False):
    """A SQL expression naming the period a row's ``column`` falls in (NULL outside them all), so one
    grouped scan serves every period of a trend."""
    whens = [
        (
            and_(column >= p.first, column <= p.last)
            if dates
            else and_(column >= p.start_utc, column < p.end_utc),
            literal(p.token),
        )
        for p in periods
    ]
    return case(*whens, else_=literal(None))


def _span(column, periods, *, dates: bool = False):
    first, last = min(p.first for p in periods), max(p.last for p in periods)
    if dates:
        return and_(column >= first, column <= last)
    return and_(column >= min(p.start_utc for p in periods), column < max(p.end_utc for p in periods))


def _by_period(rows, periods) -> dict[str, Counts]:
    result: dict[str, Counts] = {p.token: {} for p in periods}
    for group, token, num, den in rows:
        if token in result:
            result[token][group] = (Decimal(num or 0), Decimal(den or 0))
    return result


def certified_rate(periods, group, scope, now) -> dict[str, Counts]:
    """持证率: valid required certificates / required certificates, on each period's last day (or today).
    A record is valid on a day when issued by then, not expired and not revoked by the end of that day.
    One query for every period: per (person, required type) a 0/1 column per period's day, summed per group."""
    link = certificate_type_positions.c
    record = QualificationRecord
    days = [_as_of(p, now) for p in periods]

    def valid_on(day: dt.date):
        return and_(
            record.issued_on <= day,
            or_(record.expires_on.is_(None), record.expires_on >= day),
            or_(
                record.revoked_at.is_(None),
                record.revoked_at >= local_midnight_utc(day + dt.timedelta(days=1)),
            ),
        )

    pairs = (
        select(
            group.label("g"),
            *(func.max(case((valid_on(day), 1), else_=0)).label(f"v{i}") for i, day in enumerate(days)),
        )
        .select_from(Employee)
        .join(certificate_type_positions, link.position_id == Employee.position_id)
        .outerjoin(
            record,
            and_(record.employee_id == Employee.id, record.certificate_type_id == link.certificate_type_id),
        )
        .where(_on_post(scope))
        .group_by(group, Employee.id, link.certificate_type_id)
        .subquery()
    )
    rows = db.session.execute(
        select(pairs.c.g, func.count(), *(func.sum(pairs.c[f"v{i}"]) for i in range(len(days)))).group_by(
            pairs.c.g
        )
    ).all()
    return {
        p.token: {row[0]: (Decimal(row[2 + i] or 0), Decimal(row[1])) for row in rows}
        for i, p in enumerate(periods)
    }


def _headcount(group, scope) -> dict[int, Decimal]:
    rows = db.session.execute(
        select(group, func.count()).select_from(Employee).where(_on_post(scope)).group_by(group)
    )
    return {g: Decimal(n) for g, n in rows}


def hours_share(periods, group, scope, now) -> dict[str, Counts]:
    """学时完成率: hours earned in the period / the posts' yearly hours pro-rated to the period."""
    yearly = dict(
        db.session.execute(
            select(group, func.sum(Position.annual_training_hours))
            .select_from(Employee)
            .join(Position, Position.id == Employee.position_id)
            .where(_on_post(scope))
            .group_by(group)
        ).all()
    )
    bucket = _bucket(HoursEntry.earned_on, periods, dates=True).label("period")
    earned = db.session.execute(
        select(group, bucket, func.sum(HoursEntry.hours))
        .select_from(HoursEntry)
        .join(Employee, Employee.id == HoursEntry.employee_id)
        .where(_on_post(scope), _span(HoursEntry.earned_on, periods, dates=True))
        .group_by(group, bucket)
    ).all()
    got = {(g, token): Decimal(total or 0) for g, token, total in earned}
    return {
        p.token: {
            g: (got.get((g, p.token), Decimal(0)), Decimal(plan or 0) * plan_share(p))
            for g, plan in yearly.items()
        }
        for p in periods
    }


def exam_pass_rate(periods, group, scope, now) -> dict[str, Counts]:
    """考试通过率: of the (person, exam) pairs with a graded attempt in the period, those with a pass."""
    bucket = _bucket(Attempt.submitted_at, periods)
    pairs = (
        select(
            Attempt.employee_id.label("employee_id"),
            bucket.label("period"),
            func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
        )
        .where(Attempt.status == AttemptStatus.GRADED, _span(Attempt.submitted_at, periods))
        .group_by(Attempt.employee_id, Attempt.exam_id, bucket)
        .subquery()
    )
    rows = db.session.execute(
        select(group, pairs.c.period, func.sum(pairs.c.passed), func.count())
        .select_from(pairs)
        .join(Employee, Employee.id == pairs.c.employee_id)
        .where(_on_post(scope))
        .group_by(group, pairs.c.period)
    ).all()
    return _by_period(rows, periods)


def points_per_head(periods, group, scope, now) -> dict[str, Counts]:
    """人均积分: culture points earned in the period / people on post."""
    heads = _headcount(group, scope)
    bucket = _bucket(PointEntry.occurred_at, periods).label("period")
    rows = db.session.execute(
        select(group, bucket, func.sum(PointEntry.points))
        .select_from(PointEntry)
        .join(Employee, Employee.id == PointEntry.employee_id)
        .where(_on_post(scope), _span(PointEntry.occurred_at, periods))
        .group_by(group, bucket)
    ).all()
    got = {(g, token): Decimal(total or 0) for g, token, total in rows}
    return {p.token: {g: (got.get((g, p.token), Decimal(0)), n) for g, n in heads.items()} for p in periods}


def drill_compliance(periods, group, scope, now) -> dict[str, Counts]:
    """演练合规率 (R1–R5): of the drill-holding units, those whose half-year cell is compliant (green) on the
    compliance board; a quarter or month reads its half year. Counted per unit's own department id (people
    lists show no value: drills are held by units)."""
    if group is not Employee.department_id:
        return {p.token: {} for p in periods}
    units = board_units()  # every unit; the dashboard sums only the departments of the unit shown
    halves = sorted({HalfYear.of_date(min(p.last, local_date(now))) for p in periods})
    if not units or not halves:
        return {p.token: {} for p in periods}
    board = build_board(units, halves, now)
    state = {(unit.id, cell.half): cell.state for unit, cells in board.rows for cell in cells}
    result = {}
    for period in periods:
        half = HalfYear.of_date(min(period.last, local_date(now)))
        result[period.token] = {
            unit.id: (Decimal(1 if state.get((unit.id, half)) == "green" else 0), Decimal(1))
            for unit in units
        }
    return result


for _measure in (
    Measure(
        "certified",
        _l("Certified rate"),
        "percent",
        certified_rate,
        _l("Valid required certificates as a share of the certificates the posts require."),
    ),
    Measure(
        "hours",
        _l("Hours against plan"),
        "percent",
        hours_share,
        _l("Training hours earned as a share of the posts' yearly hours, pro-rated to the period."),
    ),
    Measure(
        "exams",
        _l("Exam pass rate"),
        "percent",
        exam_pass_rate,
        _l("Of each person's exams sat in the period, the share passed."),
    ),
    Measure(
        "drills",
        _l("Drill compliance"),
        "percent",
        drill_compliance,
        _l("Share of drill-holding units compliant with rules R1–R5 in the half year."),
    ),
    Measure(
        "points",
        _l("Points per head"),
        "per_head",
        points_per_head,
        _l("Culture points earned in the period per person on post."),
    ),
):
    register_measure(_measure)
