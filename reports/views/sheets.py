"""The personal assessment sheet (page, PDF, workbook) and a department's sheets as a zip of PDFs."""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from accounts.models import Department, Employee
from core import audit
from core.auth import Role, login_required, role_required
from core.extensions import db
from core.forms import PostForm
from core.jobs import JobRun
from core.models import utcnow
from reports import bundles, periods
from reports.access import can_view_sheet, can_view_unit, units_for
from reports.exports import sheet_pdf, sheet_workbook
from reports.labels import (
    DRILL_TIER_LABELS,
    FORM_LABELS,
    POINT_CATEGORY_LABELS,
    QUALIFICATION_STATUS_LABELS,
    ROLE_LABELS,
)
from reports.sheet import FORMS, build_sheet
from reports.views import bp

HR_AND_ADMIN = (Role.HR, Role.ADMIN)
PER_PAGE = 50


def _load_person(employee_id: int) -> Employee:
    employee = db.session.get(
        Employee, employee_id, options=[joinedload(Employee.department), joinedload(Employee.position)]
    )
    if employee is None or not can_view_sheet(current_user, employee):
        abort(404)
    return employee


def _period(now: dt.datetime) -> periods.ReportPeriod:
    """The period the page asks for: ``?period=2026H2`` (or 2026, 2026Q3 …), or ``?first=…&last=…``."""
    first, last = request.args.get("first", ""), request.args.get("last", "")
    if first and last:
        try:
            return periods.dates_period(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        except ValueError:
            pass
    return periods.parse_period(request.args.get("period"), now)


def _sheet_of(employee_id: int, action: str):
    employee = _load_person(employee_id)
    now = utcnow()
    period = _period(now)
    sheet = build_sheet(employee, period, now)
    audit.record(action, employee, employee_no=employee.employee_no, period=period.token)
    return sheet, now


@bp.get("/people/<int:employee_id>/sheet")
@login_required
def sheet(employee_id: int):
    sheet, now = _sheet_of(employee_id, "report.sheet_viewed")
    return render_template(
        "reports/sheet.html",
        sheet=sheet,
        choices=periods.choices(now),
        forms=FORMS,
        form_labels=FORM_LABELS,
        status_labels=QUALIFICATION_STATUS_LABELS,
        role_labels=ROLE_LABELS,
        tier_labels=DRILL_TIER_LABELS,
        category_labels=POINT_CATEGORY_LABELS,
    )


@bp.get("/people/<int:employee_id>/sheet.pdf")
@login_required
def sheet_as_pdf(employee_id: int):
    sheet, now = _sheet_of(employee_id, "report.sheet_pdf")
    return send_file(
        _bytes(sheet_pdf(sheet, generated_at=now)),
        mimetype="application/pdf",
        download_name=f"{sheet.employee.employee_no}-{sheet.period.token.replace('~', '_')}.pdf",
    )


@bp.get("/people/<int:employee_id>/sheet.xlsx")
@login_required
def sheet_as_xlsx(employee_id: int):
    sheet, _now = _sheet_of(employee_id, "report.sheet_xlsx")
    return send_file(
        _bytes(sheet_workbook(sheet)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{sheet.employee.employee_no}-{sheet.period.token.replace('~', '_')}.xlsx",
    )


def _bytes(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _unit_arg(units: list[Department]) -> Department | None:
    wanted = request.args.get("department", type=int) or request.form.get("department", type=int)
    if wanted is None:
        return units[0] if units else None
    unit = db.session.get(Department, wanted)
    if unit is None or not can_view_unit(current_user, unit):
        abort(404)
    return unit


@bp.get("/sheets")
@role_required(*HR_AND_ADMIN)
def sheets():
    """A department's people, each linked to their sheet, and the button that zips every sheet."""
    now = utcnow()
    units = units_for(current_user)
    unit = _unit_arg(units)
    period = _period(now)
    people = bundles.department_people(current_user, unit) if unit else []
    page = max(1, request.args.get("page", 1, type=int))
    return render_template(
        "reports/sheets.html",
        units=units,
        unit=unit,
        period=period,
        choices=periods.choices(now),
        people=people[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(people),
        page=page,
        pages=max(1, -(-len(people) // PER_PAGE)),
        form=PostForm(),
    )


@bp.post("/sheets")
@role_required(*HR_AND_ADMIN)
def sheets_zip():
    now = utcnow()
    unit = _unit_arg(units_for(current_user))
    if unit is None or not PostForm().validate_on_submit():
        abort(400)
    period = periods.parse_period(request.form.get("period"), now)
    job = bundles.start_sheets_zip(current_user, unit, period, now)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/sheets/<job_id>.zip")
@role_required(*HR_AND_ADMIN)
def sheets_download(job_id: str):
    job = db.session.get(JobRun, job_id)
    if (
        job is None
        or job.kind != "reports.sheets_zip"
        or job.status != "succeeded"
        or (job.created_by_id != current_user.id and not current_user.has_any_role(Role.ADMIN))
    ):
        abort(404)
    path = bundles.bundle_path(job.id)
    if not path.is_file():
        abort(404)
    audit.record("report.sheets_zip_downloaded", job, sheets=(job.result or {}).get("sheets"))
    return send_file(
        path, mimetype="application/zip", as_attachment=True, download_name=f"sheets-{job.id[:8]}.zip"
    )
