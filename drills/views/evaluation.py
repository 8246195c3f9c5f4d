"""Evaluator forms, self-assessment, the consolidated evaluation and the lead evaluator's settlements."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import login_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from drills import access, assessment, services
from drills.errors import DrillError
from drills.evaluation_models import Criterion, EvaluationSheet, FormKind, FormStatus
from drills.forms import SettleForm
from drills.models import DrillStatus
from drills.views import bp
from drills.views.common import load_drill


def _answers(criteria) -> dict[int, tuple[str, str]]:
    return {
        c.id: (request.form.get(f"level-{c.id}", "").strip(), request.form.get(f"comment-{c.id}", ""))
        for c in criteria
    }


def _sheet_page(drill, sheet: EvaluationSheet, title: str):
    criteria = assessment.applicable_criteria(drill)
    groups = []
    for c in criteria:
        if not groups or groups[-1][0].id != c.group_id:
            groups.append((c.group, []))
        groups[-1][1].append(c)
    post = PostForm()
    problems: list[str] = []
    values = {r.criterion_id: (r.level, r.comment) for r in sheet.ratings}
    if request.method == "POST":
        if not post.validate_on_submit():
            abort(400)
        answers = _answers(criteria)
        values = answers
        with refusals_go_to(url_for("drills.show", drill_id=drill.id)):
            # Nothing is saved when there are problems: the page is shown again with them.
            problems = assessment.save_form(
                sheet,
                answers,
                strengths=request.form.get("strengths", ""),
                remarks=request.form.get("remarks", ""),
                submit=request.form.get("action") == "submit",
                now=utcnow(),
            )
        if not problems:
            flash(
                _("Form submitted and locked.")
                if sheet.status == FormStatus.SUBMITTED
                else _("Draft saved."),
                "success",
            )
            return redirect(
                url_for("drills.show", drill_id=drill.id)
                if sheet.status == FormStatus.SUBMITTED
                else request.path
            )
    return render_template(
        "drills/evaluate.html",
        drill=drill,
        form=sheet,
        groups=groups,
        values=values,
        post=post,
        problems=problems,
        title=title,
        locked=sheet.status == FormStatus.SUBMITTED,
        strengths=request.form.get("strengths", sheet.strengths),
        remarks=request.form.get("remarks", sheet.remarks),
    )


@bp.route("/<int:drill_id>/evaluate", methods=["GET", "POST"])
@login_required
def evaluate(drill_id: int):
    drill = load_drill(drill_id)
    sheet = assessment.form_for(drill, current_user.employee, FormKind.EVALUATOR)
    if sheet is None:
        abort(404)
    return _sheet_page(drill, sheet, _("My evaluation form"))


@bp.route("/<int:drill_id>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(drill_id: int):
    drill = load_drill(drill_id)
    try:
        sheet = assessment.self_form(drill, current_user.employee)
    except DrillError as exc:  # a notice, not a failure: the drill page explains who may self-assess
        flash(str(exc), "warning")
        return redirect(url_for("drills.show", drill_id=drill.id))
    return _sheet_page(drill, sheet, _("My self-assessment (not counted in the score)"))


@bp.get("/<int:drill_id>/evaluation")
@login_required
def evaluation(drill_id: int):
    drill = load_drill(drill_id)
    me = current_user.employee_id
    manage = access.can_manage(current_user, drill)
    reads = manage or me in services.evaluator_ids(drill) or access.hr_covers(current_user, drill)
    if not reads or drill.status in (DrillStatus.PLANNED, DrillStatus.APPROVED):
        abort(404)
    if not assessment.may_see_others(drill, me):
        flash(
            _("Submit your own form first; the other evaluators' ratings stay hidden until then."), "warning"
        )
        return redirect(url_for("drills.evaluate", drill_id=drill.id))
    views = assessment.consolidated(drill)
    return render_template(
        "drills/evaluation.html",
        drill=drill,
        views=views,
        forms=assessment.forms_of(drill),
        result=assessment.current_result(drill),
        is_lead=drill.lead_evaluator_id == me,
        settle_form=SettleForm(),
        manage=manage,
    )


@bp.get("/<int:drill_id>/forms/<int:form_id>")
@login_required
def show_form(drill_id: int, form_id: int):
    drill = load_drill(drill_id)
    sheet = db.session.get(EvaluationSheet, form_id)
    if (
        sheet is None
        or sheet.drill_id != drill.id
        or not assessment.can_read_form(sheet, current_user.employee_id)
    ):
        abort(404)
    if sheet.evaluator_id != current_user.employee_id and not (
        access.can_manage(current_user, drill)
        or current_user.employee_id in services.evaluator_ids(drill)
        or access.hr_covers(current_user, drill)
    ):
        abort(404)
    ratings = {r.criterion_id: r for r in sheet.ratings}
    return render_template(
        "drills/form_show.html",
        drill=drill,
        form=sheet,
        ratings=ratings,
        criteria=assessment.applicable_criteria(drill),
    )


@bp.post("/<int:drill_id>/settle/<int:criterion_id>")
@login_required
def settle(drill_id: int, criterion_id: int):
    drill = load_drill(drill_id)
    criterion = db.session.get(Criterion, criterion_id)
    form = SettleForm()
    if criterion is None:
        abort(404)
    if not form.validate_on_submit():
        flash(_("Choose a rating and write a note."), "danger")
        return redirect(url_for("drills.evaluation", drill_id=drill.id))
    with refusals_go_to(url_for("drills.evaluation", drill_id=drill.id)):
        assessment.settle(drill, criterion, form.level.data, form.note.data, current_user.employee, utcnow())
    flash(_("%(code)s settled.", code=criterion.code), "success")
    return redirect(url_for("drills.evaluation", drill_id=drill.id))
