"""An employee's own training pages (hours, sessions, certificates, calendar) and the course catalogue with
its materials."""

from __future__ import annotations

import io

from flask import abort, render_template, send_file
from flask_login import current_user
from sqlalchemy import select

from accounts.services import can_manage_unit, covers_department
from core.auth import STAFF_ROLES, Role, login_required
from core.extensions import db
from core.forms import PostForm
from core.models import utcnow
from core.timeutil import local_date
from training import course_sessions, hours, labels
from training.certificates import holder_certificates
from training.expiry import STATUS_BADGES
from training.labels import FORMAT_LABELS, STATUS_LABELS
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
from training.uploads import file_path, offered_name
from training.views import MANAGERS, bp

# ---------------------------------------------------------------- my training


@bp.get("/")
@login_required
def my_training():
    employee = current_user.employee
    now = utcnow()
    year = local_date(now).year
    # only what the person can still join: not started, and not already on its list
    joined = select(Enrolment.session_id).where(
        Enrolment.employee_id == employee.id, Enrolment.status != EnrolmentStatus.WITHDRAWN
    )
    open_sessions = db.session.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.self_enrolment.is_(True),
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at > now,
            TrainingSession.id.not_in(joined),
        )
        .order_by(TrainingSession.starts_at)
        .limit(30)
    ).all()
    return render_template(
        "training/my.html",
        hours=hours.hours_summary(employee, year),
        entries=hours.hours_entries(employee, year),
        mine=course_sessions.my_sessions(employee),
        open_sessions=open_sessions,
        state_of=course_sessions.attendance_state,
        states=labels.ATTENDANCE_LABELS,
        year=year,
        form=PostForm(),
    )


@bp.get("/my/qualifications")
@login_required
def my_qualifications():
    employee = current_user.employee
    today = local_date(utcnow())
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
    data = course_sessions.sessions_ics(current_user.employee, now=utcnow())
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
        "training/courses.html",
        courses=rows,
        can_create=current_user.has_any_role(*MANAGERS),
        form_labels=FORMAT_LABELS,
    )


@bp.get("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    return render_template(
        "training/course.html",
        course=course,
        can_manage=can_manage_unit(current_user, course.department_id),
        can_schedule=current_user.has_any_role(*MANAGERS),
        form_label=FORMAT_LABELS.get(course.form, course.form),
        sessions=db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.course_id == course.id)
            .order_by(TrainingSession.starts_at.desc())
        ).all(),
    )


def _can_download_material(course: Course) -> bool:
    """Staff, employees whose position the course targets, and employees enrolled in one of its sessions."""
    if current_user.has_any_role(*STAFF_ROLES):
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
        download_name=offered_name(material.file),
    )
