"""Score review (成绩复核) pages: the candidate's request from their result page, and the owner's list of
requests with the answer form (a changed mark regrades the attempt)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from core.auth import login_required, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.i18n import gettext as _
from core.models import utcnow
from exams import marking, reviews, runtime
from exams.errors import ExamError
from exams.forms import ReviewAnswerForm, ReviewRequestForm
from exams.labels import REVIEW_STATUS_LABELS
from exams.models import ReviewRequest
from exams.views import bp, manage_bp
from exams.views.common import MANAGERS, managed_exam


@bp.post("/attempts/<int:attempt_id>/review")
@login_required
def request_review(attempt_id: int):
    attempt = runtime.own_attempt(attempt_id, current_user.employee_id)
    here = url_for("exams.attempt_result", attempt_id=attempt.id)
    form = ReviewRequestForm()
    if not form.validate_on_submit():
        flash(_("Say what you think was marked wrongly."), "danger")
        return redirect(here)
    with refusals_go_to(here):
        reviews.request_review(attempt, form.position.data, form.reason.data, utcnow())
    flash(_("Your score review request has been sent."), "success")
    return redirect(here + f"#q{form.position.data}")


@manage_bp.get("/<int:exam_id>/reviews")
@role_required(*MANAGERS)
def reviews_page(exam_id: int):
    exam = managed_exam(exam_id)
    return render_template(
        "exams/manage/reviews.html",
        exam=exam,
        requests=reviews.reviews_of_exam(exam),
        form=ReviewAnswerForm(formdata=None),
        statuses=REVIEW_STATUS_LABELS,
    )


@manage_bp.post("/<int:exam_id>/reviews/<int:review_id>")
@role_required(*MANAGERS)
def review_answer(exam_id: int, review_id: int):
    exam = managed_exam(exam_id)
    review = db.session.get(ReviewRequest, review_id)
    if review is None or review.attempt.exam_id != exam.id:
        abort(404)
    here = url_for("exams_manage.reviews_page", exam_id=exam.id)
    form = ReviewAnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the answer the candidate will read."), "danger")
        return redirect(here)
    with refusals_go_to(here):
        new_mark = None
        if form.decision.data == "changed":
            if not (form.new_mark.data or "").strip():
                raise ExamError(_("Give the new points for this question."))
            new_mark = marking.parse_points(form.new_mark.data)
        reviews.answer_review(
            review, new_mark=new_mark, answer=form.answer.data, by=current_user, now=utcnow()
        )
    flash(_("Answer sent to the candidate."), "success")
    return redirect(here)
