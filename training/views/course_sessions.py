"""A training session's page: enrolment and withdrawal, the QR check-in, and the trainer's attendance,
assignment and delivery."""

from __future__ import annotations

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department, Employee, Position
from accounts.services import can_manage_unit
from core.auth import login_required, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from training import course_sessions, labels
from training.errors import TrainingError
from training.forms import AssignForm, WalkInForm
from training.jobs import start_session_completion_job
from training.models import EnrolmentStatus, SessionStatus, TrainingSession
from training.services import can_view_unit
from training.views import MANAGERS, bp


def _load_session(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    return session


def _visible_session(session: TrainingSession) -> bool:
    if can_view_unit(current_user, session.department_id):
        return True
    if session.self_enrolment and session.status == SessionStatus.SCHEDULED:
        return True
    return course_sessions.enrolment_of(session, current_user.employee) is not None


def _session_page(session: TrainingSession) -> str:
    return url_for("training.session_detail", session_id=session.id)


@bp.get("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):
    session = _load_session(session_id)
    if not _visible_session(session):
        abort(404)
    manage = can_manage_unit(current_user, session.department_id)
    context = {
        "session": session,
        "manage": manage,
        "mine": course_sessions.enrolment_of(session, current_user.employee),
        "enrolled": course_sessions.enrolled_count(session),
        "form": PostForm(),
        "window": course_sessions.checkin_window(session),
        "rule": course_sessions.attendance_rule(),
        "state_of": course_sessions.attendance_state,
        "states": labels.ATTENDANCE_LABELS,
        "methods": labels.CHECKIN_METHODS,
        "ended": utcnow() >= session.ends_at,
        "started": utcnow() >= session.starts_at,
        "walk_ins_open": course_sessions.walk_ins_open(session, now=utcnow()),
        "who_can_add": course_sessions.who_can_add(session),
    }
    if manage:
        url = url_for("training.checkin", session_id=session.id, token=session.checkin_token, _external=True)
        assign = AssignForm()
        assign.departments.choices = choices(
            (d.id, d.name) for d in db.session.scalars(select(Department).order_by(Department.path))
        )
        assign.positions.choices = choices(
            (p.id, p.name) for p in db.session.scalars(select(Position).order_by(Position.code))
        )
        context.update(
            qr_svg=segno.make(url, error="m").svg_inline(scale=5),
            checkin_url=url,
            assign=assign,
            walk_in=WalkInForm(),
        )
    return render_template("training/session.html", **context)


@bp.post("/sessions/<int:session_id>/enrol")
@login_required
def enrol(session_id: int):
    session = _load_session(session_id)
    if not _visible_session(session) or not PostForm().validate_on_submit():
        abort(404)
    with refusals_go_to(_session_page(session)):
        enrolment = course_sessions.self_enrol(session, current_user.employee, now=utcnow())
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        flash(_("The session is full: you are on the waiting list."), "warning")
    else:
        flash(_("You are enrolled."), "success")
    return redirect(_session_page(session))


@bp.post("/sessions/<int:session_id>/withdraw")
@login_required
def withdraw(session_id: int):
    session = _load_session(session_id)
    enrolment = course_sessions.enrolment_of(session, current_user.employee)
    if enrolment is None or not PostForm().validate_on_submit():
        abort(404)
    with refusals_go_to(_session_page(session)):
        course_sessions.withdraw(enrolment, now=utcnow())
    flash(_("You have withdrawn from the session."), "success")
    return redirect(_session_page(session))


@bp.route("/checkin/<int:session_id>/<token>", methods=["GET", "POST"])
@login_required
def checkin(session_id: int, token: str):
    session = db.session.get(TrainingSession, session_id)
    # Without the session's code (or managing the session) the page says nothing, not even that it exists.
    if session is None or not (
        course_sessions.checkin_token_valid(session, token)
        or can_manage_unit(current_user, session.department_id)
    ):
        abort(404)
    form = PostForm()
    error = done = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            course_sessions.check_in_by_qr(session, token, current_user.employee, now=utcnow())
        except TrainingError as exc:
            error = str(exc)  # shown on the phone's page, answered 403: nothing is kept
        else:
            done = True
    status = 403 if error else 200
    mine = course_sessions.enrolment_of(session, current_user.employee)
    return render_template(
        "training/checkin.html",
        session=session,
        form=form,
        error=error,
        done=done,
        mine=mine,
        state=course_sessions.attendance_state(mine) if mine else None,
        walk_ins_open=course_sessions.walk_ins_open(session, now=utcnow()),
        states=labels.ATTENDANCE_LABELS,
        rule=course_sessions.attendance_rule(),
    ), status


@bp.post("/sessions/<int:session_id>/attendance")
@role_required(*MANAGERS)
def attendance(session_id: int):
    session = _load_session(session_id)
    if not can_manage_unit(current_user, session.department_id):
        abort(404)
    if PostForm().validate_on_submit():
        present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        count = course_sessions.record_attendance(session, present, now=utcnow())
        flash(_("Attendance saved: %(n)d present.", n=count), "success")
    return redirect(_session_page(session))


@bp.post("/sessions/<int:session_id>/walk-in")
@role_required(*MANAGERS)
def add_walk_in(session_id: int):
    """The trainer adds someone who came without enrolling (an employee of the units they manage)."""
    session = _load_session(session_id)
    if not can_manage_unit(current_user, session.department_id):
        abort(404)
    form = WalkInForm()
    if not form.validate_on_submit():
        flash(_("Enter the employee number."), "danger")
        return redirect(_session_page(session))
    number = form.employee_no.data.strip()
    employee = db.session.scalar(select(Employee).where(Employee.employee_no == number))
    with refusals_go_to(_session_page(session)):
        if employee is None or not can_manage_unit(current_user, employee.department_id):
            raise TrainingError(_("No employee numbered %(no)s in the units you manage.", no=number))
        course_sessions.add_walk_in(session, employee, now=utcnow())
    flash(_("%(name)s added to the list as present.", name=employee.name), "success")
    return redirect(_session_page(session))


@bp.post("/sessions/<int:session_id>/assign")
@role_required(*MANAGERS)
def assign(session_id: int):
    session = _load_session(session_id)
    if not can_manage_unit(current_user, session.department_id):
        abort(404)
    form = AssignForm()
    form.departments.choices = choices((d.id, d.name) for d in db.session.scalars(select(Department)))
    form.positions.choices = choices((p.id, p.name) for p in db.session.scalars(select(Position)))
    if not form.validate_on_submit():
        flash(_("Choose at least one department."), "danger")
        return redirect(_session_page(session))
    departments = [db.session.get(Department, i) for i in form.departments.data]
    departments = [d for d in departments if can_manage_unit(current_user, d.id)]
    positions = [db.session.get(Position, i) for i in form.positions.data or []]
    with refusals_go_to(_session_page(session)):
        created = course_sessions.assign_enrolments(
            session, departments=departments, positions=positions, now=utcnow()
        )
    flash(_("%(n)d employees enrolled and notified.", n=len(created)), "success")
    return redirect(_session_page(session))


@bp.post("/sessions/<int:session_id>/deliver")
@role_required(*MANAGERS)
def deliver(session_id: int):
    """Mark the session delivered; a background job completes everyone who attended and issues their
    certificates (progress on /jobs/<id>)."""
    session = _load_session(session_id)
    if not can_manage_unit(current_user, session.department_id):
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    now = utcnow()
    with refusals_go_to(_session_page(session)):
        course_sessions.mark_delivered(session, now=now)
    job = start_session_completion_job(session, user=current_user, now=now)
    flash(_("Attendance confirmed; the hours and certificates are being credited."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))
