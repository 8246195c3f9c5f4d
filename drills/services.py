"""Drills: planning and the lifecycle planned → approved → conducted → evaluating → reported → improving →
closed (or cancelled). Who may see and run a drill: ``drills.access``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from accounts.models import Department, Employee, User
from core import signals
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import site_language
from core.notifications import notify
from drills import roles
from drills.errors import DrillError, DrillStateError
from drills.evaluation_models import (
    ActionStatus,
    CorrectiveAction,
    EvaluationSheet,
    EvaluationTemplate,
    Finding,
    FindingKind,
    FormKind,
    Severity,
)
from drills.labels import PARTICIPANT_ROLE_LABELS, STATUS_LABELS
from drills.models import (
    PASSING_TIERS,
    ContentType,
    Drill,
    DrillInject,
    DrillParticipant,
    DrillStatus,
    EmergencyPlan,
    ParticipantRole,
    PlanVersion,
)
from drills.plans import open_plan_revision
from drills.settings import Settings, get_settings

# ---------------------------------------------------------------- planning


def default_template() -> EvaluationTemplate | None:
    return db.session.scalar(
        select(EvaluationTemplate).where(EvaluationTemplate.active).order_by(EvaluationTemplate.id)
    )


def validate_drill_fields(
    *, starts_at: dt.datetime, ends_at: dt.datetime, content_types, plan: EmergencyPlan, incident_type: str
) -> None:
    if ends_at <= starts_at:
        raise DrillError(_("The drill must end after it starts."))
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise DrillError(_("A drill lasts at most 24 hours."))
    if not content_types:
        raise DrillError(_("Choose at least one content type."))
    if set(content_types) - {c.value for c in ContentType}:
        raise DrillError(_("Unknown content type."))
    if plan.incident_type != incident_type:
        raise DrillError(_("The incident type must match the plan's."))


def plan_drill(
    *,
    unit: Department,
    plan: EmergencyPlan,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    content_types,
    form: str,
    scope: str,
    purpose: str,
    level: int = 3,
    place: str = "",
    director: Employee | None = None,
    objectives: str = "",
    scenario: str = "",
    resources: str = "",
    created_by: User | None = None,
    now: dt.datetime,
) -> Drill:
    """Plan a drill for a unit (status planned)."""
    validate_drill_fields(
        starts_at=starts_at,
        ends_at=ends_at,
        content_types=content_types,
        plan=plan,
        incident_type=plan.incident_type,
    )
    drill = Drill(
        unit=unit,
        plan=plan,
        title=title,
        incident_type=plan.incident_type,
        level=level,
        form=form,
        scope=scope,
        purpose=purpose,
        content_types=sorted(content_types),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        director=director,
        objectives=objectives,
        scenario=scenario,
        resources=resources,
        template_id=(default_template().id if default_template() else None),
        created_by_id=created_by.id if created_by else None,
        created_at=now,
    )
    db.session.add(drill)
    db.session.flush()
    return drill


def repeats_previous_type(drill: Drill) -> Drill | None:
    """R2 while planning: the unit's previous drill (counted, or not yet evaluated) when it has the same
    incident type as ``drill``; such a drill would not satisfy R2."""
    previous = db.session.scalar(
        select(Drill)
        .where(
            Drill.unit_id == drill.unit_id,
            Drill.id != drill.id,
            Drill.starts_at < drill.starts_at,
            Drill.status != DrillStatus.CANCELLED,
            or_(Drill.tier.is_(None), Drill.tier.in_(PASSING_TIERS)),
        )
        .order_by(Drill.starts_at.desc())
        .limit(1)
    )
    return previous if previous is not None and previous.incident_type == drill.incident_type else None


def report_due_date(held_on: dt.date, settings: Settings | None = None) -> dt.date:
    """R4: the day by which the evaluation report of a drill held on ``held_on`` (local date) is due."""
    return held_on + dt.timedelta(days=(settings or get_settings()).report_due_days)


def ensure_editable(drill: Drill) -> None:
    if drill.status not in (DrillStatus.PLANNED, DrillStatus.APPROVED):
        raise DrillStateError(_("A drill can only be changed before it is conducted."))


def add_participant(drill: Drill, employee: Employee, role: str) -> DrillParticipant:
    """Add someone to the drill in a role (总指挥, 导调, 评估员, 参演, 观摩)."""
    if drill.status not in (DrillStatus.PLANNED, DrillStatus.APPROVED):
        raise DrillError(_("Participants can only be changed before the drill is conducted."))
    if role not in {r.value for r in ParticipantRole}:
        raise DrillError(_("Unknown participant role."))
    if any(p.employee_id == employee.id and p.role == role for p in drill.participants):
        raise DrillError(_("%(name)s already takes part in this role.", name=employee.name))
    participant = DrillParticipant(employee=employee, role=role)
    drill.participants.append(participant)
    if role == ParticipantRole.EVALUATOR and drill.lead_evaluator_id is None:
        drill.lead_evaluator = employee
    db.session.flush()
    if drill.status == DrillStatus.APPROVED:
        roles.notify_roles(drill, [participant])
    return participant


def remove_participant(drill: Drill, participant: DrillParticipant) -> None:
    if drill.status not in (DrillStatus.PLANNED, DrillStatus.APPROVED):
        raise DrillError(_("Participants can only be changed before the drill is conducted."))
    if participant.role == ParticipantRole.EVALUATOR and drill.lead_evaluator_id == participant.employee_id:
        drill.lead_evaluator_id = None
    drill.participants.remove(participant)
    db.session.flush()


def set_lead_evaluator(drill: Drill, employee: Employee) -> None:
    """The lead evaluator settles disagreements; they must be one of the drill's evaluators."""
    if employee.id not in evaluator_ids(drill):
        raise DrillError(_("The lead evaluator must be one of the drill's evaluators."))
    if drill.status in (DrillStatus.REPORTED, DrillStatus.IMPROVING, DrillStatus.CLOSED):
        raise DrillError(_("The evaluation is finished."))
    drill.lead_evaluator = employee
    db.session.flush()


