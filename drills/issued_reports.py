"""Issued evaluation reports: the PDF is rendered once when the report is issued and stored with its
sha256; downloads serve the stored bytes. A re-issue renders the live data again as the next version,
with its own date, and says which version it supersedes."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from accounts.models import Employee
from core.extensions import db
from core.i18n import gettext as _
from core.pdf import render_pdf
from drills import report
from drills.errors import DrillError
from drills.evaluation_models import IssuedReport
from drills.models import Drill, DrillStatus

ISSUED_STATES = (DrillStatus.REPORTED, DrillStatus.IMPROVING, DrillStatus.CLOSED)


def versions(drill: Drill) -> list[IssuedReport]:
    """Every issued version of ``drill``'s report, oldest first."""
    return list(
        db.session.scalars(
            select(IssuedReport).where(IssuedReport.drill_id == drill.id).order_by(IssuedReport.version)
        )
    )


def current(drill: Drill) -> IssuedReport | None:
    return db.session.scalars(
        select(IssuedReport).where(IssuedReport.drill_id == drill.id).order_by(IssuedReport.version.desc())
    ).first()


def _store(drill: Drill, now: dt.datetime, by: Employee | None, reason: str) -> IssuedReport:
    previous = current(drill)
    issued = IssuedReport(
        drill=drill,
        version=previous.version + 1 if previous else 1,
        issued_at=now,
        issued_by=by,
        reason=reason,
        supersedes=previous,
    )
    pdf = render_pdf(report.report_html(drill, issued))
    issued.pdf, issued.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    db.session.add(issued)
    db.session.flush()
    return issued


def issue_first(drill: Drill, now: dt.datetime, by: Employee | None = None) -> IssuedReport:
    """Version 1, stored when the report is issued (or at the first download of a report issued before
    reports were stored, dated with its original issue date)."""
    existing = current(drill)
    if existing is not None:
        return existing
    return _store(drill, now, by, "")


def reissue(drill: Drill, reason: str, now: dt.datetime, by: Employee | None) -> IssuedReport:
    """A new version from today's data; the previous one stays downloadable and is marked superseded."""
    if drill.status not in ISSUED_STATES:
        raise DrillError(_("The report has not been issued yet."))
    if not reason.strip():
        raise DrillError(_("Say why the report is re-issued."))
    issue_first(drill, drill.reported_at or now)
    return _store(drill, now, by, reason.strip())


def stored_pdf(drill: Drill, version: int | None = None) -> IssuedReport | None:
    """The stored version asked for (the newest by default); None when it does not exist."""
    if version is None:
        if current(drill) is None and drill.status in ISSUED_STATES:
            issue_first(drill, drill.reported_at or drill.ends_at)
        return current(drill)
    return db.session.scalars(
        select(IssuedReport).where(IssuedReport.drill_id == drill.id, IssuedReport.version == version)
    ).first()
