"""The live monitor (考试监控) for the exam's managers and named invigilators: the page
(``/exams/manage/<id>/monitor``), its JSON (``/api/exams/<id>/monitor``, polled every few seconds) and the
actions (``/api/exams/<id>/monitor/<action>``), each a JSON POST with the CSRF token in ``X-CSRFToken`` and
a reason; and the absentees list (缺考) with its xlsx export and the make-up round."""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from accounts.models import Employee
from core import audit
from core.auth import login_required, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import local_to_utc
from exams import arrangements, invigilation, monitor, notices, services
from exams.errors import ExamError
from exams.forms import MakeupForm
from exams.labels import MONITOR_STATE_LABELS
from exams.models import Attempt
from exams.views import api_bp
from exams.views import manage_bp as bp
from exams.views.common import MANAGERS, invigilated_exam, managed_exam


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ExamError(_("Send a JSON object."))
    return body


def _attempt(exam, attempt_id) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None or attempt.exam_id != exam.id:
        abort(404)
    return attempt


def _candidate(exam, employee_id) -> Employee:
    employee = db.session.get(Employee, employee_id) if isinstance(employee_id, int) else None
    if employee is None or not services.in_audience(exam, employee):
        abort(404)
    return employee


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@bp.get("/<int:exam_id>/monitor")
@login_required
def monitor_page(exam_id: int):
    exam = invigilated_exam(exam_id)
    return render_template(
        "exams/manage/monitor.html",
        exam=exam,
        departments=monitor.department_choices(exam),
        states={key: str(label) for key, label in MONITOR_STATE_LABELS.items()},
        can_manage=services.can_manage_exam(current_user, exam),
    )


@api_bp.get("/<int:exam_id>/monitor")
@login_required
def monitor_json(exam_id: int):
    exam = invigilated_exam(exam_id)
    state = request.args.get("state", "")
    filters = monitor.MonitorFilters(
        department_id=request.args.get("department", type=int),
        state=state if state in monitor.STATES else "",
    )
    return jsonify(monitor.monitor_data(exam, utcnow(), filters))


@api_bp.post("/<int:exam_id>/monitor/collect")
@login_required
def monitor_collect(exam_id: int):
    """``{"attempt_id": 5, "reason": "..."}`` collects one; ``{"all": true, "reason": "..."}`` every open one."""
    exam = invigilated_exam(exam_id)
    body, now = _body(), utcnow()
    if body.get("all") is True:
        count = invigilation.collect_all(exam, now, reason=body.get("reason", ""), by=current_user)
        return jsonify({"collected": count})
    attempt = _attempt(exam, body.get("attempt_id"))
    if not attempt.is_open:
        raise ExamError(_("This attempt has already been handed in."), status=409)
    invigilation.collect_attempt(attempt, now, reason=body.get("reason", ""), by=current_user)
    return jsonify({"collected": 1})


@api_bp.post("/<int:exam_id>/monitor/reopen")
@login_required
def monitor_reopen(exam_id: int):
    """``{"attempt_id": 5, "minutes": 10, "reason": "..."}``."""
    exam = invigilated_exam(exam_id)
    body = _body()
    attempt = _attempt(exam, body.get("attempt_id"))
    invigilation.reopen_attempt(
        attempt, _int(body.get("minutes"), 0), utcnow(), reason=body.get("reason", ""), by=current_user
    )
    return jsonify({"attempt_id": attempt.id, "deadline": attempt.deadline.isoformat()})


@api_bp.post("/<int:exam_id>/monitor/extra-time")
@login_required
def monitor_extra_time(exam_id: int):
    """``{"employee_id": 7, "minutes": 10, "reason": "..."}``: an arrangement, and the running deadline moves."""
    exam = invigilated_exam(exam_id)
    body, now = _body(), utcnow()
    employee = _candidate(exam, body.get("employee_id"))
    arrangement = arrangements.add_extra_time(
        exam, employee, _int(body.get("minutes"), 0), reason=body.get("reason", ""), by=current_user, now=now
    )
    notices.arrangement_granted(arrangement, exam, now)
    return jsonify({"employee_id": employee.id, "extra_minutes": arrangement.extra_minutes})


@api_bp.post("/<int:exam_id>/monitor/message")
@login_required
def monitor_message(exam_id: int):
    """``{"employee_id": 7, "body": "..."}`` to one candidate, ``{"all": true, "body": "..."}`` to all."""
    exam = invigilated_exam(exam_id)
    body = _body()
    employee = None if body.get("all") is True else _candidate(exam, body.get("employee_id"))
    message = invigilation.send_message(exam, employee, body.get("body", ""), by=current_user, now=utcnow())
    return jsonify({"message_id": message.id})


@bp.get("/<int:exam_id>/absentees")
@login_required
def absentees(exam_id: int, form: MakeupForm | None = None):
    exam = invigilated_exam(exam_id)
    now = utcnow()
    department_id = request.args.get("department", type=int)
    rows = monitor.absentees(exam, now, department_id)
    if request.args.get("format") == "xlsx":
        audit.record("exam.absentees_export", exam, rows=len(rows))
        return send_file(
            BytesIO(monitor.absentees_xlsx(exam, rows)),
            as_attachment=True,
            download_name=f"exam-{exam.id}-absentees.xlsx",
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return render_template(
        "exams/manage/absentees.html",
        exam=exam,
        rows=rows,
        closed=now >= exam.closes_at,
        departments=monitor.department_choices(exam),
        department_id=department_id,
        can_manage=services.can_manage_exam(current_user, exam),
        form=form or MakeupForm(formdata=None),
    ), (400 if form is not None else 200)


@bp.post("/<int:exam_id>/absentees/makeup")
@role_required(*MANAGERS)
def makeup_round(exam_id: int):
    """One action: the make-up round (补考) for the absentees and/or those who failed, unpublished."""
    exam = managed_exam(exam_id)
    form = MakeupForm()
    if not form.validate_on_submit():
        return absentees(exam_id, form=form)
    here = url_for("exams_manage.absentees", exam_id=exam.id)
    with refusals_go_to(here):
        resit = monitor.create_makeup_round(
            exam,
            local_to_utc(form.opens_at.data),
            local_to_utc(form.closes_at.data),
            absentees_too=form.absentees.data,
            failed_too=form.failed.data,
            by=current_user,
            now=utcnow(),
        )
    flash(_("Make-up round created (unpublished): check it and publish it."), "success")
    return redirect(url_for("exams_manage.exam", exam_id=resit.id))
