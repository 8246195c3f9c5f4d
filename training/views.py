"""Employee-facing training pages, sessions and attendance, certificates and the public verify page."""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department, Position
from accounts.services import covers_department
from core.auth import Role, login_required, public, role_required
from core.extensions import db, limiter
from core.forms import PostForm, choices
from core.models import utcnow
from core.timeutil import local_date
from training import sessions as sessions_service
from training.certificates import certificate_by_code, holder_certificates, public_view
from training.expiry import STATUS_BADGES, STATUS_LABELS
from training.forms import FORM_LABELS, AssignForm
from training.jobs import start_session_completion_job
from training.models import (
    Certificate,
    Course,
    CourseMaterial,
    Enrolment,
    EnrolmentStatus,
    SessionStatus,
    TrainingSession,
)
from training.qualifications import employee_certificate_windows, history
from training.services import can_manage_unit, can_view_unit
from training.sessions import TrainingError
from training.uploads import file_path

bp = Blueprint("training", __name__, url_prefix="/training")
verify_bp = Blueprint("verify", __name__)

STAFF = (Role.TRAINER, Role.ADMIN)


def _now():
    return utcnow()


# ---------------------------------------------------------------- public verification


@verify_bp.get("/verify/<code>")
@public
@limiter.limit("30 per minute")
def verify(code: str):
    cert = certificate_by_code(code)
    if cert is None:
        return render_template("training/verify.html", view=None), 404
    return render_template("training/verify.html", view=public_view(cert, _now()))


# ---------------------------------------------------------------- my training


@bp.get("/")
@login_required
def my_training():
    employee = current_user.employee
    now = _now()
    year = local_date(now).year
    open_sessions = db.session.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.self_enrolment.is_(True),
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at > now,
        )
        .order_by(TrainingSession.starts_at)
        .limit(30)
    ).all()
    return render_template(
        "training/my.html",
        hours=sessions_service.hours_summary(employee, year),
        entries=sessions_service.hours_entries(employee, year),
        mine=sessions_service.my_sessions(employee),
        open_sessions=open_sessions,
        year=year,
        form=PostForm(),
    )


@bp.get("/my/qualifications")
@login_required
def my_qualifications():
    employee = current_user.employee
    today = local_date(_now())
    return render_template(
        "training/my_qualifications.html",
        windows=employee_certificate_windows(employee, today),
        history=history(employee),
        certificates=holder_certificates(employee),
        labels=STATUS_LABELS,
        badges=STATUS_BADGES,
        today=today,
    )


@bp.get("/my/sessions.ics")
@login_required
def my_calendar():
    data = sessions_service.sessions_ics(current_user.employee, now=_now())
    return send_file(
        io.BytesIO(data), mimetype="text/calendar", as_attachment=True, download_name="training.ics"
    )


def _can_see_certificate(cert: Certificate) -> bool:
    if cert.employee_id == current_user.employee_id:
        return True
    if current_user.has_any_role(Role.ADMIN):
        return True
    return current_user.has_any_role(Role.HR) and covers_department(
        current_user, Role.HR, cert.employee.department
    )


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def certificate_pdf(certificate_id: int):
    cert = db.session.get(Certificate, certificate_id)
    if cert is None or not _can_see_certificate(cert):
        abort(404)
    return send_file(
        io.BytesIO(cert.pdf),
        mimetype="application/pdf",
        download_name=f"{cert.number}.pdf",
        etag=cert.sha256,
        max_age=3600,
    )


# ---------------------------------------------------------------- courses (catalogue) and materials


@bp.get("/courses")
@login_required
def courses():
    rows = db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.code)).all()
    return render_template(
        "training/courses.html", courses=rows, can_create=current_user.has_any_role(*STAFF)
    )


@bp.get("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    return render_template(
        "training/course.html",
        course=course,
        can_manage=can_manage_unit(current_user, course.department_id),
        can_schedule=current_user.has_any_role(*STAFF),
        form_label=FORM_LABELS.get(course.form, course.form),
        sessions=db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.course_id == course.id)
            .order_by(TrainingSession.starts_at.desc())
        ).all(),
    )


def _can_download_material(course: Course) -> bool:
    """Staff, employees whose position the course targets, and employees enrolled in one of its sessions."""
    if current_user.has_any_role(Role.TRAINER, Role.HR, Role.ADMIN):
        return True
    if current_user.employee.position_id in {p.id for p in course.positions}:
        return True
    return (
        db.session.scalar(
            select(Enrolment.id)
            .join(Enrolment.session)
            .where(
                Enrolment.employee_id == current_user.employee_id,
                TrainingSession.course_id == course.id,
                Enrolment.status == EnrolmentStatus.ENROLLED,
            )
            .limit(1)
        )
        is not None
    )


