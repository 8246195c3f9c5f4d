"""A department's sheets as one zip of PDFs, made by a background job with progress (``core.jobs``).

The zip is written under ``UPLOAD_DIR/reports/`` with the job's id as its name (never a user's words) and
served only to whoever started the job (or an admin). People are those on post in the department's subtree
that the job's creator may report on, checked again when the job runs.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.models import Department, Employee, EmployeeStatus, User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from core.jobs import JobRun, job_task, start_job
from core.pdf import default_workers, render_documents_in_parallel
from reports.access import employee_scope
from reports.exports import ANCHOR, check_split, pdf_name, sheets_html
from reports.periods import ReportPeriod, parse_period
from reports.sheet import build_sheets

CHUNK = 25  # sheets laid out per WeasyPrint pass (fonts and styles are prepared once per pass)


def bundle_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def bundle_path(job_id: str) -> Path:
    """Where the zip of job ``job_id`` is kept (the id is a hex uuid made by ``core.jobs``)."""
    if not job_id.isalnum():
        raise ValueError("bad job id")
    return bundle_dir() / f"sheets-{job_id}.zip"


def department_people(user: User, department: Department) -> list[Employee]:
    """People on post in ``department``'s subtree whom ``user`` may report on, by employee number."""
    return list(
        db.session.scalars(
            select(Employee)
            .join(Department, Department.id == Employee.department_id)
            .options(joinedload(Employee.department), joinedload(Employee.position))
            .where(
                Department.path.startswith(department.path),
                Employee.status == EmployeeStatus.ACTIVE,
                employee_scope(user),
            )
            .order_by(Employee.employee_no)
        )
    )


def write_bundle(
    people: list[Employee],
    period: ReportPeriod,
    now: dt.datetime,
    path: Path,
    report,
    *,
    workers: int | None = None,
) -> int:
    """Build the sheets of ``people`` (a few queries for all of them) and lay them out ``CHUNK`` at a time
    in ``workers`` processes (``PDF_WORKERS``, by default one per core), adding each PDF to the zip at
    ``path`` in order. This process builds the next chunk's HTML while the workers lay out."""
    total = len(people)
    report(0, total, _("Making the sheets"))
    if workers is None:
        workers = current_app.config.get("PDF_WORKERS") or default_workers()
    sheets = build_sheets(people, period, now)
    chunks = [sheets[start : start + CHUNK] for start in range(0, total, CHUNK)]
    htmls = (sheets_html(chunk, generated_at=now) for chunk in chunks)
    done = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for chunk, pdfs in zip(chunks, render_documents_in_parallel(htmls, ANCHOR, workers), strict=True):
            for sheet, pdf in zip(chunk, check_split(pdfs, chunk), strict=True):
                archive.writestr(pdf_name(sheet), pdf)
            done += len(chunk)
            report(done, total, _("Making the sheets"))
    return total


@job_task()
def sheets_zip_job(job: JobRun, report, *, department_id: int, period: str, now: str):
    """Every sheet of a department for a period, as a zip of PDFs."""
    moment = dt.datetime.fromisoformat(now)
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    department = db.session.get(Department, department_id)
    if user is None or department is None:
        raise ValueError(_("The department or the person who asked no longer exists."))
    people = department_people(user, department)
    the_period = parse_period(period, moment)
    count = write_bundle(people, the_period, moment, bundle_path(job.id), report)
    job.result_link = f"/reports/sheets/{job.id}.zip"
    audit.record("report.sheets_zip", department, user_id=user.id, period=the_period.token, sheets=count)
    return {"sheets": count}


def start_sheets_zip(user: User, department: Department, period: ReportPeriod, now: dt.datetime) -> JobRun:
    """Queue the zip of ``department``'s sheets (runs after the request commits)."""
    return start_job(
        "reports.sheets_zip",
        sheets_zip_job,
        user=user,
        department_id=department.id,
        period=period.token,
        now=now.isoformat(),
    )
