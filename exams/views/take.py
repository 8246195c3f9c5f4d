"""Candidate pages: my exams, an exam's landing page, the runtime page, and the result / review."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import login_required
from core.errors import refusals_go_to
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from exams import arrangements, papers, reviews, runtime, services
from exams.forms import ReviewRequestForm
from exams.labels import ATTEMPT_STATUS_LABELS, PURPOSE_LABELS, REVIEW_STATUS_LABELS
from exams.models import AttemptStatus
from exams.views import bp
from exams.views.common import gate_of_request, visible_exam


@bp.get("/mine")
@login_required
def mine():
    now = utcnow()
    exams = services.candidate_exams(current_user.employee, now)
    rows = []
    for exam in exams:
        attempts = services.attempts_of(exam, current_user.employee)
        finished = [a for a in attempts if not a.is_open]
        rows.append((exam, attempts, finished[-1] if finished else None))
    return render_template(
        "exams/mine.html",
        rows=rows,
        now=now,
        purposes=PURPOSE_LABELS,
        statuses=ATTEMPT_STATUS_LABELS,
        score_visible=runtime.score_visible,
        invigilated=services.invigilated_exams(current_user),
    )


@bp.get("/<int:exam_id>")
@login_required
def show(exam_id: int):
    now = utcnow()
    exam = visible_exam(exam_id)
    employee = current_user.employee
    current = runtime.open_attempt(exam, employee)
    if current is not None and runtime.finalise_if_expired(current, now):
        current = None
    attempts = services.attempts_of(exam, employee)
    terms = arrangements.terms(exam, employee.id)
    can_start = terms.opens_at <= now < terms.closes_at and len(attempts) < terms.max_attempts
    return render_template(
        "exams/show.html",
        exam=exam,
        terms=terms,
        attempts=attempts,
        current=current,
        can_start=can_start,
        now=now,
        form=PostForm(),
        purposes=PURPOSE_LABELS,
        max_score=papers.blueprint_max_score(exam.blueprint),
        score_visible=runtime.score_visible,
    )


@bp.post("/<int:exam_id>/start")
@login_required
def start(exam_id: int):
    now = utcnow()
    exam = visible_exam(exam_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(url_for("exams.show", exam_id=exam.id)):
        gate = gate_of_request(request.form.get("access_code", ""))
        attempt = runtime.start_attempt(exam, current_user.employee, now, gate=gate)
    return redirect(url_for("exams.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    now = utcnow()
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    runtime.finalise_if_expired(attempt, now)
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
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    if not PostForm().validate_on_submit():
        abort(400)
    runtime.submit_attempt(attempt, now)
    flash(_("Your answers have been submitted."), "success")
    return redirect(url_for("exams.attempt_result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def attempt_result(attempt_id: int):
    now = utcnow()
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    runtime.finalise_if_expired(attempt, now)
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
        review_until=reviews.review_deadline(attempt, now) if reviews.can_request(attempt, now) else None,
        review_requests={r.item_id: r for r in reviews.reviews_of_attempt(attempt)},
        review_form=ReviewRequestForm(formdata=None),
        review_statuses=REVIEW_STATUS_LABELS,
        exam=attempt.exam,
        show_score=show_score,
        show_answers=runtime.answers_visible(attempt, now),
        show_explanations=runtime.explanations_visible(attempt, now),
        review=review,
        pending=attempt.status == AttemptStatus.SUBMITTED,
    )
