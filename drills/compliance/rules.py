"""The rules R1–R5 (guide 6.4) with their plain-language explanations, and one board cell checked against
them in pure Python over the preloaded facts."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from core.i18n import gettext as _
from core.i18n import join_list
from core.i18n import lazy_gettext as _l
from core.timeutil import LOCAL_TZ
from drills.compliance.facts import DrillFact, Facts
from drills.halfyear import HalfYear, span_label
from drills.labels import CONTENT_LABELS, INCIDENT_LABELS, STATUS_IN_SENTENCE
from drills.models import STATUS_ORDER, ContentType, DrillScope, DrillStatus
from drills.services import report_due_date
from drills.settings import Settings, get_settings


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
            "Each unit holds at least one comprehensive drill in every half year that is conducted "
            "and rated Pass or better. H1 is 1 Jan – 30 Jun, H2 is 1 Jul – 31 Dec, Beijing time."
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
        _l("The evaluation report of every conducted drill is issued within %(days)d days of the drill."),
    ),
    Rule(
        "R5",
        _l("No overdue deficiency at half-year end"),
        _l(
            "When the half year ends, no deficiency found by a drill may be past its due date and still open."
        ),
    ),
]


def rule_name(code: str, settings: Settings | None = None) -> str:
    """A rule as people read it: its code, then its name (``R3 每半年覆盖四类演练内容``)."""
    rule = next(r for r in RULES if r.code == code)
    settings = settings or get_settings()
    values = {"n": settings.coverage_half_years, "days": settings.report_due_days}
    title = str(rule.title)
    return f"{code} {title % values if '%(' in title else title}"


def rule_names(codes, settings: Settings | None = None) -> str:
    """Several rules by code and name, in code order."""
    return _("; ").join(rule_name(code, settings) for code in sorted(set(codes)))


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


@dataclass(frozen=True)
class Moment:
    """Where a cell's half year stands on the day the board is drawn."""

    half: HalfYear
    today: dt.date

    @property
    def ended(self) -> bool:
        return self.today > self.half.last_day

    @property
    def days_left(self) -> int:
        return (self.half.last_day - self.today).days

    @property
    def unmet(self) -> str:
        """The status of a rule not met yet: a failure once the half year has ended, else pending."""
        return "fail" if self.ended else "pending"


def names(types, labels) -> str:
    """The words for a set of incident or content types, in a stable order."""
    return join_list(labels.get(t, t) for t in sorted(types))


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
    moment = Moment(half, today)
    counted = [d for d in in_half if d.counted]
    lines = [check_full_drill(in_half, counted, moment)]
    lines += check_incident_types(unit_id, counted, facts, settings, moment)
    lines.append(check_content_types(counted, moment))
    lines += check_reports(in_half, today, settings)
    lines.append(check_deficiencies(unit_id, facts, moment))
    state, summary = cell_state(lines, in_half, moment, settings)
    return Cell(unit_id, half, state, summary, lines, in_half)


def check_full_drill(in_half: list[DrillFact], counted: list[DrillFact], moment: Moment) -> CellLine:
    """R1: a counted 综合 drill in the half year."""
    full_counted = [d for d in counted if d.scope == DrillScope.FULL]
    if full_counted:
        d = full_counted[0]
        return CellLine(
            "R1",
            "ok",
            _(
                "%(date)s %(title)s counts (comprehensive, rated Pass or better).",
                date=d.local_day,
                title=d.title,
            ),
        )
    full = [d for d in in_half if d.scope == DrillScope.FULL]
    failed = [d for d in full if d.tier and not d.counted]
    if failed:
        text = _("The comprehensive drill %(title)s was rated Fail.", title=failed[0].title)
    elif full:
        best = max(full, key=lambda d: d.stage)
        text = _(
            "The comprehensive drill %(title)s is not yet evaluated (status: %(status)s).",
            title=best.title,
            status=str(STATUS_IN_SENTENCE.get(best.status, best.status)),
        )
    else:
        text = _("No comprehensive drill planned.")
    return CellLine("R1", moment.unmet, text)


