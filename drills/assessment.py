"""Evaluating a drill: each evaluator's form (locked once submitted, hidden from the other evaluators
until they submit their own), participants' self-assessments (weight 0), the consolidated view with
medians and disagreement flags, the lead evaluator's settlements and issuing the report (the result
becomes final and ``drill_evaluated`` is sent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.models import Employee
from core import signals
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import join_list
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from drills.errors import DrillError, DrillStateError
from drills.evaluation import (
    CriterionView,
    Result,
    compute_result,
    group_applies,
    is_flagged,
    median_level,
)
from drills.evaluation_models import (
    Criterion,
    CriterionGroup,
    EvaluationSheet,
    EvaluationTemplate,
    FindingKind,
    FormKind,
    FormStatus,
    Level,
    Rating,
    Settlement,
)
from drills.models import Drill, DrillStatus, ParticipantRole
from drills.services import evaluator_ids, findings_of
from drills.settings import get_settings

COMMENT_REQUIRED = (Level.M, Level.U)


def template_groups(drill: Drill) -> list[CriterionGroup]:
    template = db.session.get(EvaluationTemplate, drill.template_id) if drill.template_id else None
    return list(template.groups) if template else []


def applicable_criteria(drill: Drill) -> list[Criterion]:
    """The criteria of the groups that apply to the drill's content types, in form order."""
    return [c for g in template_groups(drill) if group_applies(g, drill.content_types) for c in g.criteria]


def forms_of(drill: Drill, kind: str | None = None) -> list[EvaluationSheet]:
    query = select(EvaluationSheet).where(EvaluationSheet.drill_id == drill.id)
    if kind:
        query = query.where(EvaluationSheet.kind == kind)
    return list(db.session.scalars(query.order_by(EvaluationSheet.id)))


def form_for(drill: Drill, employee: Employee, kind: str) -> EvaluationSheet | None:
    return db.session.scalar(
        select(EvaluationSheet).where(
            EvaluationSheet.drill_id == drill.id,
            EvaluationSheet.evaluator_id == employee.id,
            EvaluationSheet.kind == kind,
        )
    )


def self_form(drill: Drill, employee: Employee) -> EvaluationSheet:
    """A participant's self-assessment form (created on first use); only attending players may self-assess."""
    if drill.status != DrillStatus.EVALUATING:
        raise DrillError(_("Self-assessment is open while the drill is being evaluated."))
    if not any(
        p.employee_id == employee.id and p.attended and p.role == ParticipantRole.PLAYER
        for p in drill.participants
    ):
        raise DrillError(_("Only participants who played in the drill can assess themselves."))
    form = form_for(drill, employee, FormKind.SELF)
    if form is None:
        form = EvaluationSheet(drill=drill, evaluator=employee, kind=FormKind.SELF)
        db.session.add(form)
        db.session.flush()
    return form


def save_form(
    form: EvaluationSheet,
    answers: dict[int, tuple[str, str]],
    *,
    strengths: str,
    remarks: str,
    submit: bool,
    now: dt.datetime,
) -> list[str]:
    """Store an evaluator's ratings (criterion id → (level, comment)); ``submit`` locks the form.
    Returns the problems found (nothing is saved when there is any)."""
    drill = form.drill
    if form.status == FormStatus.SUBMITTED:
        raise DrillStateError(_("This form is submitted and locked."))
    if drill.status != DrillStatus.EVALUATING:
        raise DrillStateError(_("The drill is not being evaluated."))
    criteria = {c.id: c for c in applicable_criteria(drill)}
    problems = []
    for cid, (level, comment) in answers.items():
        criterion = criteria.get(cid)
        if criterion is None:
            problems.append(_("Unknown criterion."))
            continue
        if not level:
            continue
        allowed = (Level.P, Level.U, Level.NA) if criterion.checklist else tuple(Level)
        if level not in allowed:
            problems.append(_("%(code)s: choose a valid rating.", code=criterion.code))
        elif level in COMMENT_REQUIRED and not comment.strip():
            problems.append(_("%(code)s: a comment is required for M and U.", code=criterion.code))
    if submit:
        for cid, criterion in criteria.items():
            if not answers.get(cid, ("", ""))[0]:
                problems.append(
                    _("%(code)s: not rated (choose N/A if it does not apply).", code=criterion.code)
                )
    if problems:
        return problems
    existing = {r.criterion_id: r for r in form.ratings}
    for cid, (level, comment) in answers.items():
        if not level:
            if cid in existing:
                form.ratings.remove(existing[cid])
            continue
        rating = existing.get(cid)
        if rating is None:
            form.ratings.append(Rating(criterion_id=cid, level=level, comment=comment.strip()))
        else:
            rating.level, rating.comment = level, comment.strip()
    form.strengths = strengths.strip()
    form.remarks = remarks.strip()
    if submit:
        form.status = FormStatus.SUBMITTED
        form.submitted_at = now
    db.session.flush()
    return []


def may_see_others(drill: Drill, employee_id: int) -> bool:
    """An evaluator sees the other evaluators' forms (and the consolidated view) only after submitting
    their own; people who are not evaluators of the drill are not held back."""
    if employee_id not in evaluator_ids(drill):
        return True
    own = db.session.scalar(
        select(EvaluationSheet.status).where(
            EvaluationSheet.drill_id == drill.id,
            EvaluationSheet.evaluator_id == employee_id,
            EvaluationSheet.kind == FormKind.EVALUATOR,
        )
    )
    return own == FormStatus.SUBMITTED or own is None and drill.status != DrillStatus.EVALUATING


