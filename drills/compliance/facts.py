"""The facts the compliance rules read, preloaded for many units in three set-based queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from accounts.models import Department
from core.extensions import db
from core.timeutil import LOCAL_TZ
from drills.evaluation_models import ActionStatus, CorrectiveAction, Finding, Severity
from drills.halfyear import HalfYear
from drills.models import PASSING_TIERS, STATUS_ORDER, Drill, DrillStatus, EmergencyPlan


@dataclass(frozen=True)
class DrillFact:
    id: int
    unit_id: int
    title: str
    incident_type: str
    scope: str
    content_types: tuple
    starts_at: dt.datetime
    status: str
    tier: str | None
    reported_at: dt.datetime | None
    half_index: int
    local_day: dt.date
    repeats_previous: bool = False  # R2: same incident type as the unit's previous counted drill

    @property
    def half(self) -> HalfYear:
        return HalfYear.from_index(self.half_index)

    @property
    def counted(self) -> bool:
        return self.tier in PASSING_TIERS

    @property
    def stage(self) -> int:
        return STATUS_ORDER.index(self.status) if self.status in STATUS_ORDER else -1


@dataclass(frozen=True)
class DeficiencyFact:
    finding_id: int
    unit_id: int
    title: str
    due_date: dt.date | None
    closed_on: dt.date | None  # None while open


@dataclass
class Facts:
    drills: dict[int, list[DrillFact]]  # unit id → its drills in date order
    deficiencies: dict[int, list[DeficiencyFact]]
    plan_types: dict[int, set[str]]
    by_half: dict[tuple[int, int], list[DrillFact]] = field(default_factory=dict)
    counted_types: dict[tuple[int, int], set[str]] = field(default_factory=dict)


def unit_plan_types(unit: Department, plans: list[EmergencyPlan]) -> set[str]:
    """The incident types of the active plans that apply to ``unit`` (R2's "the unit's plans")."""
    types = set()
    for plan in plans:
        if not plan.active:
            continue
        if plan.department is not None and not unit.path.startswith(plan.department.path):
            continue
        if plan.unit_kinds and unit.kind not in plan.unit_kinds:
            continue
        types.add(plan.incident_type)
    return types


def load_facts(units: list[Department], until: dt.datetime) -> Facts:
    """Every fact the rules need for ``units``, in three queries."""
    ids = [u.id for u in units]
    facts = Facts(defaultdict(list), load_deficiency_facts(ids), {}, defaultdict(list), defaultdict(set))
    add_drill_facts(facts, ids, until)
    plans = list(db.session.scalars(select(EmergencyPlan).where(EmergencyPlan.active)))
    facts.plan_types = {u.id: unit_plan_types(u, plans) for u in units}
    return facts


def add_drill_facts(facts: Facts, unit_ids: list[int], until: dt.datetime) -> None:
    """The units' drills before ``until`` (not cancelled), in date order, indexed by unit and half year."""
    rows = db.session.execute(
        select(
            Drill.id,
            Drill.unit_id,
            Drill.title,
            Drill.incident_type,
            Drill.scope,
            Drill.content_types,
            Drill.starts_at,
            Drill.status,
            Drill.tier,
            Drill.reported_at,
        )
        .where(Drill.unit_id.in_(unit_ids), Drill.starts_at < until, Drill.status != DrillStatus.CANCELLED)
        .order_by(Drill.starts_at, Drill.id)
    )
    last_counted: dict[int, str] = {}
    for r in rows:
        local = r.starts_at.astimezone(LOCAL_TZ).date()
        counted = r.tier in PASSING_TIERS
        repeats = counted and last_counted.get(r.unit_id) == r.incident_type
        if counted:
            last_counted[r.unit_id] = r.incident_type
        index = local.year * 2 + (0 if local.month <= 6 else 1)
        fact = DrillFact(
            r.id,
            r.unit_id,
            r.title,
            r.incident_type,
            r.scope,
            tuple(r.content_types or ()),
            r.starts_at,
            r.status,
            r.tier,
            r.reported_at,
            index,
            local,
            repeats,
        )
        facts.drills[r.unit_id].append(fact)
        facts.by_half[(r.unit_id, index)].append(fact)
        if counted:
            facts.counted_types[(r.unit_id, index)].add(r.incident_type)


def load_deficiency_facts(unit_ids: list[int]) -> dict[int, list[DeficiencyFact]]:
    """The units' 不足项, each with its earliest action due date and, once every action is closed or
    rejected, the day the last one closed (a 不足项 without actions is open with no due date)."""
    deficiencies: dict[int, dict[int, dict]] = defaultdict(dict)
    terminal = (ActionStatus.CLOSED, ActionStatus.REJECTED)
    rows = db.session.execute(
        select(
            Finding.id,
            Drill.unit_id,
            Finding.title,
            CorrectiveAction.due_date,
            CorrectiveAction.status,
            CorrectiveAction.closed_at,
        )
        .join(Drill, Drill.id == Finding.drill_id)
        .outerjoin(CorrectiveAction, CorrectiveAction.finding_id == Finding.id)
        .where(Drill.unit_id.in_(unit_ids), Finding.severity == Severity.DEFICIENCY)
    )
    for r in rows:
        entry = deficiencies[r.unit_id].setdefault(
            r.id, {"title": r.title, "due": None, "open": False, "closed": None, "any": False}
        )
        if r.due_date is None and r.status is None:
            entry["open"] = True
            continue
        entry["any"] = True
        if r.due_date is not None and (entry["due"] is None or r.due_date < entry["due"]):
            entry["due"] = r.due_date
        if r.status in terminal:
            closed = r.closed_at.astimezone(LOCAL_TZ).date() if r.closed_at else None
            if closed and (entry["closed"] is None or closed > entry["closed"]):
                entry["closed"] = closed
        else:
            entry["open"] = True
    result: dict[int, list[DeficiencyFact]] = defaultdict(list)
    for unit_id, entries in deficiencies.items():
        for finding_id, e in entries.items():
            result[unit_id].append(
                DeficiencyFact(finding_id, unit_id, e["title"], e["due"], None if e["open"] else e["closed"])
            )
    return result