def check_incident_types(
    unit_id: int, counted: list[DrillFact], facts: Facts, settings: Settings, moment: Moment
) -> list[CellLine]:
    """R2: each counted drill differs from the unit's previous counted drill, and the window of
    ``coverage_half_years`` ending with this half year covers every incident type of the unit's plans."""
    lines = []
    half = moment.half
    repeats = [d for d in counted if d.repeats_previous]
    if repeats:
        lines.append(
            CellLine(
                "R2",
                "fail",
                _(
                    "%(title)s repeats the incident type of the previous counted drill (%(type)s).",
                    title=repeats[0].title,
                    type=names({repeats[0].incident_type}, INCIDENT_LABELS),
                ),
            )
        )
    window_start = half.shift(-(settings.coverage_half_years - 1))
    required = facts.plan_types.get(unit_id, set())
    if window_start < _rules_start(settings.rules_start):
        text = _(
            "Coverage window %(span)s starts before the rules apply; not checked.",
            span=span_label(window_start, half),
        )
        return [*lines, CellLine("R2", "na", text)]
    if not required:
        return lines
    covered = set()
    for index in range(window_start.index, half.index + 1):
        covered |= facts.counted_types.get((unit_id, index), set())
    missing = required - covered
    if missing:
        text = _(
            "Not yet covered in %(span)s: %(types)s.",
            span=span_label(window_start, half),
            types=names(missing, INCIDENT_LABELS),
        )
        lines.append(CellLine("R2", moment.unmet, text))
    elif not repeats:
        text = _(
            "All %(n)d incident types covered in %(span)s.",
            n=len(required),
            span=span_label(window_start, half),
        )
        lines.append(CellLine("R2", "ok", text))
    return lines


def check_content_types(counted: list[DrillFact], moment: Moment) -> CellLine:
    """R3: the counted drills of the half year together cover the four content types."""
    types = set()
    for d in counted:
        types.update(d.content_types)
    missing = set(ContentType) - types
    if missing:
        text = _("Content types not yet drilled: %(types)s.", types=names(missing, CONTENT_LABELS))
        return CellLine("R3", moment.unmet, text)
    return CellLine("R3", "ok", _("All four content types drilled."))


def check_reports(in_half: list[DrillFact], today: dt.date, settings: Settings) -> list[CellLine]:
    """R4: every conducted drill's evaluation report issued on time (no line before a drill is conducted)."""
    conducted = STATUS_ORDER.index(DrillStatus.CONDUCTED)
    late = []
    for d in in_half:
        if d.stage < conducted:
            continue
        due = report_due_date(d.local_day, settings)
        issued = d.reported_at.astimezone(LOCAL_TZ).date() if d.reported_at else None
        if (issued and issued > due) or (issued is None and today > due):
            late.append((d, due))
    if late:
        d, due = late[0]
        return [
            CellLine("R4", "fail", _("The report of %(title)s was due on %(due)s.", title=d.title, due=due))
        ]
    if any(d.stage >= conducted for d in in_half):
        return [CellLine("R4", "ok", _("Reports issued on time."))]
    return []


def check_deficiencies(unit_id: int, facts: Facts, moment: Moment) -> CellLine:
    """R5: no 不足项 overdue at half-year end (while the half year runs: none overdue today)."""
    day = moment.half.last_day if moment.ended else moment.today
    overdue = [
        f
        for f in facts.deficiencies.get(unit_id, [])
        if f.due_date is not None and f.due_date < day and (f.closed_on is None or f.closed_on > day)
    ]
    if overdue:
        text = _("Deficiencies overdue: %(n)d, e.g. %(title)s.", n=len(overdue), title=overdue[0].title)
        return CellLine("R5", moment.unmet, text)
    return CellLine("R5", "ok", _("No overdue deficiency."))


def cell_state(
    lines: list[CellLine], in_half: list[DrillFact], moment: Moment, settings: Settings
) -> tuple[str, str]:
    """The cell's colour and one-line summary from its rule lines and the days left."""
    failing = [line for line in lines if line.status == "fail"]
    pending = [line for line in lines if line.status == "pending"]
    days_left = moment.days_left
    if moment.ended:
        if failing:
            return "red", _(
                "Half year ended non-compliant: %(rules)s.",
                rules=rule_names((x.rule for x in failing), settings),
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
                "%(n)d days left: no comprehensive drill rated Pass or better (not evaluated or failed).",
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
            rules=rule_names((x.rule for x in failing + pending), settings),
        )
    return "open", _("Under way, %(n)d days left.", n=days_left)