def add_inject(
    drill: Drill, offset_minutes: int, event: str, expected_action: str, responsible_role: str
) -> DrillInject:
    """Add a step to the scenario timeline."""
    ensure_editable(drill)
    if offset_minutes < 0:
        raise DrillError(_("An inject cannot come before the drill starts."))
    if not event.strip():
        raise DrillError(_("Describe the inject's event."))
    inject = DrillInject(
        offset_minutes=offset_minutes,
        event=event.strip(),
        expected_action=expected_action.strip(),
        responsible_role=responsible_role.strip(),
    )
    drill.injects.append(inject)
    db.session.flush()
    return inject


def evaluator_ids(drill: Drill) -> set[int]:
    return {p.employee_id for p in drill.participants if p.role == ParticipantRole.EVALUATOR}


def _people(drill: Drill) -> list[User]:
    employees = {p.employee for p in drill.participants}
    if drill.director is not None:
        employees.add(drill.director)
    return [e.user for e in employees if e.user is not None]


# ---------------------------------------------------------------- lifecycle


def _require(drill: Drill, *statuses: str) -> None:
    if drill.status not in statuses:
        raise DrillStateError(
            _("Not possible while the drill is %(status)s.", status=STATUS_LABELS[drill.status])
        )


def approval_problems(drill: Drill) -> list[str]:
    """What still blocks approval (shown on the drill page)."""
    problems = []
    if drill.director_id is None:
        problems.append(_("Name the drill director."))
    if not any(p.role == ParticipantRole.EVALUATOR for p in drill.participants):
        problems.append(_("Add at least one evaluator."))
    if not any(p.role == ParticipantRole.PLAYER for p in drill.participants):
        problems.append(_("Add the participants who play."))
    if not drill.injects:
        problems.append(_("Write the scenario timeline (at least one inject)."))
    if drill.template_id is None:
        problems.append(_("No evaluation template is set."))
    return problems


