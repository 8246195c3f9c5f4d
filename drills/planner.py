"""The "plan next half year" helper and the compliance notifications.

``propose_half`` proposes, for every unit, drills that satisfy R1–R3 in the given half year, given what
already counted and what is already planned:
- one 综合 drill covering the four content types (R1 and R3), unless a 综合 drill is already planned;
- earlier drills that counted, or are planned but not yet evaluated, are taken as counting;
- its incident type differs from the unit's previous counted drill (R2) and is, first, a type that must
  be covered in this half year to close the R2 coverage window, else the type drilled longest ago;
- one 单项 drill for each further type the coverage window still needs (the window's earlier half years
  being over, these must be drilled in this half year), each different from the one before.
Dates: the first drill on day 75 of the half year at 09:00 (Beijing time), the others 30 days apart.

``notify_compliance`` (``flask drills notify``, daily from cron) tells the responsible people when a
unit's cell turns amber, amber-escalated or red; ``drill_compliance_notices`` remembers the state sent,
so the same state is never notified twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import Department, RoleGrant, User
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.notifications import Notification, notify
from core.timeutil import LOCAL_TZ, local_date
from drills.compliance import Facts, build_board, load_facts, rule_name, unit_plan_types
from drills.halfyear import HalfYear, span_label
from drills.models import (
    ComplianceNotice,
    ContentType,
    Drill,
    DrillFormat,
    DrillPurpose,
    DrillScope,
    DrillStatus,
    EmergencyPlan,
)
from drills.services import plan_drill, report_due_date
from drills.settings import Settings, get_settings


@dataclass
class Proposal:
    unit: Department
    incident_type: str
    scope: str
    content_types: list[str]
    starts_at: dt.datetime
    reason: str


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def propose_half(units: list[Department], half: HalfYear, settings: Settings | None = None) -> list[Proposal]:
    """Drills to plan in ``half`` so that every unit meets R1–R3 (see the module docstring)."""
    settings = settings or get_settings()
    facts = load_facts(units, half.end_utc)
    window_start = half.shift(-(settings.coverage_half_years - 1))
    proposals: list[Proposal] = []
    for unit in units:
        proposals += _unit_proposals(unit, half, window_start, facts, settings)
    return proposals


def _unit_proposals(
    unit: Department, half: HalfYear, window_start: HalfYear, facts: Facts, settings: Settings
) -> list[Proposal]:
    """One unit's proposals: a comprehensive drill unless one is planned, then a single drill for each
    incident type the coverage window still lacks."""
    required = facts.plan_types.get(unit.id, set())
    if not required:
        return []
    history = facts.drills.get(unit.id, [])
    # Drills of earlier half years that counted, or are still to be evaluated (expected to count).
    counted = [d for d in history if (d.counted or d.tier is None) and d.half < half]
    planned = [d for d in history if d.half == half]
    covered = {d.incident_type for d in counted if d.half >= window_start} | {
        d.incident_type for d in planned
    }
    needed = sorted(required - covered)
    previous = counted[-1].incident_type if counted else None
    if planned:
        previous = planned[-1].incident_type
    proposals = []
    day = half.first_day + dt.timedelta(days=75)
    if not any(d.scope == DrillScope.FULL for d in planned):
        chosen = _full_drill_incident(needed, required, previous, counted)
        reason = _(
            "%(r1)s; %(r3)s: one comprehensive drill covering the four content types. %(r2)s: it differs from "
            "the previous drill.",
            r1=rule_name("R1", settings),
            r3=rule_name("R3", settings),
            r2=rule_name("R2", settings),
        )
        if chosen in needed:
            reason += " " + _(
                "Also closes the coverage window %(span)s for this incident type.",
                span=span_label(window_start, half),
            )
        proposals.append(
            Proposal(unit, chosen, DrillScope.FULL, [c.value for c in ContentType], _at(day), reason)
        )
        needed = [t for t in needed if t != chosen]
        previous = chosen
        day += dt.timedelta(days=30)
    for t in needed:
        if t == previous:
            continue
        reason = _(
            "%(rule)s: this incident type must be drilled by the end of %(half)s to cover every plan within "
            "%(span)s.",
            rule=rule_name("R2", settings),
            half=half.label,
            span=span_label(window_start, half),
        )
        types = [ContentType.SIMULATED_EVENT.value, ContentType.RESPONSE.value]
        proposals.append(Proposal(unit, t, DrillScope.SINGLE, types, _at(day), reason))
        previous = t
        day = min(day + dt.timedelta(days=30), half.last_day - dt.timedelta(days=20))
    return proposals


def _full_drill_incident(needed: list[str], required: set[str], previous: str | None, counted) -> str:
    """The incident type of the proposed comprehensive drill: one still needed and different from the
    previous drill if possible, else the type drilled longest ago (never drilled first)."""
    candidates = (
        [t for t in needed if t != previous]
        or [t for t in sorted(required) if t != previous]
        or sorted(required)
    )
    if not any(t in needed for t in candidates):
        last_seen = {
            t: max((d.starts_at for d in counted if d.incident_type == t), default=None) for t in required
        }
        candidates.sort(
            key=lambda t: (last_seen[t] is not None, last_seen[t] or dt.datetime.min.replace(tzinfo=dt.UTC))
        )
    return candidates[0]


def plan_for(unit: Department, incident_type: str) -> EmergencyPlan | None:
    plans = db.session.scalars(
        select(EmergencyPlan)
        .where(EmergencyPlan.active, EmergencyPlan.incident_type == incident_type)
        .order_by(EmergencyPlan.id)
    ).all()
    return next((p for p in plans if incident_type in unit_plan_types(unit, [p])), None)


def create_proposals(proposals: list[Proposal], actor: User | None, now: dt.datetime) -> list[Drill]:
    """Create the proposed drills as planned drills (titles and details to be completed by the trainer)."""
    created = []
    for p in proposals:
        plan = plan_for(p.unit, p.incident_type)
        if plan is None:
            continue
        created.append(
            plan_drill(
                unit=p.unit,
                plan=plan,
                title=f"{p.unit.name} {plan.title}{'综合' if p.scope == DrillScope.FULL else '单项'}演练",
                starts_at=p.starts_at,
                ends_at=p.starts_at + dt.timedelta(hours=3),
                content_types=p.content_types,
                form=DrillFormat.TABLETOP if p.scope == DrillScope.SINGLE else DrillFormat.LIVE,
                scope=p.scope,
                purpose=DrillPurpose.TESTING,
                created_by=actor,
                now=now,
            )
        )
    return created


# ---------------------------------------------------------------- compliance notifications

NOTIFIED_STATES = ("amber", "amber_escalated", "red")
STATE_TITLES = {
    "amber": _l("Drill compliance amber: %(unit)s %(half)s"),
    "amber_escalated": _l("Drill compliance amber, escalated: %(unit)s %(half)s"),
    "red": _l("Drill compliance red: %(unit)s %(half)s"),
}


def responsible_users(unit: Department, half: HalfYear, state: str) -> list[User]:
    """Directors of the unit's drills that half year, the trainers and HR whose scope covers the unit;
    company-wide trainers and HR only when the cell is red."""
    users: dict[int, User] = {}
    for grant in db.session.scalars(select(RoleGrant).where(RoleGrant.role.in_([Role.TRAINER, Role.HR]))):
        if grant.department is None:
            if state != "red":
                continue
        elif not unit.path.startswith(grant.department.path):
            continue
        if grant.user.is_active:
            users[grant.user.id] = grant.user
    directors = db.session.scalars(
        select(Drill).where(
            Drill.unit_id == unit.id, Drill.starts_at >= half.start_utc, Drill.starts_at < half.end_utc
        )
    ).all()
    for d in directors:
        if d.director is not None and d.director.user is not None and d.director.user.is_active:
            users[d.director.user.id] = d.director.user
    return list(users.values())


def notify_compliance(now: dt.datetime) -> int:
    """Notify each unit's responsible people of a new amber / escalated / red state (never twice)."""
    settings = get_settings()
    current = HalfYear.of(now)
    units = list(
        db.session.scalars(
            select(Department).where(Department.kind.in_(list(settings.unit_kinds))).order_by(Department.path)
        )
    )
    board = build_board(units, [current.shift(-1), current], now, settings)
    known = {(n.unit_id, n.half_year): n for n in db.session.scalars(select(ComplianceNotice))}
    today = now.astimezone(LOCAL_TZ).date()
    sent = 0
    for unit, cells in board.rows:
        for cell in cells:
            key = (unit.id, str(cell.half))
            notice = known.get(key)
            if cell.state not in NOTIFIED_STATES:
                continue
            if notice is not None and notice.state == cell.state:
                continue
            recipients = responsible_users(unit, cell.half, cell.state)
            notify(
                recipients,
                kind=f"drill.compliance_{cell.state}",
                title=STATE_TITLES[cell.state] % {"unit": unit.name, "half": cell.half.label},
                body=cell.summary,
                link=f"/drills/compliance?unit={unit.id}",
                now=now,
            )
            if notice is None:
                notice = ComplianceNotice(
                    unit_id=unit.id, half_year=str(cell.half), state=cell.state, notified_on=today
                )
                db.session.add(notice)
                known[key] = notice
            else:
                notice.state, notice.notified_on = cell.state, today
            sent += 1
    db.session.flush()
    return sent


