"""The half-yearly drill rules R1–R5 in one place: thresholds (configurable), plain-language explanations,
and the compliance board (unit × half year → green / amber / red, each cell explaining itself).

Configuration: ``drills/settings.py`` (the ``drill_settings`` row, page 演练规则与设置; defaults in
``DEFAULTS``): ``amber_days`` 60, ``escalation_days`` 30, ``red_days`` 10 (days before the half year's last day),
``report_due_days`` 15, ``coverage_half_years`` 4 (R2's window), ``tier_excellent`` 90, ``tier_good`` 80,
``tier_pass`` 70, ``deficiency_due_days`` 30, ``reminder_days_before`` 7, ``rules_start`` (the first half
year the rules apply to; R2's coverage window is only checked once it lies wholly after it) and
``unit_kinds`` (which department kinds are units on the board).

What counts (guide 6.4): a drill counts in the half year of its date (Asia/Shanghai) only when conducted
and evaluated 合格 or better (its result is final with tier 优秀/良好/合格).

Cell states: ``future`` (the half year has not begun), ``open`` (under way, nothing due yet), ``green``
(every rule met), ``amber`` (≤ 60 days left and no approved 综合 drill, or a rule still unmet inside that
window), ``amber_escalated`` (≤ 30 days left and the 综合 drill not conducted), ``red`` (≤ 10 days left and
no 综合 drill evaluated 合格, or the half year ended non-compliant).

Speed: ``build_board`` runs three set-based queries (drills, 不足项 with their actions, plans) and then
evaluates every cell in pure Python over the preloaded rows; see bench/bench_drill_compliance.py.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import get_translations
from flask_babel import gettext as _babel_gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Department
from core.extensions import db
from core.timeutil import LOCAL_TZ
from drills.evaluation_models import ActionStatus, CorrectiveAction, Finding, Severity
from drills.halfyear import HalfYear, half_years
from drills.models import (
    INCIDENT_LABELS,
    PASSING_TIERS,
    STATUS_ORDER,
    ContentType,
    Drill,
    DrillScope,
    DrillStatus,
    EmergencyPlan,
)
from drills.settings import Settings, get_settings

# The board formats thousands of messages: it looks the catalogue up once per board (``translating``)
# instead of once per message, which is what flask_babel.gettext does.
_catalogue: contextvars.ContextVar = contextvars.ContextVar("drills_catalogue", default=None)


def _(msgid: str, **params) -> str:
    """gettext through the catalogue resolved by ``translating``, else Flask-Babel's."""
    catalogue = _catalogue.get()
    if catalogue is None:
        return _babel_gettext(msgid, **params)
    text = catalogue["tr"].gettext(msgid)
    return text % params if params else text


@contextlib.contextmanager
def translating():
    """Resolve the current locale's catalogue and the label texts once for many messages."""
    token = _catalogue.set(
        {
            "tr": get_translations(),
            "incident": {k: str(v) for k, v in INCIDENT_LABELS.items()},
            "content": {k: str(v) for k, v in CONTENT_LABELS.items()},
        }
    )
    try:
        yield
    finally:
        _catalogue.reset(token)


@dataclass(frozen=True)
class Rule:
    code: str
    title: object
    explanation: object


# The rules, each with the plain-language explanation shown on the board and the settings page.
RULES = [
    Rule(
        "R1",
        _l("One full drill every half year"),
        _l(
            "Each unit holds at least one comprehensive (综合) drill in every half year that is conducted "
            "and evaluated 合格 or better. H1 is 1 Jan – 30 Jun, H2 is 1 Jul – 31 Dec, Beijing time."
        ),
    ),
    Rule(
        "R2",
        _l("A different incident each time, every plan covered"),
        _l(
            "A drill's incident type must differ from the unit's previous counted drill, and over any "
            "%(n)d consecutive half years the unit's counted drills must cover every incident type of the "
            "plans that apply to it."
        ),
    ),
    Rule(
        "R3",
        _l("All four content types each half year"),
        _l(
            "Together, a unit's counted drills in a half year must cover the four content types: "
            "simulated event, emergency response, customer communication and materials dispatch."
        ),
    ),
    Rule(
        "R4",
        _l("Evaluation report within %(days)d days"),
        _l(
            "The evaluation report (演练评估报告) of every conducted drill is issued within %(days)d days of the drill."
        ),
    ),
    Rule(
        "R5",
        _l("No overdue 不足项 at half-year end"),
        _l(
            "When the half year ends, no deficiency (不足项) found by a drill may be past its due date and still open."
        ),
    ),
]


