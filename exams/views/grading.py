"""Trainer pages for marking: the grading queue, grading one question across candidates, and regrading."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import role_required
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
    return render_template(
        "exams/manage/grading_queue.html",
        exam=exam,
        queue=marking.grading_queue(exam),
        sheets=marking.sheets_to_mark(exam),
    )


@bp.get("/<int:exam_id>/grading/attempts/<int:attempt_id>")
@role_required(*MANAGERS)
def grade_attempt(exam_id: int, attempt_id: int):
    """Marking by candidate: one answer sheet's hand-graded answers, each saved through its question."""
    exam = managed_exam(exam_id)
    items = marking.manual_items(exam, attempt_id)
    if not items:
        abort(404)
    return render_template(
        "exams/manage/grade_attempt.html",
        exam=exam,
        attempt=items[0].attempt,
        items=items,
        form=GradeForm(),
        here=url_for("exams_manage.grade_attempt", exam_id=exam.id, attempt_id=attempt_id),
    )


def _rubric(version: QuestionVersion) -> list[dict]:
    return (version.key or {}).get("rubric") or []


def _plain(value) -> str:
    """A points figure without trailing zeros (5, 7.5)."""
    return format(Decimal(str(value)).normalize(), "f")


def _rubric_total(version: QuestionVersion) -> Decimal | None:
    rubric = _rubric(version)
    if not rubric:
        return None
    return sum((Decimal(str(r.get("points") or 0)) for r in rubric), Decimal(0))


def _posted() -> dict:
    """What the marker posted for one answer, to record it or to show it again after a refusal."""
    return {
        "item_id": request.form.get("item_id", type=int),
        "points": (request.form.get("points") or "").strip(),
        "comment": request.form.get("comment") or "",
        "ticks": [
            int(k.split("-", 1)[1]) for k in request.form if k.startswith("rubric-") and k[7:].isdigit()
        ],
    }


def _grade_posted(exam, version: QuestionVersion, posted: dict) -> None:
    """Record the mark posted for one answer; the ticked rubric items give the points when none are
    typed; a refusal names the answer."""
    form = GradeForm()
    item_id = posted["item_id"]
    item = {i.id: i for i in marking.items_for_version(exam, version.id)}.get(item_id)
    if item is None:
        abort(404)
    if not form.validate_on_submit():
        raise ExamError(_("Answer %(n)s: the form has expired; save again.", n=item_id))
    rubric = _rubric(version)
    ticks = sorted(i for i in posted["ticks"] if i < len(rubric))
    try:
        if posted["points"]:
            points = marking.parse_points(posted["points"])
        elif ticks:
            points = sum((Decimal(str(rubric[i].get("points") or 0)) for i in ticks), Decimal(0))
        else:
            raise ExamError(_("give the points or tick the rubric items met."))
        marking.grade_item(item, points, posted["comment"], current_user, utcnow(), ticks)
    except ExamError as exc:
        raise ExamError(_("Answer %(n)s: %(msg)s", n=item_id, msg=str(exc))) from exc


def _marking_page(exam, version: QuestionVersion, pending_only: bool, posted: dict | None = None):
    items = marking.items_for_version(exam, version.id, pending_only=pending_only)
    if not items and not marking.items_for_version(exam, version.id):
        abort(404)
    total = _rubric_total(version)
    return render_template(
        "exams/manage/grade_question.html",
        exam=exam,
        version=version,
        items=items,
        pending_only=pending_only,
        form=GradeForm(),
        posted=posted or {},
        rubric_total=None if total is None else _plain(total),
        rubric_mismatch=total is not None and total != Decimal(str(version.points)),
        plain=_plain,
    )


def _after_save(exam, version: QuestionVersion, pending_only: bool) -> str:
    """Back to the candidate's sheet when marking by candidate; else on to the next unmarked answer."""
    sheets = url_for("exams_manage.grading_queue", exam_id=exam.id) + "/attempts/"
    wanted = request.args.get("next", "")
    if wanted.startswith(sheets) and wanted[len(sheets) :].isdigit():
        return wanted
    url = url_for(
        "exams_manage.grade_question", exam_id=exam.id, version_id=version.id, pending=int(pending_only)
    )
    waiting = marking.items_for_version(exam, version.id, pending_only=True)
    return url + (f"#item-{waiting[0].id}" if waiting else "")


@bp.route("/<int:exam_id>/grading/<int:version_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def grade_question(exam_id: int, version_id: int):
    exam = managed_exam(exam_id)
    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        abort(404)
    pending_only = request.args.get("pending", "1") == "1"
    if request.method == "POST":
        posted = _posted()
        try:
            _grade_posted(exam, version, posted)
        except ExamError as exc:
            # Shown again with what was posted (ticks, points, comment); nothing is recorded.
            flash(str(exc), "danger")
            return _marking_page(exam, version, pending_only, posted), 422
        flash(_("Mark saved."), "success")
        return redirect(_after_save(exam, version, pending_only))
    return _marking_page(exam, version, pending_only)


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
