"""The sheet as a PDF (printed in Chinese, in the certificates' look) and as a workbook, and a department's
sheets as one zip of PDFs.

Many sheets are laid out in one WeasyPrint pass and split per person (``core.pdf.render_documents``), so
fonts and styles are prepared once per chunk; see docs/reports.md for the measured rate.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale

from core.i18n import gettext as _
from core.pdf import render_documents
from core.spreadsheets import write_workbook
from core.timeutil import to_local
from reports.labels import (
    DRILL_TIER_LABELS,
    FORM_LABELS,
    POINT_CATEGORY_LABELS,
    QUALIFICATION_STATUS_LABELS,
    ROLE_LABELS,
)
from reports.sheet import FORMS, Sheet

ANCHOR = "sheet-"
PDF_LOCALE = "zh_CN"  # the sheet is a Chinese document whatever the UI language, like the certificates


def _words(table: dict, key) -> str:
    return str(table.get(key, key)) if key is not None else ""


def sheets_html(sheets: Sequence[Sheet], *, generated_at: dt.datetime) -> str:
    """One HTML document holding ``sheets``, each starting on a new page at an ``ANCHOR`` id."""
    template = current_app.jinja_env.get_template("reports/pdf/sheet.html")
    with force_locale(PDF_LOCALE):
        return template.render(
            sheets=sheets,
            anchor=ANCHOR,
            forms=FORMS,
            generated_at=to_local(generated_at),
            words={
                "form": {k: str(v) for k, v in FORM_LABELS.items()},
                "status": {k: str(v) for k, v in QUALIFICATION_STATUS_LABELS.items()},
                "role": {k: str(v) for k, v in ROLE_LABELS.items()},
                "tier": {k: str(v) for k, v in DRILL_TIER_LABELS.items()},
                "category": {k: str(v) for k, v in POINT_CATEGORY_LABELS.items()},
            },
        )


def check_split(pdfs: list[bytes], sheets: Sequence[Sheet]) -> list[bytes]:
    """``pdfs`` if there is one per sheet (a sheet that started mid-page would merge two people's pages)."""
    if len(pdfs) != len(sheets):
        raise RuntimeError(f"laid out {len(pdfs)} documents for {len(sheets)} sheets")
    return pdfs


def sheets_pdfs(sheets: Sequence[Sheet], *, generated_at: dt.datetime) -> list[bytes]:
    """One PDF per sheet, laid out together in this process."""
    if not sheets:
        return []
    return check_split(render_documents(sheets_html(sheets, generated_at=generated_at), ANCHOR), sheets)


def sheet_pdf(sheet: Sheet, *, generated_at: dt.datetime) -> bytes:
    """The PDF of one sheet."""
    return sheets_pdfs([sheet], generated_at=generated_at)[0]


def pdf_name(sheet: Sheet) -> str:
    """The file name of a sheet's PDF inside a zip: employee number, name, period."""
    return f"{sheet.employee.employee_no}_{sheet.employee.name}_{sheet.period.token.replace('~', '_')}.pdf"


def zip_of(named: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip archive of (name, bytes) pairs (PDFs are already compressed: stored, not deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in named:
            archive.writestr(name, data)
    return out.getvalue()


def sheet_workbook(sheet: Sheet) -> bytes:
    """The sheet as an xlsx workbook, one worksheet per part, in the reader's language."""
    e = sheet.employee
    summary = [
        (_("Employee number"), e.employee_no),
        (_("Name"), e.name),
        (_("Department"), e.department.name),
        (_("Position"), e.position.name),
        (_("Period"), sheet.period.label),
        (_("Training hours"), float(sheet.hours_total)),
        (_("Planned hours"), float(sheet.hours_planned)),
        (_("Points"), float(sheet.points_total)),
    ]
    ind = sheet.indicators
    tables = [
        (_("Summary"), [_("Item"), _("Value")], summary, [18, 30]),
        (
            _("Qualifications"),
            [_("Certificate"), _("Number"), _("Issued"), _("Valid until"), _("Status")],
            [
                (
                    q.type_name,
                    q.number,
                    q.issued_on,
                    q.expires_on,
                    _words(QUALIFICATION_STATUS_LABELS, q.status),
                )
                for q in sheet.qualifications
            ],
            [24, 20, 12, 12, 12],
        ),
        (
            _("Hours"),
            [_("Training form"), _("Hours")],
            [(_words(FORM_LABELS, f), float(sheet.hours_by_form.get(f, 0))) for f in FORMS],
            [26, 10],
        ),
        (
            _("Courses"),
            [_("Course"), _("Training form"), _("Hours"), _("Completed")],
            [(c.title, _words(FORM_LABELS, c.form), float(c.hours), c.completed_on) for c in sheet.courses],
            [30, 16, 8, 12],
        ),
        (
            _("Exams"),
            [_("Exam"), _("Date"), _("Score"), _("Full marks"), _("Passed"), _("Attempts")],
            [
                (
                    x.title,
                    x.submitted_on,
                    float(x.score) if x.score is not None else None,
                    float(x.max_score),
                    _("Yes") if x.passed else (_("No") if x.passed is False else _("Awaiting grading")),
                    x.attempts,
                )
                for x in sheet.exams
            ],
            [30, 12, 8, 8, 10, 8],
        ),
        (
            _("Drills"),
            [_("Drill"), _("Date"), _("Role"), _("Evaluation"), _("Score")],
            [
                (
                    d.title,
                    d.day,
                    _words(ROLE_LABELS, d.role),
                    _words(DRILL_TIER_LABELS, d.tier),
                    float(d.score) if d.score is not None else None,
                )
                for d in sheet.drills
            ],
            [30, 12, 10, 10, 8],
        ),
        (
            _("Points"),
            [_("Category"), _("Points")],
            [
                (_words(POINT_CATEGORY_LABELS, k), float(v))
                for k, v in sorted(sheet.points_by_category.items())
            ],
            [20, 10],
        ),
        (
            _("Service indicators"),
            [_("Month"), _("Work orders"), _("Satisfaction (%)"), _("Complaints"), _("Commendations")],
            [
                (
                    m.month.strftime("%Y-%m"),
                    m.work_orders,
                    float(m.satisfaction) if m.satisfaction is not None else None,
                    m.complaints,
                    m.commendations,
                )
                for m in ind.months
            ],
            [10, 12, 14, 10, 12],
        ),
    ]
    return write_workbook(tables)