def rule_texts(settings: Settings) -> list[tuple[str, str, str]]:
    """(code, title, explanation) of each rule with the configured numbers filled in."""
    values = {"n": settings.coverage_half_years, "days": settings.report_due_days}
    return [
        (
            r.code,
            str(r.title) % values if "%(" in str(r.title) else str(r.title),
            str(r.explanation) % values if "%(" in str(r.explanation) else str(r.explanation),
        )
        for r in RULES
    ]


# ---------------------------------------------------------------- preloaded facts


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
    drills: dict[int, list[DrillFact]] = defaultdict(list)
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
        .where(Drill.unit_id.in_(ids), Drill.starts_at < until, Drill.status != DrillStatus.CANCELLED)
        .order_by(Drill.starts_at, Drill.id)
    )
    last_counted: dict[int, str] = {}
    by_half: dict[tuple[int, int], list[DrillFact]] = defaultdict(list)
    counted_types: dict[tuple[int, int], set[str]] = defaultdict(set)
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
        drills[r.unit_id].append(fact)
        by_half[(r.unit_id, index)].append(fact)
        if counted:
            counted_types[(r.unit_id, index)].add(r.incident_type)
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
        .where(Drill.unit_id.in_(ids), Finding.severity == Severity.DEFICIENCY)
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
    deficiency_facts: dict[int, list[DeficiencyFact]] = defaultdict(list)
    for unit_id, entries in deficiencies.items():
        for finding_id, e in entries.items():
            deficiency_facts[unit_id].append(
                DeficiencyFact(finding_id, unit_id, e["title"], e["due"], None if e["open"] else e["closed"])
            )
    plans = list(db.session.scalars(select(EmergencyPlan).where(EmergencyPlan.active)))
    plan_types = {u.id: unit_plan_types(u, plans) for u in units}
    return Facts(drills, deficiency_facts, plan_types, by_half, counted_types)


# ---------------------------------------------------------------- cell evaluation (pure)


@dataclass
class CellLine:
    rule: str
    status: str  # ok / fail / pending / na
    text: str


@dataclass
class Cell:
    unit_id: int
    half: HalfYear
    state: str
    summary: str
    lines: list[CellLine] = field(default_factory=list)
    drills: list[DrillFact] = field(default_factory=list)


STATE_CLASSES = {
    "green": "success",
    "amber": "warning",
    "amber_escalated": "warning",
    "red": "danger",
    "open": "light",
    "future": "light",
}

CONTENT_LABELS = {
    ContentType.SIMULATED_EVENT: _l("Simulated event"),
    ContentType.RESPONSE: _l("Emergency response"),
    ContentType.CUSTOMER_COMMS: _l("Customer communication"),
    ContentType.MATERIALS: _l("Materials dispatch"),
}


def _names(types, labels) -> str:
    catalogue = _catalogue.get()
    if catalogue is not None:
        labels = catalogue["incident"] if labels is INCIDENT_LABELS else catalogue["content"]
    return "、".join(str(labels.get(t, t)) for t in sorted(types))


def report_due(fact: DrillFact, settings: Settings) -> dt.date:
    """R4: the day by which the drill's evaluation report must be issued."""
    return fact.local_day + dt.timedelta(days=settings.report_due_days)


@functools.lru_cache(maxsize=16)
def _rules_start(text: str) -> HalfYear:
    return HalfYear.parse(text)


