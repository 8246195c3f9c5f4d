"""Candidate pages: my exams, an exam's landing page, the runtime page, and the result / review."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import login_required
from core.extensions import db
from core.forms import PostForm
from core.models import utcnow
from exams import runtime, services
from exams.models import PURPOSE_LABELS, Attempt, AttemptStatus, Exam
from exams.services import ExamError, NotAvailable

bp = Blueprint("exams", __name__, url_prefix="/exams")


def _visible_exam(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    try:
        runtime.check_can_sit(exam, current_user.employee)
    except NotAvailable:
        abort(404)
    return exam


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.employee_id != current_user.employee_id:
        abort(404)
    return attempt


def my_exams_card(user, now):
    """Dashboard card: the exams the employee may sit now or soon."""
    exams = [e for e in services.candidate_exams(user.employee, now, recent_days=0) if e.closes_at > now]
    if not exams:
        return None
    return {"exams": exams[:5], "now": now, "more": len(exams) > 5}


@bp.get("/mine")
@login_required
def mine():
    now = utcnow()
    exams = services.candidate_exams(current_user.employee, now)
    rows = []
    for exam in exams:
        attempts = services.attempts_of(exam, current_user.employee)
        rows.append(
            (exam, attempts, services.pick_final([a for a in attempts if not a.is_open], exam.grading_method))
        )
    return render_template("exams/mine.html", rows=rows, now=now, purposes=PURPOSE_LABELS)


@bp.get("/<int:exam_id>")
@login_required
def show(exam_id: int):
    now = utcnow()
    exam = _visible_exam(exam_id)
    employee = current_user.employee
    current = runtime.open_attempt(exam, employee)
    if current is not None and runtime.finalise_if_expired(current, now):
        db.session.commit()
        current = None
    attempts = services.attempts_of(exam, employee)
    can_start = exam.opens_at <= now < exam.closes_at and len(attempts) < exam.max_attempts
    return render_template(
        "exams/show.html",
        exam=exam,
        attempts=attempts,
        current=current,
        can_start=can_start,
        now=now,
        form=PostForm(),
        purposes=PURPOSE_LABELS,
        max_score=services.blueprint_max_score(exam.blueprint),
        score_visible=runtime.score_visible,
    )


@bp.post("/<int:exam_id>/start")
@login_required
def start(exam_id: int):
    now = utcnow()
    exam = _visible_exam(exam_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        attempt = runtime.start_attempt(exam, current_user.employee, now)
    except ExamError as exc:
        db.session.commit()
        flash(str(exc), "warning")
        return redirect(url_for("exams.show", exam_id=exam.id))
    db.session.commit()
    return redirect(url_for("exams.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    now = utcnow()
    attempt = _own_attempt(attempt_id)
    if runtime.finalise_if_expired(attempt, now):
        db.session.commit()
    if not attempt.is_open:
        return redirect(url_for("exams.attempt_result", attempt_id=attempt.id))
    paper = runtime.candidate_paper(attempt, now)
    return render_template(
        "exams/take.html", attempt=attempt, paper=paper, render_stem=runtime.render_stem, form=PostForm()
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    now = utcnow()
    attempt = _own_attempt(attempt_id)
    if not PostForm().validate_on_submit():
        abort(400)
    runtime.submit_attempt(attempt, now)
    db.session.commit()
    flash(_("Your answers have been submitted."), "success")
    return redirect(url_for("exams.attempt_result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def attempt_result(attempt_id: int):
    now = utcnow()
    attempt = _own_attempt(attempt_id)
    if runtime.finalise_if_expired(attempt, now):
        db.session.commit()
    if attempt.is_open:
        return redirect(url_for("exams.take", attempt_id=attempt.id))
    show_score = runtime.score_visible(attempt, now)
    review = None
    if show_score:
        items = runtime.load_items(attempt)
        versions = runtime.versions_of(items)
        review = [(i, versions[i.version_id]) for i in items]
    return render_template(
        "exams/result.html",
        attempt=attempt,
        exam=attempt.exam,
        show_score=show_score,
        show_answers=runtime.answers_visible(attempt, now),
        show_explanations=runtime.explanations_visible(attempt, now),
        review=review,
        pending=attempt.status == AttemptStatus.SUBMITTED,
    )