REPORT_REMINDER_DAYS = 3


def send_report_reminders(now: dt.datetime) -> int:
    """R4: tell the director and the lead evaluator when a report is due within three days, and again
    once it is overdue (each at most once per drill: the inbox is checked first)."""
    settings = get_settings()
    today = now.astimezone(LOCAL_TZ).date()
    drills = db.session.scalars(
        select(Drill).where(
            Drill.status.in_([DrillStatus.CONDUCTED, DrillStatus.EVALUATING]), Drill.reported_at.is_(None)
        )
    ).all()
    sent = 0
    for drill in drills:
        due = report_due_date(local_date(drill.starts_at), settings)
        if today > due:
            kind, title = "drill.report_overdue", _l("Evaluation report overdue since %(due)s: %(title)s")
        elif (due - today).days <= REPORT_REMINDER_DAYS:
            kind, title = "drill.report_due", _l("Evaluation report due on %(due)s: %(title)s")
        else:
            continue
        link = f"/drills/{drill.id}"
        people = [
            e.user for e in (drill.director, drill.lead_evaluator) if e is not None and e.user is not None
        ]
        already = set(
            db.session.scalars(
                select(Notification.user_id).where(Notification.kind == kind, Notification.link == link)
            )
        )
        recipients = [u for u in dict.fromkeys(people) if u.id not in already]
        if recipients:
            notify(
                recipients,
                kind=kind,
                title=title % {"due": due.isoformat(), "title": drill.title},
                link=link,
                now=now,
            )
            sent += 1
    db.session.flush()
    return sent
