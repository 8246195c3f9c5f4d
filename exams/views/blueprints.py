"""Trainer pages for paper blueprints (组卷规则): list, create, edit, copy, sections and rules, preview."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.auth import role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from exams import papers, services
from exams.errors import ExamError
from exams.forms import BlueprintForm, RuleForm, SamplePaperExportForm, SectionForm
from exams.models import BlueprintRule, BlueprintSection, PaperBlueprint, RuleKind
from exams.views import manage_bp as bp
from exams.views.common import MANAGERS, department_choices, managed_blueprint
from question_bank.categories import can_use_category, category_label, visible_categories
from question_bank.models import Category, Tag
from question_bank.services import visible_question

_STEPS = {"up": -1, "down": 1}


@bp.get("/blueprints")
@role_required(*MANAGERS)
def blueprints():
    items = db.session.scalars(services.blueprints_query(current_user)).all()
    return render_template(
        "exams/manage/blueprints.html", blueprints=items, max_score=papers.blueprint_max_score
    )


@bp.route("/blueprints/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def blueprint_new():
    form = BlueprintForm()
    form.owner_department_id.choices = department_choices()
    if form.validate_on_submit():
        blueprint = PaperBlueprint(
            title=form.title.data.strip(),
            description=form.description.data or "",
            owner_department_id=form.owner_department_id.data or None,
            created_by_id=current_user.id,
        )
        db.session.add(blueprint)
        db.session.flush()
        papers.add_section(blueprint, _("Section 1"))
        return redirect(url_for("exams_manage.blueprint", blueprint_id=blueprint.id))
    return render_template("exams/manage/form.html", form=form, title=_("New paper blueprint"))


def _rule_form(blueprint: PaperBlueprint) -> RuleForm:
    form = RuleForm(prefix="rule")
    form.section_id.choices = choices([(s.id, s.title) for s in blueprint.sections])
    visible = visible_categories(current_user)
    by_id = {c.id: c for c in visible}
    form.category_id.choices = choices(
        [(0, _("Any category"))] + [(c.id, category_label(c, by_id)) for c in visible]
    )
    form.tag_ids.choices = choices(
        [(t.id, t.name) for t in db.session.scalars(select(Tag).order_by(Tag.name))]
    )
    return form


def _blueprint_page(blueprint: PaperBlueprint, section_form=None, rule_form=None):
    counts = {r.id: papers.available_count(r) for s in blueprint.sections for r in s.rules}
    return render_template(
        "exams/manage/blueprint.html",
        blueprint=blueprint,
        problems=papers.validate_blueprint(blueprint),
        counts=counts,
        describe=papers.describe_rule,
        max_score=papers.blueprint_max_score(blueprint),
        section_form=section_form or SectionForm(prefix="section"),
        rename_forms={
            s.id: SectionForm(prefix=f"s{s.id}", formdata=None, data={"title": s.title})
            for s in blueprint.sections
        },
        locked=papers.blueprint_attempted(blueprint),
        rule_form=rule_form or _rule_form(blueprint),
        post_form=PostForm(),
    )


def _editor(blueprint: PaperBlueprint) -> str:
    return url_for("exams_manage.blueprint", blueprint_id=blueprint.id)


@bp.get("/blueprints/<int:blueprint_id>")
@role_required(*MANAGERS)
def blueprint(blueprint_id: int):
    return _blueprint_page(managed_blueprint(blueprint_id))


@bp.route("/blueprints/<int:blueprint_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def blueprint_edit(blueprint_id: int):
    """Title, description and owner department (editable even once the blueprint has been sat)."""
    blueprint = managed_blueprint(blueprint_id)
    form = BlueprintForm(obj=blueprint)
    form.owner_department_id.choices = department_choices()
    if request.method == "GET":
        form.owner_department_id.data = blueprint.owner_department_id or 0
    if form.validate_on_submit():
        blueprint.title = form.title.data.strip()
        blueprint.description = form.description.data or ""
        blueprint.owner_department_id = form.owner_department_id.data or None
        blueprint.updated_at = utcnow()
        flash(_("Blueprint saved."), "success")
        return redirect(_editor(blueprint))
    return render_template("exams/manage/form.html", form=form, title=_("Edit paper blueprint"))


@bp.post("/blueprints/<int:blueprint_id>/copy")
@role_required(*MANAGERS)
def blueprint_copy(blueprint_id: int):
    blueprint = managed_blueprint(blueprint_id)
    if not PostForm().validate_on_submit():
        abort(400)
    copy = papers.copy_blueprint(blueprint, _("%(title)s (copy)", title=blueprint.title), current_user)
    flash(_("This is a copy of %(title)s; change its rules freely.", title=blueprint.title), "success")
    return redirect(_editor(copy))


def _structure_change(blueprint: PaperBlueprint, change) -> object:
    """Apply ``change()`` to an unlocked blueprint; a locked one gets a message and no change."""
    with refusals_go_to(_editor(blueprint)):
        papers.ensure_structure_editable(blueprint)
        change()
    blueprint.updated_at = utcnow()
    return redirect(_editor(blueprint))


def _section(blueprint: PaperBlueprint, section_id: int) -> BlueprintSection:
    section = db.session.get(BlueprintSection, section_id)
    if section is None or section.blueprint_id != blueprint.id:
        abort(404)
    return section


def _rule(blueprint: PaperBlueprint, rule_id: int) -> BlueprintRule:
    rule = db.session.get(BlueprintRule, rule_id)
    if rule is None or rule.section.blueprint_id != blueprint.id:
        abort(404)
    return rule


@bp.post("/blueprints/<int:blueprint_id>/sections")
@role_required(*MANAGERS)
def blueprint_add_section(blueprint_id: int):
    blueprint = managed_blueprint(blueprint_id)
    form = SectionForm(prefix="section")
    if not form.validate_on_submit():
        return _blueprint_page(blueprint, section_form=form), 400
    return _structure_change(blueprint, lambda: papers.add_section(blueprint, form.title.data.strip()))


@bp.post("/blueprints/<int:blueprint_id>/sections/<int:section_id>/rename")
@role_required(*MANAGERS)
def blueprint_rename_section(blueprint_id: int, section_id: int):
    blueprint = managed_blueprint(blueprint_id)
    section = _section(blueprint, section_id)
    form = SectionForm(prefix=f"s{section.id}")
    if not form.validate_on_submit():
        flash(_("Give the section a title (at most 200 characters)."), "danger")
        return redirect(_editor(blueprint))
    return _structure_change(blueprint, lambda: papers.rename_section(section, form.title.data.strip()))


@bp.post("/blueprints/<int:blueprint_id>/sections/<int:section_id>/move/<any(up, down):direction>")
@role_required(*MANAGERS)
def blueprint_move_section(blueprint_id: int, section_id: int, direction: str):
    blueprint = managed_blueprint(blueprint_id)
    section = _section(blueprint, section_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: papers.move_section(section, _STEPS[direction]))


@bp.post("/blueprints/<int:blueprint_id>/sections/<int:section_id>/delete")
@role_required(*MANAGERS)
def blueprint_delete_section(blueprint_id: int, section_id: int):
    blueprint = managed_blueprint(blueprint_id)
    section = _section(blueprint, section_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: papers.delete_section(section))


@bp.post("/blueprints/<int:blueprint_id>/rules/<int:rule_id>/move/<any(up, down):direction>")
@role_required(*MANAGERS)
def blueprint_move_rule(blueprint_id: int, rule_id: int, direction: str):
    blueprint = managed_blueprint(blueprint_id)
    rule = _rule(blueprint, rule_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: papers.move_rule(rule, _STEPS[direction]))


@bp.post("/blueprints/<int:blueprint_id>/rules")
@role_required(*MANAGERS)
def blueprint_add_rule(blueprint_id: int):
    blueprint = managed_blueprint(blueprint_id)
    with refusals_go_to(_editor(blueprint)):
        papers.ensure_structure_editable(blueprint)
    form = _rule_form(blueprint)
    if not form.validate_on_submit():
        return _blueprint_page(blueprint, rule_form=form), 400
    section = db.session.get(BlueprintSection, form.section_id.data)
    if section is None or section.blueprint_id != blueprint.id:
        abort(404)
    fixed = form.kind.data == RuleKind.FIXED
    # Only questions and categories this trainer may see in the bank (others answer as missing).
    if fixed and visible_question(current_user, form.question_id.data or 0) is None:
        form.question_id.errors = [_("Question #%(id)s does not exist.", id=form.question_id.data)]
        return _blueprint_page(blueprint, rule_form=form), 400
    if (
        not fixed
        and form.category_id.data
        and not can_use_category(current_user, db.session.get(Category, form.category_id.data))
    ):
        abort(404)
    try:
        rule = papers.add_rule(
            section,
            kind=form.kind.data,
            count=1 if fixed else form.count.data,
            points=form.points.data,
            category_id=None if fixed else (form.category_id.data or None),
            chapters=[] if fixed else list(form.chapters.data or []),
            types=[] if fixed else list(form.types.data or []),
            difficulties=[] if fixed else list(form.difficulties.data or []),
            tag_ids=[] if fixed else list(form.tag_ids.data or []),
            question_id=form.question_id.data if fixed else None,
        )
    except ExamError as exc:  # shown beside the field; the 400 answer keeps nothing
        form.question_id.errors = [str(exc)]
        return _blueprint_page(blueprint, rule_form=form), 400
    blueprint.updated_at = utcnow()
    if papers.validate_blueprint(blueprint):
        flash(_("Saved, but the bank cannot satisfy every rule yet: see the problems listed."), "warning")
    else:
        flash(_("Rule added: %(rule)s.", rule=papers.describe_rule(rule)), "success")
    return redirect(_editor(blueprint))


@bp.post("/blueprints/<int:blueprint_id>/rules/<int:rule_id>/delete")
@role_required(*MANAGERS)
def blueprint_delete_rule(blueprint_id: int, rule_id: int):
    blueprint = managed_blueprint(blueprint_id)
    rule = _rule(blueprint, rule_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: papers.delete_rule(rule))


@bp.get("/blueprints/<int:blueprint_id>/preview")
@role_required(*MANAGERS)
def blueprint_preview(blueprint_id: int):
    blueprint = managed_blueprint(blueprint_id)
    seed = request.args.get("seed", type=int) or int(utcnow().timestamp())
    with refusals_go_to(_editor(blueprint)):
        paper = papers.draw_paper(blueprint, seed)
    return render_template(
        "exams/manage/preview.html",
        blueprint=blueprint,
        paper=paper,
        seed=seed,
        export_form=SamplePaperExportForm(formdata=None),
    )
