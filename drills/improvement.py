"""Findings and corrective actions: severities suggested from the ratings, escalation of 整改项 to 不足项,
plan revisions opened by a 不足项 against the plan (预案), default due dates, the action status workflow
and the reminders.

Escalation (AQ/T 9009 practice as the working model reads it): a 整改项 becomes a 不足项 when the drill
has two or more 整改项 in the same criterion group, or when the same criterion (same code) was a 整改项
at the unit's previous drill.

Default due dates: 不足项 30 days (setting ``deficiency_due_days``); 整改项 the day before the unit's next
planned drill, or when none is planned the last day of the next half year (by when the next drill must
have happened); 改进项 the last day of the next half year.

Reminders to owners and their managers: ``drills/reminders.py``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from accounts.models import Employee
from core import signals
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from core.timeutil import LOCAL_TZ
from drills.assessment import consolidated, forms_of, template_groups
from drills.errors import DrillError, DrillStateError
from drills.evaluation import LEVEL_RANK, group_applies, suggest_severity
from drills.evaluation_models import (
    ActionEvent,
    ActionStatus,
    CorrectiveAction,
    Element,
    Finding,
    FindingKind,
    FormKind,
    FormStatus,
    Level,
    Severity,
)
from drills.halfyear import HalfYear
from drills.models import Drill, DrillStatus
from drills.plans import open_plan_revision
from drills.services import findings_of
from drills.settings import get_settings

# The element a criterion group's finding most often concerns (the trainer can change it).
GROUP_ELEMENTS = {
    "A": Element.ORGANISATION,
    "B": Element.MECHANISM,
    "C": Element.PLAN,
    "D": Element.MECHANISM,
    "E": Element.ORGANISATION,
    "F": Element.PEOPLE,
    "G": Element.SUPPORT,
    "H": Element.PLAN,
}


def _editable(drill: Drill) -> None:
    if drill.status not in (DrillStatus.EVALUATING, DrillStatus.REPORTED, DrillStatus.IMPROVING):
        raise DrillStateError(_("Findings are recorded while the drill is evaluated and improved."))


def draft_findings(drill: Drill, now: dt.datetime) -> list[Finding]:
    """Draft findings from the consolidated ratings: an area for improvement for each criterion rated
    S, M or U (severity suggested), a strength for each group performed without challenges, and the
    strengths evaluators wrote. Existing findings are kept; nothing is duplicated."""
    _editable(drill)
    existing = findings_of(drill)
    known_criteria = {f.criterion_id for f in existing if f.criterion_id}
    known_titles = {f.title for f in existing}
    views = consolidated(drill)
    created = _improvement_findings(drill, views, known_criteria, now)
    created += _group_strengths(drill, views, known_titles, now)
    created += _evaluator_strengths(drill, known_titles, now)
    for finding in created:
        db.session.add(finding)
    db.session.flush()
    apply_escalations(drill, now)
    return created


def _improvement_findings(drill: Drill, views, known_criteria: set, now: dt.datetime) -> list[Finding]:
    """An area for improvement for each criterion whose final rating suggests a severity."""
    created = []
    for view in views:
        suggested = suggest_severity(view.final, view.criterion.critical)
        if suggested is None or view.criterion.id in known_criteria:
            continue
        comments = "；".join(dict.fromkeys(c for _e, lv, c in view.ratings if c and lv == view.final))
        created.append(
            Finding(
                drill=drill,
                kind=FindingKind.IMPROVEMENT,
                severity=suggested,
                suggested_severity=suggested,
                element=GROUP_ELEMENTS.get(view.criterion.group.code, Element.ORGANISATION),
                criterion_id=view.criterion.id,
                group_code=view.criterion.group.code,
                criterion_code=view.criterion.code,
                title=f"{view.criterion.code} {view.criterion.text}"[:300],
                description=comments,
                recommendation=view.criterion.standard,
                created_at=now,
            )
        )
    return created


def _group_strengths(drill: Drill, views, known_titles: set, now: dt.datetime) -> list[Finding]:
    """A strength for each applicable group whose rated criteria were all performed without challenges."""
    by_group: dict[int, list] = {}
    for view in views:
        by_group.setdefault(view.criterion.group_id, []).append(view)
    created = []
    for group in template_groups(drill):
        rated = [v for v in by_group.get(group.id, []) if v.final in LEVEL_RANK]
        if not (
            group_applies(group, drill.content_types) and rated and all(v.final == Level.P for v in rated)
        ):
            continue
        title = _(
            "%(code)s %(name)s: every criterion performed without challenges",
            code=group.code,
            name=group.name,
        )
        if title not in known_titles:
            created.append(
                Finding(
                    drill=drill,
                    kind=FindingKind.STRENGTH,
                    element=GROUP_ELEMENTS.get(group.code, Element.ORGANISATION),
                    group_code=group.code,
                    title=title[:300],
                    created_at=now,
                )
            )
    return created


def _evaluator_strengths(drill: Drill, known_titles: set, now: dt.datetime) -> list[Finding]:
    """A strength for each line the evaluators wrote under strengths on their submitted sheets."""
    created = []
    for sheet in forms_of(drill, FormKind.EVALUATOR):
        if sheet.status != FormStatus.SUBMITTED or not sheet.strengths.strip():
            continue
        for line in sheet.strengths.splitlines():
            line = line.strip(" -·•\t")
            if line and line[:300] not in known_titles:
                known_titles.add(line[:300])
                created.append(
                    Finding(
                        drill=drill,
                        kind=FindingKind.STRENGTH,
                        element=Element.ORGANISATION,
                        title=line[:300],
                        description=_("Noted by %(name)s", name=sheet.evaluator.name),
                        created_at=now,
                    )
                )
    return created


def add_finding(
    drill: Drill,
    *,
    kind: str,
    severity: str | None,
    element: str,
    title: str,
    description: str = "",
    recommendation: str = "",
    now: dt.datetime,
) -> Finding:
    """Record a finding by hand."""
    _editable(drill)
    if not title.strip():
        raise DrillError(_("Give the finding a title."))
    if kind not in (FindingKind.STRENGTH, FindingKind.IMPROVEMENT):
        raise DrillError(_("Unknown finding kind."))
    if element not in {e.value for e in Element}:
        raise DrillError(_("Unknown element."))
    if kind == FindingKind.IMPROVEMENT and severity not in {s.value for s in Severity}:
        raise DrillError(_("Choose the severity of an area for improvement."))
    finding = Finding(
        drill=drill,
        kind=kind,
        severity=severity if kind == FindingKind.IMPROVEMENT else None,
        element=element,
        title=title.strip()[:300],
        description=description.strip(),
        recommendation=recommendation.strip(),
        created_at=now,
    )
    db.session.add(finding)
    db.session.flush()
    apply_escalations(drill, now)
    return finding


def set_severity(finding: Finding, severity: str, element: str, now: dt.datetime) -> None:
    """The trainer's decision on a finding's severity and element (the suggestion stays on record)."""
    _editable(finding.drill)
    if finding.kind != FindingKind.IMPROVEMENT or severity not in {s.value for s in Severity}:
        raise DrillError(_("Choose the severity of an area for improvement."))
    if element not in {e.value for e in Element}:
        raise DrillError(_("Unknown element."))
    finding.severity, finding.element = severity, element
    if severity != Severity.DEFICIENCY:
        finding.escalation_reason = ""
    db.session.flush()
    apply_escalations(finding.drill, now)


def delete_finding(finding: Finding) -> None:
    """Delete a finding recorded by mistake: only one without actions, of a drill not yet reported."""
    if finding.actions or finding.drill.reported_at is not None:
        raise DrillStateError(_("A finding with actions, or of a reported drill, cannot be deleted."))
    db.session.delete(finding)
    db.session.flush()


def previous_drill(drill: Drill) -> Drill | None:
    """The unit's drill before this one (conducted, not cancelled)."""
    return db.session.scalar(
        select(Drill)
        .where(
            Drill.unit_id == drill.unit_id,
            Drill.starts_at < drill.starts_at,
            Drill.id != drill.id,
            Drill.conducted_at.is_not(None),
            Drill.status != DrillStatus.CANCELLED,
        )
        .order_by(Drill.starts_at.desc())
        .limit(1)
    )


