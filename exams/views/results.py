"""Trainer and HR pages for an exam's results: the table and its xlsx export, departments, statistics and
one candidate's answers."""

from __future__ import annotations

from io import BytesIO

from flask import abort, render_template, request, send_file
from flask_login import current_user

from accounts.services import departments_in_scope
from core import audit
from core.auth import Role, role_required
from core.extensions import db
from exams import invigilation, results, runtime
from exams.labels import ATTEMPT_STATUS_LABELS, FOCUS_KIND_LABELS, GRADING_METHOD_LABELS
from exams.models import Attempt
from exams.statistics import FEW_RESPONSES
from exams.views import manage_bp as bp
from exams.views.common import READERS, managed_exam


@bp.get("/<int:exam_id>/results")
@role_required(*READERS)
def exam_results(exam_id: int):
    exam = managed_exam(exam_id, manage=False)
    filters = results.ResultFilters(
        department_id=request.args.get("department", type=int),
        outcome=request.args.get("outcome", ""),
        q=request.args.get("q", "").strip(),
    )
    rows = results.results_rows(exam, current_user, filters)
    if request.args.get("format") == "xlsx":
        audit.record("exam.results_export", exam, rows=len(rows))
        return send_file(
            BytesIO(results.results_xlsx(exam, rows)),
            as_attachment=True,
            download_name=f"exam-{exam.id}-results.xlsx",
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    role = (
        Role.ADMIN
        if current_user.has_any_role(Role.ADMIN)
        else (Role.TRAINER if current_user.has_any_role(Role.TRAINER) else Role.HR)
    )
    return render_template(
        "exams/manage/results.html",
        exam=exam,
        rows=rows,
        filters=filters,
        departments=departments_in_scope(current_user, role),
        statuses=ATTEMPT_STATUS_LABELS,
        outcome_label=results.outcome_label,
    )


@bp.get("/<int:exam_id>/departments")
@role_required(*READERS)
def exam_departments(exam_id: int):
    exam = managed_exam(exam_id, manage=False)
    return render_template(
        "exams/manage/departments.html", exam=exam, rows=results.department_summary(exam, current_user)
    )


@bp.get("/<int:exam_id>/statistics")
@role_required(*READERS)
def exam_statistics(exam_id: int):
    exam = managed_exam(exam_id, manage=False)
    return render_template(
        "exams/manage/statistics.html",
        exam=exam,
        stats=results.exam_statistics(exam, current_user),
        few=FEW_RESPONSES,
        methods=GRADING_METHOD_LABELS,
    )


@bp.get("/<int:exam_id>/attempts/<int:attempt_id>")
@role_required(*READERS)
def attempt(exam_id: int, attempt_id: int):
    exam = managed_exam(exam_id, manage=False)
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.exam_id != exam.id or attempt.is_open:
        abort(404)
    if attempt.id not in {a.id for a in results.closed_attempts(exam, current_user)}:
        abort(404)
    items = runtime.load_items(attempt)
    versions = runtime.versions_of(items)
    return render_template(
        "exams/manage/attempt.html",
        exam=exam,
        attempt=attempt,
        review=[(i, versions[i.version_id]) for i in items],
        focus_events=invigilation.focus_events(attempt),
        focus_kinds=FOCUS_KIND_LABELS,
    )