def approve(drill: Drill, actor: User, now: dt.datetime) -> None:
    """planned → approved; participants are told."""
    _require(drill, DrillStatus.PLANNED)
    problems = approval_problems(drill)
    if problems:
        raise DrillError(" ".join(problems))
    drill.status = DrillStatus.APPROVED
    drill.approved_at = now
    db.session.flush()
    roles.notify_roles(drill, list(drill.participants), now)
    director = drill.director.user if drill.director is not None else None
    if director is not None and not roles.my_roles(drill, drill.director):
        notify(
            [director],
            kind="drill.approved",
            title=_l("Drill scheduled: %(title)s", title=drill.title),
            body=_l("You direct this emergency drill. Check the date, place and participants."),
            link=f"/drills/{drill.id}",
            now=now,
            key=f"drill:{drill.id}",
        )


def record_conducted(drill: Drill, attended_ids: set[int], now: dt.datetime) -> None:
    """approved → conducted: attendance is recorded and each attending participant earns the drill's
    hours (signal ``drill_participated``)."""
    _require(drill, DrillStatus.APPROVED)
    if now < drill.starts_at:
        raise DrillError(_("The drill has not started yet."))
    if not attended_ids & {p.id for p in drill.participants}:
        raise DrillError(_("Mark who attended."))
    drill.status = DrillStatus.CONDUCTED
    drill.conducted_at = now
    for p in drill.participants:
        p.attended = p.id in attended_ids
    db.session.flush()
    credited: set[int] = set()
    for p in drill.participants:
        if p.attended and p.employee_id not in credited:
            credited.add(p.employee_id)
            with site_language():  # the role is stored in words (training hours): the site's language
                role = str(PARTICIPANT_ROLE_LABELS.get(p.role, p.role))
            signals.drill_participated.send(
                p,
                employee=p.employee,
                drill=drill,
                role=role,
                hours=drill.hours,
                source_key=f"drill:{drill.id}:employee:{p.employee_id}",
                now=now,
            )


def start_evaluation(drill: Drill, now: dt.datetime) -> None:
    """conducted → evaluating: each evaluator who attended gets an empty form; evaluators rate alone."""
    _require(drill, DrillStatus.CONDUCTED)
    evaluators = [p for p in drill.participants if p.role == ParticipantRole.EVALUATOR and p.attended]
    if not evaluators:
        raise DrillError(_("No evaluator attended the drill."))
    existing = set(
        db.session.scalars(
            select(EvaluationSheet.evaluator_id).where(
                EvaluationSheet.drill_id == drill.id, EvaluationSheet.kind == FormKind.EVALUATOR
            )
        )
    )
    for p in evaluators:
        if p.employee_id not in existing:
            db.session.add(EvaluationSheet(drill=drill, evaluator=p.employee, kind=FormKind.EVALUATOR))
            existing.add(p.employee_id)
    if drill.lead_evaluator_id not in existing:
        drill.lead_evaluator_id = evaluators[0].employee_id
    drill.status = DrillStatus.EVALUATING
    db.session.flush()
    notify(
        [p.employee.user for p in evaluators if p.employee.user],
        kind="drill.evaluate",
        title=_l("Please evaluate the drill %(title)s", title=drill.title),
        body=_l("Rate each criterion on your own; your form is locked when you submit it."),
        link=f"/drills/{drill.id}/evaluate",
        now=now,
    )


def start_improvement(drill: Drill, now: dt.datetime) -> None:
    """reported → improving: every 不足项 and 整改项 must have an action with an owner and a due date."""
    _require(drill, DrillStatus.REPORTED)
    problems = missing_actions(drill)
    if problems:
        raise DrillError(
            _(
                "Assign an owner and a due date to every deficiency and corrective item first: %(items)s.",
                items="; ".join(problems),
            )
        )
    drill.status = DrillStatus.IMPROVING
    db.session.flush()


def missing_actions(drill: Drill) -> list[str]:
    """Titles of 不足项/整改项 findings without an action that has both an owner and a due date."""
    missing = []
    for finding in findings_of(drill):
        if finding.kind != FindingKind.IMPROVEMENT or finding.severity not in (
            Severity.DEFICIENCY,
            Severity.CORRECTIVE,
        ):
            continue
        live = [a for a in finding.actions if a.status != ActionStatus.REJECTED]
        if not live or any(a.owner_id is None or a.due_date is None for a in live):
            missing.append(finding.title)
    return missing