def apply_escalations(drill: Drill, now: dt.datetime) -> list[Finding]:
    """Turn 整改项 into 不足项 where the rules say so; then open plan revisions for 不足项 against 预案."""
    findings = [f for f in findings_of(drill) if f.kind == FindingKind.IMPROVEMENT]
    escalated = []
    by_group: dict[str, list[Finding]] = {}
    for f in findings:
        if f.severity == Severity.CORRECTIVE and f.group_code:
            by_group.setdefault(f.group_code, []).append(f)
    for code, group in by_group.items():
        if len(group) >= 2:
            for f in group:
                f.severity = Severity.DEFICIENCY
                f.escalation_reason = _(
                    "Two or more corrective items in group %(code)s of one drill.", code=code
                )
                escalated.append(f)
    before = previous_drill(drill)
    if before is not None:
        earlier = {
            f.criterion_code
            for f in findings_of(before)
            if f.criterion_code
            and (f.severity == Severity.CORRECTIVE or f.suggested_severity == Severity.CORRECTIVE)
        }
        for f in findings:
            if f.severity == Severity.CORRECTIVE and f.criterion_code in earlier:
                f.severity = Severity.DEFICIENCY
                f.escalation_reason = _(
                    "The same corrective item (%(code)s) recurred from the unit's previous drill.",
                    code=f.criterion_code,
                )
                escalated.append(f)
    db.session.flush()
    sync_plan_revisions(drill, now)
    return escalated


