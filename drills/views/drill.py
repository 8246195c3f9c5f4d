"""Drill list, planning form, the drill page and its lifecycle buttons, calendar and report PDF."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core import audit
from core.auth import Role, login_required, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from core.pdf import render_pdf
from core.timeutil import LOCAL_TZ, local_date, local_to_utc
from drills import access, assessment, feedback, issued_reports, meeting, objectives, report, roles, services
from drills import conduct as live
from drills.conduct_models import FlowStep
from drills.errors import DrillError, DrillStateError
from drills.evaluation_models import FormKind
from drills.forms import (
    DecisionForm,
    DrillEditForm,
    InjectForm,
    MeetingForm,
    ObjectiveForm,
    ParticipantForm,
    ReasonForm,
    ReportTextForm,
)
from drills.halfyear import HalfYear
from drills.labels import STEP_LABELS
from drills.models import Drill, DrillInject, DrillParticipant, DrillStatus, EmergencyPlan
from drills.settings import get_settings
from drills.views import bp
from drills.views.common import employee_by_no, load_drill, load_managed
from drills.views.teams import team_pick_form

MANAGERS = (Role.TRAINER, Role.ADMIN)


@bp.get("/")
@login_required
def index():
    query = select(Drill).where(access.visible_drills_clause(current_user))
    status = request.args.get("status", "")
    if status in {s.value for s in DrillStatus}:
        query = query.where(Drill.status == status)
    half = request.args.get("half", "")
    try:
        chosen = HalfYear.parse(half) if half else None
    except ValueError:
        chosen = None
    if chosen:
        query = query.where(Drill.starts_at >= chosen.start_utc, Drill.starts_at < chosen.end_utc)
    unit_id = request.args.get("unit", type=int)
    if unit_id:
        query = query.where(Drill.unit_id == unit_id)
    pagination = db.paginate(query.order_by(Drill.starts_at.desc()), per_page=30, error_out=False)
    return render_template(
        "drills/index.html",
        pagination=pagination,
        filters={"status": status, "half": half, "unit": unit_id},
        half_choices=[HalfYear.of(utcnow()).shift(1 - n) for n in range(8)],
        can_plan=current_user.has_any_role(*MANAGERS),
        now=utcnow(),
    )


def _fill(form: DrillEditForm) -> None:
    units = access.manageable_units(current_user, get_settings().unit_kinds)
    form.unit_id.choices = choices([(u.id, "　" * u.depth + u.name) for u in units])
    plans = db.session.scalars(
        select(EmergencyPlan).where(EmergencyPlan.active).order_by(EmergencyPlan.code)
    ).all()
    form.plan_id.choices = choices([(p.id, f"{p.code} {p.title}") for p in plans])


def _save(form: DrillEditForm, drill: Drill | None) -> Drill | None:
    unit = next(
        (
            u
            for u in access.manageable_units(current_user, get_settings().unit_kinds)
            if u.id == form.unit_id.data
        ),
        None,
    )
    plan = db.session.get(EmergencyPlan, form.plan_id.data)
    if unit is None or plan is None:
        abort(404)
    director = None
    if form.director_no.data:
        director = employee_by_no(form.director_no.data)
        if director is None:
            form.director_no.errors.append(_("No employee has this number."))
            return None
    starts = local_to_utc(form.day.data, form.start.data)
    ends = local_to_utc(form.day.data, form.end.data)
    fields = dict(
        title=form.title.data.strip(),
        starts_at=starts,
        ends_at=ends,
        content_types=form.content_types.data,
        form=form.form.data,
        scope=form.scope.data,
        purpose=form.purpose.data,
        level=int(form.level.data),
        place=form.place.data or "",
        director=director,
        objectives=form.objectives.data or "",
        scenario=form.scenario.data or "",
        resources=form.resources.data or "",
    )
    if drill is None:
        return services.plan_drill(unit=unit, plan=plan, created_by=current_user, now=utcnow(), **fields)
    services.ensure_editable(drill)
    services.validate_drill_fields(
        starts_at=starts,
        ends_at=ends,
        content_types=fields["content_types"],
        plan=plan,
        incident_type=plan.incident_type,
    )
    drill.unit, drill.plan, drill.incident_type = unit, plan, plan.incident_type
    fields["content_types"] = sorted(fields["content_types"])
    for key, value in fields.items():
        setattr(drill, key, value)
    db.session.flush()
    return drill


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def create():
    form = DrillEditForm()
    _fill(form)
    if form.validate_on_submit():
        try:
            drill = _save(form, None)
        except DrillError as exc:  # shown above the form; nothing was flushed
            flash(str(exc), "danger")
        else:
            if drill is not None:
                flash(_("Drill planned."), "success")
                return redirect(url_for("drills.show", drill_id=drill.id))
    return render_template("drills/edit.html", form=form, drill=None)


@bp.route("/<int:drill_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit(drill_id: int):
    drill = load_managed(drill_id)
    form = DrillEditForm(obj=drill)
    _fill(form)
    if request.method == "GET":
        local_start, local_end = drill.starts_at.astimezone(LOCAL_TZ), drill.ends_at.astimezone(LOCAL_TZ)
        form.day.data, form.start.data, form.end.data = (
            local_start.date(),
            local_start.time(),
            local_end.time(),
        )
        form.level.data = str(drill.level)
        form.director_no.data = drill.director.employee_no if drill.director else ""
    if form.validate_on_submit():
        try:
            saved = _save(form, drill)
        except DrillError as exc:  # shown above the form; nothing was changed
            flash(str(exc), "danger")
        else:
            if saved is not None:
                flash(_("Drill saved."), "success")
                return redirect(url_for("drills.show", drill_id=drill.id))
    return render_template("drills/edit.html", form=form, drill=drill)


@bp.get("/<int:drill_id>")
@login_required
def show(drill_id: int):
    drill = load_drill(drill_id)
    manage = access.can_manage(current_user, drill)
    me = current_user.employee_id
    my_form = assessment.form_for(drill, current_user.employee, FormKind.EVALUATOR)
    sees_results = assessment.may_see_others(drill, me) and (
        manage
        or drill.status in (DrillStatus.REPORTED, DrillStatus.IMPROVING, DrillStatus.CLOSED)
        or me == drill.lead_evaluator_id
    )
    findings = services.findings_of(drill) if sees_results else []
    result = (
        assessment.current_result(drill) if sees_results and drill.status != DrillStatus.PLANNED else None
    )
    can_self = drill.status == DrillStatus.EVALUATING and any(
        p.employee_id == me and p.attended and p.role == "player" for p in drill.participants
    )
    return render_template(
        "drills/show.html",
        drill=drill,
        manage=manage,
        my_form=my_form,
        findings=findings,
        result=result,
        sees_results=sees_results,
        can_self=can_self,
        post=PostForm(),
        participant_form=ParticipantForm(),
        team_form=team_pick_form(drill)
        if manage and drill.status in (DrillStatus.PLANNED, DrillStatus.APPROVED)
        else None,
        inject_form=InjectForm(),
        reason_form=ReasonForm(),
        text_form=ReportTextForm(obj=drill),
        decision_form=DecisionForm(),
        report_versions=issued_reports.versions(drill),
        approval_problems=services.approval_problems(drill),
        report_problems=assessment.report_problems(drill) if drill.status == DrillStatus.EVALUATING else [],
        close_problems=services.close_problems(drill) if drill.status == DrillStatus.IMPROVING else [],
        missing_actions=services.missing_actions(drill) if drill.status == DrillStatus.REPORTED else [],
        report_due=services.report_due_date(local_date(drill.starts_at)),
        repeat=services.repeats_previous_type(drill)
        if drill.status in (DrillStatus.PLANNED, DrillStatus.APPROVED)
        else None,
        now=utcnow(),
        my_roles=roles.my_roles(drill, current_user.employee),
        my_role_names=roles.role_names(roles.my_roles(drill, current_user.employee)),
        can_confirm_role=roles.can_confirm(drill, utcnow()),
        live=_live_links(drill),
        objectives=objectives.ratings(drill)
        if sees_results and drill.status != DrillStatus.PLANNED
        else [objectives.ObjectiveRating(o, None, []) for o in objectives.objectives_of(drill)],
        objective_form=_objective_form(drill) if manage else None,
        steps=STEP_LABELS,
        meeting=meeting.meeting_of(drill),
        meeting_form=_meeting_form(drill) if manage and drill.status in meeting.OPEN_STATES else None,
    )


def _meeting_form(drill: Drill) -> MeetingForm:
    held = meeting.meeting_of(drill)
    form = MeetingForm(obj=held)
    if held is None:
        form.held_on.data = local_date(utcnow())
    return form


def _objective_form(drill: Drill) -> ObjectiveForm:
    form = ObjectiveForm()
    form.step.choices = [("", "—"), *((s.value, STEP_LABELS[s]) for s in FlowStep)]
    form.criteria.choices = [(c.id, f"{c.code} {c.text}") for c in assessment.applicable_criteria(drill)]
    return form


def _live_links(drill: Drill) -> dict:
    """Which of the running-the-drill pages the user may open."""
    planned = drill.status in (DrillStatus.PLANNED, DrillStatus.CANCELLED)
    return {
        "control": not planned and live.can_control(current_user, drill),
        "observe": not planned and live.can_observe(current_user, drill),
        "timeline": not planned
        and (live.reads_log(current_user, drill) or live.can_confirm_timing(current_user, drill)),
        "feedback": not planned and feedback.may_answer(drill, current_user.employee_id),
    }


def _drill_page(drill: Drill) -> str:
    return url_for("drills.show", drill_id=drill.id)


@bp.post("/<int:drill_id>/participants")
@role_required(*MANAGERS)
def add_participant(drill_id: int):
    drill = load_managed(drill_id)
    form = ParticipantForm()
    with refusals_go_to(_drill_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("Enter an employee number and a role."))
        employee = employee_by_no(form.employee_no.data)
        if employee is None:
            raise DrillError(_("No employee has this number."))
        services.add_participant(drill, employee, form.role.data)
    flash(_("%(name)s added.", name=employee.name), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/participants/<int:participant_id>/remove")
@role_required(*MANAGERS)
def remove_participant(drill_id: int, participant_id: int):
    drill = load_managed(drill_id)
    participant = db.session.get(DrillParticipant, participant_id)
    if participant is None or participant.drill_id != drill.id or not PostForm().validate_on_submit():
        abort(404)
    with refusals_go_to(_drill_page(drill)):
        services.remove_participant(drill, participant)
    flash(_("Participant removed."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/participants/<int:participant_id>/lead")
@role_required(*MANAGERS)
def make_lead(drill_id: int, participant_id: int):
    drill = load_managed(drill_id)
    participant = db.session.get(DrillParticipant, participant_id)
    if participant is None or participant.drill_id != drill.id or not PostForm().validate_on_submit():
        abort(404)
    with refusals_go_to(_drill_page(drill)):
        services.set_lead_evaluator(drill, participant.employee)
    flash(_("Lead evaluator set."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/injects")
@role_required(*MANAGERS)
def add_inject(drill_id: int):
    drill = load_managed(drill_id)
    form = InjectForm()
    with refusals_go_to(_drill_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("An inject needs its minute (0–1440) and its event."))
        services.add_inject(
            drill,
            form.offset_minutes.data,
            form.event.data,
            form.expected_action.data or "",
            form.responsible_role.data or "",
        )
    flash(_("Inject added."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/injects/<int:inject_id>/remove")
@role_required(*MANAGERS)
def remove_inject(drill_id: int, inject_id: int):
    drill = load_managed(drill_id)
    inject = db.session.get(DrillInject, inject_id)
    if inject is None or inject.drill_id != drill.id or not PostForm().validate_on_submit():
        abort(404)
    with refusals_go_to(_drill_page(drill)):
        services.ensure_editable(drill)
    drill.injects.remove(inject)
    flash(_("Inject removed."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/approve")
@role_required(*MANAGERS)
def approve(drill_id: int):
    drill = load_managed(drill_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(_drill_page(drill)):
        services.approve(drill, current_user, utcnow())
    flash(_("Drill approved; the participants are notified."), "success")
    return redirect(_drill_page(drill))


@bp.route("/<int:drill_id>/conduct", methods=["GET", "POST"])
@role_required(*MANAGERS)
def conduct(drill_id: int):
    drill = load_managed(drill_id)
    form = PostForm()
    with refusals_go_to(_drill_page(drill)):
        if form.validate_on_submit():
            attended = {int(v) for v in request.form.getlist("attended") if v.isdigit()}
            services.record_conducted(drill, attended, utcnow())
            flash(_("Attendance recorded; the drill is conducted."), "success")
            return redirect(_drill_page(drill))
        if drill.status != DrillStatus.APPROVED:
            raise DrillStateError(_("Only an approved drill can be recorded as conducted."))
    return render_template("drills/conduct.html", drill=drill, form=form)


@bp.post("/<int:drill_id>/start-evaluation")
@role_required(*MANAGERS)
def start_evaluation(drill_id: int):
    drill = load_managed(drill_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(_drill_page(drill)):
        services.start_evaluation(drill, utcnow())
    flash(_("Evaluation opened; the evaluators are notified."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/texts")
@role_required(*MANAGERS)
def save_texts(drill_id: int):
    drill = load_managed(drill_id)
    form = ReportTextForm()
    with refusals_go_to(_drill_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("The texts are too long."))
        services.save_report_texts(drill, form.summary.data, form.lessons.data, form.suggestions.data)
    flash(_("Report texts saved."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/issue-report")
@role_required(*MANAGERS)
def issue_report(drill_id: int):
    drill = load_managed(drill_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(_drill_page(drill)):
        now = utcnow()
        assessment.issue_report(drill, now)
        issued_reports.issue_first(drill, now, current_user.employee)
    flash(_("Evaluation report issued; the result is final."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/reissue-report")
@role_required(*MANAGERS)
def reissue_report(drill_id: int):
    drill = load_managed(drill_id)
    form = ReasonForm()
    with refusals_go_to(_drill_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("Say why the report is re-issued."))
        issued = issued_reports.reissue(drill, form.reason.data, utcnow(), current_user.employee)
        audit.record("drill.report_reissued", drill, version=issued.version)
    flash(_("Report re-issued as version %(version)s.", version=issued.version), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/start-improvement")
@role_required(*MANAGERS)
def start_improvement(drill_id: int):
    drill = load_managed(drill_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(_drill_page(drill)):
        services.start_improvement(drill, utcnow())
    flash(_("Improvement phase started."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/decision")
@role_required(*MANAGERS)
def decision(drill_id: int):
    drill = load_managed(drill_id)
    form = DecisionForm()
    with refusals_go_to(_drill_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("Choose a decision and explain it."))
        services.record_plan_decision(drill, form.decision.data, form.note.data, utcnow())
    flash(_("Plan-revision decision recorded."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/close")
@role_required(*MANAGERS)
def close(drill_id: int):
    drill = load_managed(drill_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(_drill_page(drill)):
        services.close(drill, utcnow())
    flash(_("Drill closed."), "success")
    return redirect(_drill_page(drill))


@bp.post("/<int:drill_id>/cancel")
@role_required(*MANAGERS)
def cancel(drill_id: int):
    drill = load_managed(drill_id)
    form = ReasonForm()
    with refusals_go_to(_drill_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(_("Give a reason for cancelling."))
        services.cancel(drill, form.reason.data, utcnow())
    flash(_("Drill cancelled."), "success")
    return redirect(_drill_page(drill))


@bp.get("/<int:drill_id>/report.pdf")
@login_required
def report_pdf(drill_id: int):
    drill = load_drill(drill_id)
    if drill.status not in (
        DrillStatus.REPORTED,
        DrillStatus.IMPROVING,
        DrillStatus.CLOSED,
    ) and not access.can_manage(current_user, drill):
        abort(404)
    if not assessment.may_see_others(drill, current_user.employee_id):
        abort(404)
    if drill.status in issued_reports.ISSUED_STATES:
        issued = issued_reports.stored_pdf(drill, request.args.get("version", type=int))
        if issued is None:
            abort(404)
        pdf, name = issued.pdf, f"drill-{drill.id}-report-v{issued.version}.pdf"
    else:
        pdf, name = render_pdf(report.report_html(drill)), f"drill-{drill.id}-report-draft.pdf"
    audit.record("drill.report_exported", drill)
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


@bp.get("/calendar.ics")
@login_required
def calendar():
    drills = db.session.scalars(
        select(Drill)
        .where(access.visible_drills_clause(current_user), Drill.status != DrillStatus.CANCELLED)
        .order_by(Drill.starts_at)
    ).all()
    return Response(
        report.calendar_ics(drills, request.host),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="drills.ics"'},
    )
