"""Review before use (审核): the review queue and a reviewer's decision on a question (rules in
question_bank/review.py). Scoped like the rest of the bank: a question outside the trainer's categories is
a 404; the author of a question or of its current version is refused (403) — a second trainer reviews."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from core.auth import role_required
from core.i18n import gettext as _
from core.models import utcnow
from question_bank import review, services
from question_bank.errors import QuestionError
from question_bank.forms import ReviewForm
from question_bank.labels import REVIEW_STATUS_LABELS, TYPE_LABELS
from question_bank.views import bp
from question_bank.views.common import BANK_ROLES
from question_bank.views.questions import show_context


@bp.get("/review")
@role_required(*BANK_ROLES)
def review_queue():
    return render_template(
        "question_bank/review_queue.html",
        queue=review.queue(current_user),
        type_labels=TYPE_LABELS,
        status_labels=REVIEW_STATUS_LABELS,
        comment_of=review.last_comment,
    )


@bp.post("/<int:question_id>/review")
@role_required(*BANK_ROLES)
def review_decide(question_id: int):
    question = services.visible_question(current_user, question_id)
    if question is None:
        abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    now = utcnow()
    if form.send_back.data:
        try:
            review.send_back(question, current_user, form.comment.data or "", now)
        except QuestionError as error:
            if error.status != 400:
                raise
            # The comment is missing or too long: the question page again, the error beside the field.
            form.comment.errors = [*form.comment.errors, str(error)]
            return render_template("question_bank/show.html", **show_context(question, review_form=form)), 400
        flash(_("Question sent back to its author with your comment."), "success")
    else:
        review.approve(question, current_user, now, form.comment.data or "")
        flash(_("Question approved: certification papers may use it."), "success")
    return redirect(url_for("question_bank.review_queue"))