def sync_plan_revisions(drill: Drill, now: dt.datetime) -> None:
    """A 不足项 against the plan (预案) opens a plan revision and records the decision to revise."""
    for f in findings_of(drill):
        if f.severity == Severity.DEFICIENCY and f.element == Element.PLAN and f.plan_version_id is None:
            version = open_plan_revision(
                drill.plan,
                drill=drill,
                note=_("Deficiency from drill %(drill)s: %(title)s", drill=drill.title, title=f.title),
                now=now,
            )
            f.plan_version_id = version.id
            if drill.plan_decision is None:
                drill.plan_decision = "revise"
                drill.plan_decision_note = _(
                    "A deficiency against the plan opened revision v%(n)d.", n=version.number
                )
    db.session.flush()


# ---------------------------------------------------------------- corrective actions


def default_due_date(finding: Finding, today: dt.date) -> dt.date:
    """The due date an action gets unless the trainer sets another (see the module docstring)."""
    settings = get_settings()
    if finding.severity == Severity.DEFICIENCY:
        return today + dt.timedelta(days=settings.deficiency_due_days)
    next_half_end = HalfYear.of_date(today).shift(1).last_day
    if finding.severity == Severity.CORRECTIVE:
        following = db.session.scalar(
            select(Drill.starts_at)
            .where(
                Drill.unit_id == finding.drill.unit_id,
                Drill.starts_at > finding.drill.starts_at,
                Drill.id != finding.drill_id,
                Drill.status != DrillStatus.CANCELLED,
            )
            .order_by(Drill.starts_at)
            .limit(1)
        )
        if following is not None:
            day = following.astimezone(LOCAL_TZ).date() - dt.timedelta(days=1)
            if day > today:
                return day
    return next_half_end


def assign_action(
    finding: Finding,
    *,
    owner: Employee,
    description: str,
    due_date: dt.date | None,
    actor: Employee | None,
    now: dt.datetime,
) -> CorrectiveAction:
    """Give a finding a corrective action with an owner and a due date (default per severity)."""
    if finding.kind != FindingKind.IMPROVEMENT:
        raise DrillError(_("A strength needs no corrective action."))
    if finding.drill.status not in (DrillStatus.EVALUATING, DrillStatus.REPORTED, DrillStatus.IMPROVING):
        raise DrillError(_("Actions are assigned once the drill is evaluated and until it closes."))
    if not description.strip():
        raise DrillError(_("Describe the corrective action."))
    today = now.astimezone(LOCAL_TZ).date()
    due = due_date or default_due_date(finding, today)
    if due < today:
        raise DrillError(_("The due date cannot be in the past."))
    action = CorrectiveAction(
        finding=finding,
        owner=owner,
        unit_id=finding.drill.unit_id,
        description=description.strip(),
        due_date=due,
        created_at=now,
    )
    action.events.append(
        ActionEvent(
            from_status=None,
            to_status=ActionStatus.ASSIGNED,
            by_id=actor.id if actor else None,
            at=now,
            details={"due_date": due.isoformat(), "owner": owner.employee_no},
        )
    )
    db.session.add(action)
    db.session.flush()
    if owner.user is not None:
        notify(
            [owner.user],
            kind="drill.action_assigned",
            title=_l("Corrective action assigned to you"),
            body=_l("%(what)s — due %(due)s", what=action.description, due=due.isoformat()),
            link=f"/drills/actions/{action.id}",
            now=now,
        )
    return action


