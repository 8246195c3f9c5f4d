"""Trainer pages for marking: the grading queue, grading one question across candidates, and regrading."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from exams import marking
from exams.errors import ExamError
from exams.forms import GradeForm
from exams.views import manage_bp as bp
from exams.views.common import MANAGERS, managed_exam
from question_bank.models import QuestionVersion


@bp.get("/<int:exam_id>/grading")
@role_required(*MANAGERS)
def grading_queue(exam_id: int):
    exam = managed_exam(exam_id)
    return render_template("exams/manage/grading_queue.html", exam=exam, queue=marking.grading_queue(exam))


def _grade_posted(exam, version: QuestionVersion) -> None:
    """Record the mark posted for one answer; a refusal names the answer."""
    form = GradeForm()
    item_id = request.form.get("item_id", type=int)
    item = {i.id: i for i in marking.items_for_version(exam, version.id)}.get(item_id)
    if item is None:
        abort(404)
    if not form.validate_on_submit():
        flash(_("Answer %(n)s: give the points.", n=item_id), "danger")
        return
    try:
        points = marking.parse_points(form.points.data)
        rubric = [
            i
            for i, _r in enumerate((version.key or {}).get("rubric") or [])
            if request.form.get(f"rubric-{i}")
        ]
        marking.grade_item(item, points, form.comment.data or "", current_user, utcnow(), rubric)
    except ExamError as exc:
        raise ExamError(_("Answer %(n)s: %(msg)s", n=item_id, msg=str(exc))) from exc
    flash(_("Mark saved."), "success")


@bp.route("/<int:exam_id>/grading/<int:version_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def grade_question(exam_id: int, version_id: int):
    exam = managed_exam(exam_id)
    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        abort(404)
    if request.method == "POST":
        back = url_for(
            "exams_manage.grade_question",
            exam_id=exam.id,
            version_id=version_id,
            pending=request.args.get("pending", "1"),
        )
        with refusals_go_to(back):
            _grade_posted(exam, version)
        return redirect(back)
    pending_only = request.args.get("pending", "1") == "1"
    items = marking.items_for_version(exam, version_id, pending_only=pending_only)
    if not items and not marking.items_for_version(exam, version_id):
        abort(404)
    return render_template(
        "exams/manage/grade_question.html",
        exam=exam,
        version=version,
        items=items,
        pending_only=pending_only,
        form=GradeForm(),
    )


@bp.route("/<int:exam_id>/regrade", methods=["GET", "POST"])
@role_required(*MANAGERS)
def regrade(exam_id: int):
    exam = managed_exam(exam_id)
    now = utcnow()
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        changes = marking.regrade_apply(exam, current_user, now)
        flash(_("Regrade applied: %(n)d attempts changed.", n=len(changes)), "success")
        return redirect(url_for("exams_manage.exam_results", exam_id=exam.id))
    changes = marking.regrade_preview(exam, now)
    return render_template(
        "exams/manage/regrade.html", exam=exam, changes=changes, form=form, zero=Decimal(0)
    )