def can_read_form(form: EvaluationSheet, employee_id: int) -> bool:
    return form.evaluator_id == employee_id or may_see_others(form.drill, employee_id)


def consolidated(drill: Drill) -> list[CriterionView]:
    """Per applicable criterion: submitted evaluators' ratings, self-ratings, median, flag, settlement."""
    forms = [f for f in forms_of(drill) if f.status == FormStatus.SUBMITTED]
    by_criterion: dict[int, list] = {}
    self_by: dict[int, list] = {}
    for form in forms:
        target = by_criterion if form.kind == FormKind.EVALUATOR else self_by
        for r in form.ratings:
            target.setdefault(r.criterion_id, []).append((form.evaluator, r.level, r.comment))
    settlements = {
        s.criterion_id: s
        for s in db.session.scalars(select(Settlement).where(Settlement.drill_id == drill.id))
    }
    views = []
    for criterion in applicable_criteria(drill):
        ratings = by_criterion.get(criterion.id, [])
        levels = [lv for _e, lv, _c in ratings]
        views.append(
            CriterionView(
                criterion,
                ratings,
                self_by.get(criterion.id, []),
                median_level(levels),
                is_flagged(levels),
                settlements.get(criterion.id),
            )
        )
    return views


def settle(
    drill: Drill, criterion: Criterion, level: str, note: str, lead: Employee, now: dt.datetime
) -> Settlement:
    """The lead evaluator rules on a flagged criterion, with a note saying why."""
    if drill.status != DrillStatus.EVALUATING:
        raise DrillError(_("The drill is not being evaluated."))
    if drill.lead_evaluator_id != lead.id:
        raise DrillError(_("Only the lead evaluator settles disagreements."))
    if not may_see_others(drill, lead.id):
        raise DrillError(_("Submit your own form before settling."))
    view = next((v for v in consolidated(drill) if v.criterion.id == criterion.id), None)
    if view is None or not view.flagged:
        raise DrillError(_("Only a criterion whose ratings spread two levels or more needs settling."))
    if level not in (Level.P, Level.S, Level.M, Level.U, Level.NA):
        raise DrillError(_("Choose a valid rating."))
    if not note.strip():
        raise DrillError(_("Explain the ruling in a note."))
    settlement = view.settled or Settlement(
        drill_id=drill.id, criterion_id=criterion.id, settled_by_id=lead.id
    )
    settlement.level, settlement.note, settlement.settled_at = level, note.strip(), now
    db.session.add(settlement)
    db.session.flush()
    return settlement


def current_result(drill: Drill) -> Result:
    """The result as the ratings stand (final once the report is issued)."""
    levels = {v.criterion.code: v.final for v in consolidated(drill)}
    return compute_result(template_groups(drill), levels, drill.content_types, get_settings())


def report_problems(drill: Drill) -> list[str]:
    """What still blocks issuing the evaluation report."""
    problems = []
    forms = forms_of(drill, FormKind.EVALUATOR)
    pending = [f.evaluator.name for f in forms if f.status != FormStatus.SUBMITTED]
    if not forms:
        problems.append(_("No evaluator form."))
    if pending:
        problems.append(_("Waiting for the forms of: %(names)s.", names=join_list(pending)))
    unsettled = [v.criterion.code for v in consolidated(drill) if v.unsettled]
    if unsettled:
        problems.append(_("The lead evaluator must settle: %(codes)s.", codes=", ".join(unsettled)))
    if any(f.kind == FindingKind.IMPROVEMENT and not f.severity for f in findings_of(drill)):
        problems.append(_("Give every area for improvement a severity."))
    if not drill.summary.strip():
        problems.append(_("Write the summary."))
    return problems


def issue_report(drill: Drill, now: dt.datetime) -> Result:
    """evaluating → reported: the result becomes final and ``drill_evaluated`` is sent."""
    if drill.status != DrillStatus.EVALUATING:
        raise DrillError(_("The drill is not being evaluated."))
    problems = report_problems(drill)
    result = current_result(drill)
    if result.score is None:
        problems.append(_("No criterion was rated."))
    if problems:
        raise DrillError(" ".join(problems))
    drill.score, drill.tier, drill.critical_failure = result.score, result.tier, result.critical_failure
    drill.status = DrillStatus.REPORTED
    drill.reported_at = now
    db.session.flush()
    attended = []
    for p in drill.participants:
        if p.attended and p.employee not in attended:
            attended.append(p.employee)
    signals.drill_evaluated.send(
        drill, drill=drill, tier=drill.tier, score=drill.score, participants=attended, now=now
    )
    users = [e.user for e in attended if e.user is not None]
    if drill.director is not None and drill.director.user is not None and drill.director.user not in users:
        users.append(drill.director.user)
    notify(
        users,
        kind="drill.reported",
        title=_l("Evaluation report issued: %(title)s", title=drill.title),
        body=_l("Score %(score)s.", score=drill.score),
        link=f"/drills/{drill.id}",
        now=now,
    )
    return result