# Who may move an action: the owner works on it; the drill's managers verify, return, defer, reject, close.
OWNER_MOVES = {
    ActionStatus.ASSIGNED: {ActionStatus.IN_PROGRESS},
    ActionStatus.IN_PROGRESS: {ActionStatus.SUBMITTED},
}
MANAGER_MOVES = {
    ActionStatus.ASSIGNED: {ActionStatus.IN_PROGRESS, ActionStatus.DEFERRED, ActionStatus.REJECTED},
    ActionStatus.IN_PROGRESS: {ActionStatus.SUBMITTED, ActionStatus.DEFERRED, ActionStatus.REJECTED},
    ActionStatus.SUBMITTED: {ActionStatus.VERIFIED, ActionStatus.IN_PROGRESS},
    ActionStatus.VERIFIED: {ActionStatus.CLOSED},
    ActionStatus.DEFERRED: {ActionStatus.IN_PROGRESS},
}
REASON_REQUIRED = {ActionStatus.DEFERRED, ActionStatus.REJECTED}


def fields_needed(action: CorrectiveAction, moves: set[str]) -> dict[str, list[str]]:
    """For each optional field of the action form, the possible steps that need it (empty: not shown)."""
    reason_steps = set(REASON_REQUIRED)
    if action.status == ActionStatus.SUBMITTED:
        reason_steps.add(ActionStatus.IN_PROGRESS)  # sending a submitted action back
    needs = {
        "evidence": {ActionStatus.SUBMITTED},
        "reason": reason_steps,
        "new_due": {ActionStatus.DEFERRED},
    }
    return {name: sorted(steps & moves) for name, steps in needs.items()}


def allowed_moves(action: CorrectiveAction, *, is_owner: bool, is_manager: bool) -> set[str]:
    moves = set()
    if is_owner:
        moves |= OWNER_MOVES.get(action.status, set())
    if is_manager:
        moves |= MANAGER_MOVES.get(action.status, set())
    return moves


def change_status(
    action: CorrectiveAction,
    to: str,
    *,
    actor: Employee,
    is_manager: bool,
    reason: str = "",
    evidence: str | None = None,
    new_due: dt.date | None = None,
    now: dt.datetime,
) -> None:
    """Move an action along assigned → in progress → submitted → verified → closed (or deferred /
    rejected with a reason; a submitted action sent back to in progress needs a reason too)."""
    is_owner = action.owner_id == actor.id
    if to not in allowed_moves(action, is_owner=is_owner, is_manager=is_manager):
        raise DrillError(_("This step is not possible now."))
    reason = reason.strip()
    returning = action.status == ActionStatus.SUBMITTED and to == ActionStatus.IN_PROGRESS
    if (to in REASON_REQUIRED or returning) and not reason:
        raise DrillError(_("Give a reason."))
    details: dict = {}
    if to == ActionStatus.SUBMITTED:
        text = (evidence if evidence is not None else action.evidence).strip()
        if not text:
            raise DrillError(_("Describe the evidence that the action is done."))
        action.evidence = text
    if to == ActionStatus.DEFERRED:
        if new_due is None or (action.due_date and new_due <= action.due_date):
            raise DrillError(_("A deferral needs a new, later due date."))
        details["due_date"] = [action.due_date.isoformat() if action.due_date else None, new_due.isoformat()]
        action.due_date = new_due
        action.due_soon_sent_on = None
        action.overdue_reminders = 0
        action.last_overdue_reminder_on = None
    action.events.append(
        ActionEvent(
            from_status=action.status,
            to_status=to,
            reason=reason,
            by_id=actor.id,
            at=now,
            details=details or None,
        )
    )
    action.status = to
    if to in (ActionStatus.CLOSED, ActionStatus.REJECTED):
        action.closed_at = now
    db.session.flush()
    if to == ActionStatus.CLOSED and action.owner is not None:
        on_time = action.due_date is None or now.astimezone(LOCAL_TZ).date() <= action.due_date
        signals.corrective_action_closed.send(
            action, owner=action.owner, on_time=on_time, source_key=f"drill-action:{action.id}", now=now
        )


def open_actions_of(employee_ids: list[int]) -> dict[int, list[str]]:
    """Corrective actions these people own that are not closed (listed when a roster import takes them
    off post, so someone else can take them over)."""
    rows = db.session.execute(
        select(CorrectiveAction.owner_id, func.count(CorrectiveAction.id))
        .where(
            CorrectiveAction.owner_id.in_(employee_ids),
            CorrectiveAction.status.not_in((ActionStatus.CLOSED, ActionStatus.REJECTED)),
        )
        .group_by(CorrectiveAction.owner_id)
    )
    return {eid: [_("%(n)d open corrective action(s)", n=n)] for eid, n in rows}