@bp.get("/materials/<int:material_id>")
@login_required
def material_download(material_id: int):
    material = db.session.get(CourseMaterial, material_id)
    if material is None or material.file is None or not _can_download_material(material.course):
        abort(404)
    return send_file(
        file_path(material.file),
        mimetype=material.file.content_type,
        as_attachment=True,
        download_name=material.file.original_name,
    )


# ---------------------------------------------------------------- sessions


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
    return sessions_service.enrolment_of(session, current_user.employee) is not None


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
        "mine": sessions_service.enrolment_of(session, current_user.employee),
        "enrolled": sessions_service.enrolled_count(session),
        "form": PostForm(),
        "window": sessions_service.checkin_window(session),
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
        )
    return render_template("training/session.html", **context)


@bp.post("/sessions/<int:session_id>/enrol")
@login_required
def enrol(session_id: int):
    session = _load_session(session_id)
    if not _visible_session(session) or not PostForm().validate_on_submit():
        abort(404)
    try:
        enrolment = sessions_service.self_enrol(session, current_user.employee, now=_now())
    except TrainingError as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            flash(_("The session is full: you are on the waiting list."), "warning")
        else:
            flash(_("You are enrolled."), "success")
    return redirect(url_for("training.session_detail", session_id=session.id))


@bp.post("/sessions/<int:session_id>/withdraw")
@login_required
def withdraw(session_id: int):
    session = _load_session(session_id)
    enrolment = sessions_service.enrolment_of(session, current_user.employee)
    if enrolment is None or not PostForm().validate_on_submit():
        abort(404)
    try:
        sessions_service.withdraw(enrolment, now=_now())
    except TrainingError as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("You have withdrawn from the session."), "success")
    return redirect(url_for("training.session_detail", session_id=session.id))


@bp.route("/checkin/<int:session_id>/<token>", methods=["GET", "POST"])
@login_required
def checkin(session_id: int, token: str):
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    form = PostForm()
    error = done = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            sessions_service.check_in_by_qr(session, token, current_user.employee, now=_now())
        except TrainingError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            done = True
    status = 403 if error else 200
    return render_template(
        "training/checkin.html", session=session, form=form, error=error, done=done
    ), status


@bp.post("/sessions/<int:session_id>/attendance")
@role_required(*STAFF)
def attendance(session_id: int):
    session = _load_session(session_id)
    if not can_manage_unit(current_user, session.department_id):
        abort(404)
    if PostForm().validate_on_submit():
        present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        count = sessions_service.record_attendance(session, present, now=_now())
        db.session.commit()
        flash(_("Attendance saved: %(n)d present.", n=count), "success")
    return redirect(url_for("training.session_detail", session_id=session.id))


@bp.post("/sessions/<int:session_id>/assign")
@role_required(*STAFF)
def assign(session_id: int):
    session = _load_session(session_id)
    if not can_manage_unit(current_user, session.department_id):
        abort(404)
    form = AssignForm()
    form.departments.choices = choices((d.id, d.name) for d in db.session.scalars(select(Department)))
    form.positions.choices = choices((p.id, p.name) for p in db.session.scalars(select(Position)))
    if form.validate_on_submit():
        departments = [db.session.get(Department, i) for i in form.departments.data]
        departments = [d for d in departments if can_manage_unit(current_user, d.id)]
        positions = [db.session.get(Position, i) for i in form.positions.data or []]
        try:
            created = sessions_service.assign_enrolments(
                session, departments=departments, positions=positions, now=_now()
            )
        except TrainingError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("%(n)d employees enrolled and notified.", n=len(created)), "success")
    else:
        flash(_("Choose at least one department."), "danger")
    return redirect(url_for("training.session_detail", session_id=session.id))


@bp.post("/sessions/<int:session_id>/deliver")
@role_required(*STAFF)
def deliver(session_id: int):
    """Mark the session delivered; a background job completes everyone who attended and issues their
    certificates (progress on /jobs/<id>)."""
    session = _load_session(session_id)
    if not can_manage_unit(current_user, session.department_id):
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    now = _now()
    sessions_service.mark_delivered(session, now=now)
    job = start_session_completion_job(session, user=current_user, now=now)
    db.session.commit()
    flash(_("Session marked as delivered; the certificates are being issued."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))


def hours_text(value: Decimal) -> str:
    return f"{value:.1f}"