def evaluate_cell(unit_id: int, half: HalfYear, facts: Facts, today: dt.date, settings: Settings) -> Cell:
    """One board cell: every rule checked for ``unit_id`` in ``half`` as of ``today`` (local date)."""
    in_half = facts.by_half.get((unit_id, half.index), [])
    if today < half.first_day:
        planned = ", ".join(f"{d.local_day:%m-%d} {d.title}" for d in in_half)
        text = (
            _("Not begun. Planned: %(drills)s", drills=planned)
            if planned
            else _("Not begun; no drill planned yet.")
        )
        return Cell(unit_id, half, "future", text, [], in_half)
    ended = today > half.last_day
    days_left = (half.last_day - today).days
    counted = [d for d in in_half if d.counted]
    lines: list[CellLine] = []

    # R1: a counted 综合 drill.
    full_counted = [d for d in counted if d.scope == DrillScope.FULL]
    if full_counted:
        d = full_counted[0]
        lines.append(
            CellLine(
                "R1",
                "ok",
                _("%(date)s %(title)s counts (综合, 合格 or better).", date=d.local_day, title=d.title),
            )
        )
    else:
        failed = [d for d in in_half if d.scope == DrillScope.FULL and d.tier and not d.counted]
        if failed:
            text = _("The comprehensive drill %(title)s was evaluated 不合格.", title=failed[0].title)
        elif any(d.scope == DrillScope.FULL for d in in_half):
            best = max((d for d in in_half if d.scope == DrillScope.FULL), key=lambda d: d.stage)
            text = _(
                "The comprehensive drill %(title)s is not yet evaluated (status: %(status)s).",
                title=best.title,
                status=_status_label(best.status),
            )
        else:
            text = _("No comprehensive drill planned.")
        lines.append(CellLine("R1", "fail" if ended else "pending", text))

    # R2a: each counted drill differs from the unit's previous counted drill.
    repeats = [d for d in counted if d.repeats_previous]
    if repeats:
        lines.append(
            CellLine(
                "R2",
                "fail",
                _(
                    "%(title)s repeats the incident type of the previous counted drill (%(type)s).",
                    title=repeats[0].title,
                    type=_names({repeats[0].incident_type}, INCIDENT_LABELS),
                ),
            )
        )
    # R2b: coverage over the window ending with this half year.
    window_start = half.shift(-(settings.coverage_half_years - 1))
    required = facts.plan_types.get(unit_id, set())
    if window_start < _rules_start(settings.rules_start):
        lines.append(
            CellLine(
                "R2",
                "na",
                _(
                    "Coverage window %(a)s–%(b)s starts before the rules apply; not checked.",
                    a=window_start,
                    b=half,
                ),
            )
        )
    elif required:
        covered = set()
        for index in range(window_start.index, half.index + 1):
            covered |= facts.counted_types.get((unit_id, index), set())
        missing = required - covered
        if missing:
            lines.append(
                CellLine(
                    "R2",
                    "fail" if ended else "pending",
                    _(
                        "Not yet covered in %(a)s–%(b)s: %(types)s.",
                        a=window_start,
                        b=half,
                        types=_names(missing, INCIDENT_LABELS),
                    ),
                )
            )
        elif not repeats:
            lines.append(
                CellLine(
                    "R2",
                    "ok",
                    _(
                        "All %(n)d incident types covered in %(a)s–%(b)s.",
                        n=len(required),
                        a=window_start,
                        b=half,
                    ),
                )
            )

    # R3: the four content types together.
    types = set()
    for d in counted:
        types.update(d.content_types)
    missing_types = set(ContentType) - types
    if missing_types:
        lines.append(
            CellLine(
                "R3",
                "fail" if ended else "pending",
                _("Content types not yet drilled: %(types)s.", types=_names(missing_types, CONTENT_LABELS)),
            )
        )
    else:
        lines.append(CellLine("R3", "ok", _("All four content types drilled.")))

    # R4: reports on time.
    late = []
    for d in in_half:
        if d.stage < STATUS_ORDER.index(DrillStatus.CONDUCTED):
            continue
        due = report_due(d, settings)
        issued = d.reported_at.astimezone(LOCAL_TZ).date() if d.reported_at else None
        if (issued and issued > due) or (issued is None and today > due):
            late.append((d, due))
    if late:
        d, due = late[0]
        lines.append(
            CellLine("R4", "fail", _("The report of %(title)s was due on %(due)s.", title=d.title, due=due))
        )
    elif any(d.stage >= STATUS_ORDER.index(DrillStatus.CONDUCTED) for d in in_half):
        lines.append(CellLine("R4", "ok", _("Reports issued on time.")))

    # R5: no 不足项 overdue at half-year end (while the half year runs: none overdue today).
    moment = half.last_day if ended else today
    overdue = [
        f
        for f in facts.deficiencies.get(unit_id, [])
        if f.due_date is not None and f.due_date < moment and (f.closed_on is None or f.closed_on > moment)
    ]
    if overdue:
        lines.append(
            CellLine(
                "R5",
                "fail" if ended else "pending",
                _(
                    "%(n)d deficiency (不足项) overdue, e.g. %(title)s.",
                    n=len(overdue),
                    title=overdue[0].title,
                ),
            )
        )
    else:
        lines.append(CellLine("R5", "ok", _("No overdue deficiency.")))

    state, summary = _state(lines, in_half, ended, days_left, settings)
    return Cell(unit_id, half, state, summary, lines, in_half)


