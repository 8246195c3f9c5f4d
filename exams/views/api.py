"""The exam runtime's JSON API (documented with examples in docs/exams.md).

Every endpoint needs a signed-in session; POSTs carry the CSRF token in the ``X-CSRFToken`` header.
Errors answer ``{"error": "...message..."}`` with 400 (bad answer), 404 (not yours / not found) or 409
(attempt closed: submitted or past its deadline); the refusals are ``exams.errors`` answered by core.
"""

from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from core.auth import login_required
from core.extensions import db
from core.i18n import gettext as _
from core.models import utcnow
from exams import invigilation, runtime
from exams.errors import AttemptClosed, BadAnswer
from exams.models import Attempt, Exam
from exams.views import api_bp as bp
from exams.views.common import gate_of_request


def _result_payload(attempt: Attempt, now) -> dict:
    payload = {
        "attempt_id": attempt.id,
        "status": attempt.status,
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "auto_submitted": attempt.auto_submitted,
        "result_url": url_for("exams.attempt_result", attempt_id=attempt.id),
    }
    if runtime.score_visible(attempt, now):
        payload.update(score=str(attempt.score), max_score=str(attempt.max_score), passed=attempt.passed)
    return payload


@bp.get("/session")
@login_required
def session_info():
    """Who is signed in, and the CSRF token to send as ``X-CSRFToken`` (for kiosks and load testers).

    Readable only by same-origin code (no CORS), like the token in every page's forms."""
    return jsonify(
        {
            "employee_no": current_user.employee.employee_no,
            "name": current_user.employee.name,
            "csrf_token": generate_csrf(),
        }
    )


@bp.post("/<int:exam_id>/start")
@login_required
def start(exam_id: int):
    """Start or resume the exam: the paper (no key) and the clock.

    A refusal (409) keeps an expired attempt auto-submitted on the way (``CannotStart.keeps_changes``)."""
    now = utcnow()
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    body = request.get_json(silent=True)
    code = body.get("access_code", "") if isinstance(body, dict) else ""
    attempt = runtime.start_attempt(exam, current_user.employee, now, gate=gate_of_request(str(code or "")))
    return jsonify(runtime.candidate_paper(attempt, now))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def paper(attempt_id: int):
    """Resume: the paper with every saved answer and its sequence number."""
    now = utcnow()
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    runtime.finalise_if_expired(attempt, now)
    if not attempt.is_open:
        # The 409 keeps the auto-submission just made.
        raise AttemptClosed(_("This attempt has been submitted."), keeps_changes=True)
    return jsonify(runtime.candidate_paper(attempt, now))


@bp.put("/attempts/<int:attempt_id>/answers/<int:position>")
@bp.post("/attempts/<int:attempt_id>/answers/<int:position>")
@login_required
def save(attempt_id: int, position: int):
    """Save one answer: ``{"seq": 7, "response": {...}}``; the server keeps the highest seq."""
    now = utcnow()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadAnswer(_("Send a JSON object with seq and response."))
    try:
        result = runtime.save_answer(
            attempt_id, current_user.employee_id, position, body.get("seq"), body.get("response"), now
        )
    except AttemptClosed as exc:
        # Too late: the 409 says how the attempt ended, and keeps its auto-submission.
        attempt = runtime.settle_refused_save(attempt_id, now)
        raise AttemptClosed(exc.message, payload=_result_payload(attempt, now), keeps_changes=True) from exc
    return jsonify(
        {
            "position": position,
            "saved": result.saved,
            "seq": result.seq,
            "response": result.response,
            "saved_at": result.saved_at.isoformat() if result.saved_at else None,
            "remaining_seconds": result.remaining_seconds,
        }
    )


@bp.get("/attempts/<int:attempt_id>/time")
@login_required
def time_left(attempt_id: int):
    """The server's clock: now, deadline, seconds left, status (auto-submits a run-out attempt), and the
    invigilator's messages with an id above ``?after=`` (polled every few seconds by the page)."""
    now = utcnow()
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    runtime.finalise_if_expired(attempt, now)
    messages = invigilation.messages_for(attempt, request.args.get("after", 0, type=int))
    return jsonify(
        {
            "attempt_id": attempt.id,
            "status": attempt.status,
            **runtime.clock(attempt, now),
            "messages": messages,
        }
    )


@bp.post("/attempts/<int:attempt_id>/focus")
@login_required
def focus(attempt_id: int):
    """``{"kind": "hidden"|"blur"}``: the page was hidden or lost focus (only the candidate's own attempt)."""
    now = utcnow()
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    body = request.get_json(silent=True)
    kind = body.get("kind") if isinstance(body, dict) else None
    return jsonify(invigilation.record_focus(attempt, kind, now))


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """Submit and grade (idempotent: a second submit returns the same result)."""
    now = utcnow()
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    runtime.submit_attempt(attempt, now)
    return jsonify(_result_payload(attempt, now))