def findings_of(drill: Drill) -> list[Finding]:
    return list(db.session.scalars(select(Finding).where(Finding.drill_id == drill.id).order_by(Finding.id)))


def close_problems(drill: Drill) -> list[str]:
    """What still blocks closing the drill."""
    problems = []
    missing = missing_actions(drill)
    if missing:
        problems.append(
            _("These findings lack an owner and a due date: %(items)s.", items="; ".join(missing))
        )
    if drill.plan_decision is None:
        problems.append(_("Record the plan-revision decision."))
    open_deficiencies = db.session.scalars(
        select(Finding.title)
        .join(CorrectiveAction)
        .where(
            Finding.drill_id == drill.id,
            Finding.severity == Severity.DEFICIENCY,
            CorrectiveAction.status.not_in([ActionStatus.CLOSED, ActionStatus.REJECTED]),
        )
    ).all()
    if open_deficiencies:
        problems.append(
            _(
                "Close the corrective actions of every deficiency first: %(items)s.",
                items="; ".join(sorted(set(open_deficiencies))),
            )
        )
    return problems


def close(drill: Drill, now: dt.datetime) -> None:
    """improving → closed. 整改项 actions may stay open (they run to the unit's next drill); the actions
    of every 不足项 must be closed."""
    _require(drill, DrillStatus.IMPROVING)
    problems = close_problems(drill)
    if problems:
        raise DrillError(" ".join(problems))
    drill.status = DrillStatus.CLOSED
    drill.closed_at = now
    db.session.flush()


def cancel(drill: Drill, reason: str, now: dt.datetime) -> None:
    """Cancel a drill that has not been conducted; a reason is required."""
    _require(drill, DrillStatus.PLANNED, DrillStatus.APPROVED)
    if not reason.strip():
        raise DrillError(_("Give a reason for cancelling."))
    was_approved = drill.status == DrillStatus.APPROVED
    drill.status = DrillStatus.CANCELLED
    drill.status_reason = reason.strip()
    if was_approved:
        notify(
            _people(drill),
            kind="drill.cancelled",
            title=_l("Drill cancelled: %(title)s", title=drill.title),
            body=reason.strip(),
            link=f"/drills/{drill.id}",
            now=now,
        )
    db.session.flush()


def save_report_texts(
    drill: Drill, summary: str | None, lessons: str | None, suggestions: str | None
) -> None:
    """The evaluation report's summary, lessons and suggestions, written while the drill is evaluated."""
    if drill.status not in (DrillStatus.EVALUATING, DrillStatus.REPORTED, DrillStatus.IMPROVING):
        raise DrillStateError(_("The report texts are written during the evaluation."))
    drill.summary, drill.lessons, drill.suggestions = summary or "", lessons or "", suggestions or ""
    db.session.flush()


def record_plan_decision(drill: Drill, decision: str, note: str, now: dt.datetime) -> PlanVersion | None:
    """Record whether the plan is revised after this drill (guide 6.1: plans revised after each drill's
    evaluation). ``revise`` opens a draft version of the plan; a 不足项 against 预案 forces ``revise``."""
    if drill.status not in (DrillStatus.REPORTED, DrillStatus.IMPROVING):
        raise DrillError(_("The plan-revision decision is recorded once the report is issued."))
    if decision not in ("revise", "no_change"):
        raise DrillError(_("Unknown decision."))
    plan_deficiency = any(
        f.severity == Severity.DEFICIENCY and f.element == "plan" for f in findings_of(drill)
    )
    if decision == "no_change" and plan_deficiency:
        raise DrillError(_("A deficiency against the plan requires a plan revision."))
    if not note.strip():
        raise DrillError(_("Explain the decision."))
    drill.plan_decision = decision
    drill.plan_decision_note = note.strip()
    version = None
    if decision == "revise":
        version = open_plan_revision(
            drill.plan,
            drill=drill,
            note=_("After drill %(title)s: %(note)s", title=drill.title, note=note.strip()),
            now=now,
        )
    db.session.flush()
    return version
