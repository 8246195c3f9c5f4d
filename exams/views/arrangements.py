"""Owner pages for exam day: per-candidate arrangements (extra time, own window, extra attempts) and the
exam's named invigilators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Employee, User
from core.auth import role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import local_to_utc
from exams import arrangements, notices, services
from exams.forms import ArrangementForm, InvigilatorsForm, ReasonForm
from exams.models import Arrangement
from exams.views import manage_bp as bp
from exams.views.common import MANAGERS, managed_exam


def _page(exam, form=None, invigilators_form=None, status=200):
    rows = sorted(arrangements.arrangements_of(exam).values(), key=lambda a: a.employee.employee_no)
    invigilators = services.invigilators_of(exam)
    if invigilators_form is None:
        invigilators_form = InvigilatorsForm(formdata=None)
        invigilators_form.employees.data = ", ".join(i.user.employee.employee_no for i in invigilators)
    return render_template(
        "exams/manage/arrangements.html",
        exam=exam,
        rows=rows,
        form=form or ArrangementForm(formdata=None),
        invigilators=invigilators,
        invigilators_form=invigilators_form,
        remove_form=ReasonForm(formdata=None),
    ), status


@bp.get("/<int:exam_id>/arrangements")
@role_required(*MANAGERS)
def arrangements_page(exam_id: int):
    return _page(managed_exam(exam_id))


@bp.post("/<int:exam_id>/arrangements")
@role_required(*MANAGERS)
def arrangement_save(exam_id: int):
    exam = managed_exam(exam_id)
    form = ArrangementForm()
    if not form.validate_on_submit():
        return _page(exam, form=form, status=400)
    number = form.employee_no.data.strip().upper()
    employee = db.session.scalar(select(Employee).where(Employee.employee_no == number))
    if employee is None or not services.in_audience(exam, employee):
        form.employee_no.errors = [_("%(n)s is not a candidate of this exam.", n=number)]
        return _page(exam, form=form, status=400)
    now = utcnow()
    with refusals_go_to(url_for("exams_manage.arrangements_page", exam_id=exam.id)):
        arrangement = arrangements.grant(
            exam,
            employee,
            extra_minutes=form.extra_minutes.data,
            opens_at=local_to_utc(form.opens_at.data) if form.opens_at.data else None,
            closes_at=local_to_utc(form.closes_at.data) if form.closes_at.data else None,
            extra_attempts=form.extra_attempts.data,
            reason=form.reason.data,
            by=current_user,
            now=now,
        )
    notices.arrangement_granted(arrangement, exam, now)
    flash(_("Arrangement saved for %(name)s.", name=employee.name), "success")
    return redirect(url_for("exams_manage.arrangements_page", exam_id=exam.id))


@bp.post("/<int:exam_id>/arrangements/<int:arrangement_id>/remove")
@role_required(*MANAGERS)
def arrangement_remove(exam_id: int, arrangement_id: int):
    exam = managed_exam(exam_id)
    arrangement = db.session.get(Arrangement, arrangement_id)
    if arrangement is None or arrangement.exam_id != exam.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason: it is kept in the audit log."), "danger")
        return redirect(url_for("exams_manage.arrangements_page", exam_id=exam.id))
    arrangements.remove(arrangement, reason=form.reason.data, by=current_user, now=utcnow())
    flash(_("Arrangement removed."), "success")
    return redirect(url_for("exams_manage.arrangements_page", exam_id=exam.id))


@bp.post("/<int:exam_id>/invigilators")
@role_required(*MANAGERS)
def invigilators_save(exam_id: int):
    """Name the exam's invigilators: people the manager covers (an admin: anyone), with an account."""
    exam = managed_exam(exam_id)
    form = InvigilatorsForm()
    if not form.validate_on_submit():
        return _page(exam, invigilators_form=form, status=400)
    numbers = [
        n.strip().upper() for n in (form.employees.data or "").replace("，", ",").split(",") if n.strip()
    ]
    found = services.employee_ids_by_number(current_user, numbers)
    users = (
        list(db.session.scalars(select(User).where(User.employee_id.in_(found.values())))) if found else []
    )
    with_account = {u.employee.employee_no for u in users}
    missing = [n for n in numbers if n not in with_account]
    if missing:
        form.employees.errors = [
            _("Unknown employee numbers or people without an account: %(n)s.", n=", ".join(missing))
        ]
        return _page(exam, invigilators_form=form, status=400)
    services.set_invigilators(exam, users, current_user)
    flash(_("Invigilators saved."), "success")
    return redirect(url_for("exams_manage.arrangements_page", exam_id=exam.id))