def _status_label(status: str) -> str:
    labels = {
        DrillStatus.PLANNED: _("planned"),
        DrillStatus.APPROVED: _("approved"),
        DrillStatus.CONDUCTED: _("conducted"),
        DrillStatus.EVALUATING: _("evaluating"),
        DrillStatus.REPORTED: _("reported"),
        DrillStatus.IMPROVING: _("improving"),
        DrillStatus.CLOSED: _("closed"),
    }
    return labels.get(status, status)


def _state(lines, in_half, ended, days_left, settings) -> tuple[str, str]:
    failing = [line for line in lines if line.status == "fail"]
    pending = [line for line in lines if line.status == "pending"]
    if ended:
        if failing:
            return "red", _(
                "Half year ended non-compliant (%(rules)s).",
                rules=", ".join(sorted({x.rule for x in failing})),
            )
        return "green", _("Compliant.")
    if not failing and not pending:
        return "green", _("Compliant so far.")
    r1_met = not any(line.rule == "R1" and line.status != "ok" for line in lines)
    full = [d for d in in_half if d.scope == DrillScope.FULL]
    stage = max((d.stage for d in full), default=-1)
    if not r1_met:
        if days_left <= settings.red_days:
            return "red", _(
                "%(n)d days left: no comprehensive drill evaluated 合格 (not evaluated or failed).",
                n=days_left,
            )
        if days_left <= settings.escalation_days and stage < STATUS_ORDER.index(DrillStatus.CONDUCTED):
            return "amber_escalated", _(
                "%(n)d days left and the comprehensive drill is not conducted.", n=days_left
            )
        if days_left <= settings.amber_days and stage < STATUS_ORDER.index(DrillStatus.APPROVED):
            return "amber", _("%(n)d days left and no approved comprehensive drill.", n=days_left)
    if failing or (days_left <= settings.amber_days and pending):
        return "amber", _(
            "%(n)d days left; rules still unmet: %(rules)s.",
            n=days_left,
            rules=", ".join(sorted({x.rule for x in failing + pending})),
        )
    return "open", _("Under way, %(n)d days left.", n=days_left)


# ---------------------------------------------------------------- the board


@dataclass
class Board:
    halves: list[HalfYear]
    rows: list[tuple[Department, list[Cell]]]
    today: dt.date

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = defaultdict(int)
        for _unit, cells in self.rows:
            for cell in cells:
                result[cell.state] += 1
        return dict(result)


def board_units(department_ids_query=None, settings: Settings | None = None) -> list[Department]:
    """The units on the board (departments of the configured kinds), optionally limited to a scope."""
    settings = settings or get_settings()
    query = select(Department).where(Department.kind.in_(list(settings.unit_kinds)))
    if department_ids_query is not None:
        query = query.where(department_ids_query)
    return list(db.session.scalars(query.order_by(Department.path)))


def build_board(
    units: list[Department], halves: list[HalfYear], now: dt.datetime, settings: Settings | None = None
) -> Board:
    """The compliance board for ``units`` × ``halves`` as of ``now``."""
    settings = settings or get_settings()
    today = now.astimezone(LOCAL_TZ).date()
    facts = load_facts(units, max(h.end_utc for h in halves) if halves else now)
    with translating():
        rows = [(u, [evaluate_cell(u.id, h, facts, today, settings) for h in halves]) for u in units]
    return Board(halves, rows, today)


def default_halves(now: dt.datetime, back: int = 3, ahead: int = 1) -> list[HalfYear]:
    """The half years the board shows by default: three back, the current one, one ahead."""
    current = HalfYear.of(now)
    return half_years(current.shift(-back), current.shift(ahead))
