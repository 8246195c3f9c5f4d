"""Trainer and HR pages: blueprints, exams, audience, re-sits, results, statistics, grading and regrade."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Employee, Position
from accounts.services import departments_in_scope, scope_clause
from core import audit
from core.auth import Role, role_required
from core.extensions import db
from core.forms import PostForm, choices
from core.models import utcnow
from core.timeutil import local_to_utc, to_local
from exams import marking, outcomes, results, runtime, services
from exams.forms import AudienceForm, BlueprintForm, ExamForm, GradeForm, ResitForm, RuleForm, SectionForm
from exams.models import (
    ATTEMPT_STATUS_LABELS,
    MULTIPLE_RULE_LABELS,
    PURPOSE_LABELS,
    RELEASE_LABELS,
    Attempt,
    AudienceKind,
    BlueprintRule,
    BlueprintSection,
    Exam,
    PaperBlueprint,
    RuleKind,
)
from exams.services import ExamError
from question_bank.categories import can_use_category, category_label, visible_categories
from question_bank.models import Category, QuestionVersion, Tag
from question_bank.services import visible_question

bp = Blueprint("exams_manage", __name__, url_prefix="/exams/manage")

MANAGERS = (Role.TRAINER, Role.ADMIN)
READERS = (Role.TRAINER, Role.HR, Role.ADMIN)


def _exam(exam_id: int, *, manage: bool = True) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    allowed = (
        services.can_manage_exam(current_user, exam)
        if manage
        else services.can_view_results(current_user, exam)
    )
    if not allowed:
        abort(404)
    return exam


def _blueprint(blueprint_id: int) -> PaperBlueprint:
    blueprint = db.session.get(PaperBlueprint, blueprint_id)
    if blueprint is None or not services.can_manage_blueprint(current_user, blueprint):
        abort(404)
    return blueprint


def _department_choices() -> list:
    roots = current_user.scope_roots(Role.TRAINER)
    pairs = [] if roots and not current_user.has_any_role(Role.ADMIN) else [(0, _("Whole company"))]
    role = Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.TRAINER
    pairs += [(d.id, "　" * d.depth + d.name) for d in departments_in_scope(current_user, role)]
    return choices(pairs)


# ---------------------------------------------------------------- blueprints


@bp.get("/blueprints")
@role_required(*MANAGERS)
def blueprints():
    items = db.session.scalars(services.blueprints_query(current_user)).all()
    return render_template(
        "exams/manage/blueprints.html", blueprints=items, max_score=services.blueprint_max_score
    )


@bp.route("/blueprints/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def blueprint_new():
    form = BlueprintForm()
    form.owner_department_id.choices = _department_choices()
    if form.validate_on_submit():
        blueprint = PaperBlueprint(
            title=form.title.data.strip(),
            description=form.description.data or "",
            owner_department_id=form.owner_department_id.data or None,
            created_by_id=current_user.id,
        )
        db.session.add(blueprint)
        db.session.flush()
        services.add_section(blueprint, _("Section 1"))
        db.session.commit()
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
    counts = {r.id: services.available_count(r) for s in blueprint.sections for r in s.rules}
    return render_template(
        "exams/manage/blueprint.html",
        blueprint=blueprint,
        problems=services.validate_blueprint(blueprint),
        counts=counts,
        describe=services.describe_rule,
        max_score=services.blueprint_max_score(blueprint),
        section_form=section_form or SectionForm(prefix="section"),
        rename_forms={
            s.id: SectionForm(prefix=f"s{s.id}", formdata=None, data={"title": s.title})
            for s in blueprint.sections
        },
        locked=services.blueprint_attempted(blueprint),
        rule_form=rule_form or _rule_form(blueprint),
        post_form=PostForm(),
    )


@bp.get("/blueprints/<int:blueprint_id>")
@role_required(*MANAGERS)
def blueprint(blueprint_id: int):
    return _blueprint_page(_blueprint(blueprint_id))


@bp.route("/blueprints/<int:blueprint_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def blueprint_edit(blueprint_id: int):
    """Title, description and owner department (editable even once the blueprint has been sat)."""
    blueprint = _blueprint(blueprint_id)
    form = BlueprintForm(obj=blueprint)
    form.owner_department_id.choices = _department_choices()
    if request.method == "GET":
        form.owner_department_id.data = blueprint.owner_department_id or 0
    if form.validate_on_submit():
        blueprint.title = form.title.data.strip()
        blueprint.description = form.description.data or ""
        blueprint.owner_department_id = form.owner_department_id.data or None
        blueprint.updated_at = utcnow()
        db.session.commit()
        flash(_("Blueprint saved."), "success")
        return redirect(url_for("exams_manage.blueprint", blueprint_id=blueprint.id))
    return render_template("exams/manage/form.html", form=form, title=_("Edit paper blueprint"))


@bp.post("/blueprints/<int:blueprint_id>/copy")
@role_required(*MANAGERS)
def blueprint_copy(blueprint_id: int):
    blueprint = _blueprint(blueprint_id)
    if not PostForm().validate_on_submit():
        abort(400)
    copy = services.copy_blueprint(blueprint, _("%(title)s (copy)", title=blueprint.title), current_user)
    db.session.commit()
    flash(_("This is a copy of %(title)s; change its rules freely.", title=blueprint.title), "success")
    return redirect(url_for("exams_manage.blueprint", blueprint_id=copy.id))


def _structure_change(blueprint: PaperBlueprint, change) -> object:
    """Apply ``change()`` to an unlocked blueprint and commit; a locked one gets a message and no change."""
    try:
        services.ensure_structure_editable(blueprint)
        change()
    except ExamError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        blueprint.updated_at = utcnow()
        db.session.commit()
    return redirect(url_for("exams_manage.blueprint", blueprint_id=blueprint.id))


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


_STEPS = {"up": -1, "down": 1}


@bp.post("/blueprints/<int:blueprint_id>/sections")
@role_required(*MANAGERS)
def blueprint_add_section(blueprint_id: int):
    blueprint = _blueprint(blueprint_id)
    form = SectionForm(prefix="section")
    if not form.validate_on_submit():
        return _blueprint_page(blueprint, section_form=form), 400
    return _structure_change(blueprint, lambda: services.add_section(blueprint, form.title.data.strip()))


@bp.post("/blueprints/<int:blueprint_id>/sections/<int:section_id>/rename")
@role_required(*MANAGERS)
def blueprint_rename_section(blueprint_id: int, section_id: int):
    blueprint = _blueprint(blueprint_id)
    section = _section(blueprint, section_id)
    form = SectionForm(prefix=f"s{section.id}")
    if not form.validate_on_submit():
        flash(_("Give the section a title (at most 200 characters)."), "danger")
        return redirect(url_for("exams_manage.blueprint", blueprint_id=blueprint.id))
    return _structure_change(blueprint, lambda: services.rename_section(section, form.title.data.strip()))


@bp.post("/blueprints/<int:blueprint_id>/sections/<int:section_id>/move/<any(up, down):direction>")
@role_required(*MANAGERS)
def blueprint_move_section(blueprint_id: int, section_id: int, direction: str):
    blueprint = _blueprint(blueprint_id)
    section = _section(blueprint, section_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: services.move_section(section, _STEPS[direction]))


@bp.post("/blueprints/<int:blueprint_id>/sections/<int:section_id>/delete")
@role_required(*MANAGERS)
def blueprint_delete_section(blueprint_id: int, section_id: int):
    blueprint = _blueprint(blueprint_id)
    section = _section(blueprint, section_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: services.delete_section(section))


@bp.post("/blueprints/<int:blueprint_id>/rules/<int:rule_id>/move/<any(up, down):direction>")
@role_required(*MANAGERS)
def blueprint_move_rule(blueprint_id: int, rule_id: int, direction: str):
    blueprint = _blueprint(blueprint_id)
    rule = _rule(blueprint, rule_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: services.move_rule(rule, _STEPS[direction]))


@bp.post("/blueprints/<int:blueprint_id>/rules")
@role_required(*MANAGERS)
def blueprint_add_rule(blueprint_id: int):
    blueprint = _blueprint(blueprint_id)
    try:
        services.ensure_structure_editable(blueprint)
    except ExamError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("exams_manage.blueprint", blueprint_id=blueprint.id))
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
        rule = services.add_rule(
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
    except ExamError as exc:
        db.session.rollback()
        form.question_id.errors = [str(exc)]
        return _blueprint_page(_blueprint(blueprint_id), rule_form=form), 400
    blueprint.updated_at = utcnow()
    problems = services.validate_blueprint(blueprint)
    db.session.commit()
    if problems:
        flash(_("Saved, but the bank cannot satisfy every rule yet: see the problems listed."), "warning")
    else:
        flash(_("Rule added: %(rule)s.", rule=services.describe_rule(rule)), "success")
    return redirect(url_for("exams_manage.blueprint", blueprint_id=blueprint.id))


@bp.post("/blueprints/<int:blueprint_id>/rules/<int:rule_id>/delete")
@role_required(*MANAGERS)
def blueprint_delete_rule(blueprint_id: int, rule_id: int):
    blueprint = _blueprint(blueprint_id)
    rule = _rule(blueprint, rule_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _structure_change(blueprint, lambda: services.delete_rule(rule))


@bp.get("/blueprints/<int:blueprint_id>/preview")
@role_required(*MANAGERS)
def blueprint_preview(blueprint_id: int):
    blueprint = _blueprint(blueprint_id)
    seed = request.args.get("seed", type=int) or int(utcnow().timestamp())
    try:
        paper = services.draw_paper(blueprint, seed)
    except ExamError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("exams_manage.blueprint", blueprint_id=blueprint.id))
    return render_template("exams/manage/preview.html", blueprint=blueprint, paper=paper, seed=seed)


# ---------------------------------------------------------------- exams


@bp.get("")
@role_required(*READERS)
def index():
    exams = db.session.scalars(services.exams_query(current_user)).all()
    return render_template("exams/manage/index.html", exams=exams, now=utcnow(), purposes=PURPOSE_LABELS)


def _exam_form(exam: Exam | None) -> ExamForm:
    form = ExamForm(obj=exam)
    form.blueprint_id.choices = choices(
        [(b.id, b.title) for b in db.session.scalars(services.blueprints_query(current_user))]
    )
    form.owner_department_id.choices = _department_choices()
    form.certificate_type_id.choices = choices([(0, _("(none)"))] + outcomes.certificate_type_choices())
    form.course_id.choices = choices([(0, _("(none)"))] + outcomes.course_choices(current_user))
    if exam is not None and request.method == "GET":
        form.certificate_type_id.data = exam.certificate_type_id or 0
        linked = outcomes.linked_course(exam)
        form.course_id.data = linked.id if linked else 0
        form.opens_at.data = to_local(exam.opens_at).replace(tzinfo=None)
        form.closes_at.data = to_local(exam.closes_at).replace(tzinfo=None)
        form.owner_department_id.data = exam.owner_department_id or 0
    return form


def _save_exam(form: ExamForm, exam: Exam) -> None:
    for name in (
        "title",
        "description",
        "purpose",
        "blueprint_id",
        "duration_minutes",
        "max_attempts",
        "grading_method",
        "pass_percent",
        "multiple_rule",
        "shuffle_questions",
        "shuffle_options",
        "results_release",
        "show_answers",
        "show_explanations",
        "blind_grading",
        "published",
    ):
        setattr(exam, name, getattr(form, name).data)
    exam.certificate_type_id = form.certificate_type_id.data or None
    exam.description = exam.description or ""
    exam.opens_at = local_to_utc(form.opens_at.data)
    exam.closes_at = local_to_utc(form.closes_at.data)
    exam.owner_department_id = form.owner_department_id.data or None
    blueprint = db.session.get(PaperBlueprint, exam.blueprint_id)
    if blueprint is None or not services.can_manage_blueprint(current_user, blueprint):
        raise ExamError(_("Choose one of your paper blueprints."))
    if exam.published:
        problems = services.validate_blueprint(blueprint)
        if problems:
            raise ExamError(_("The blueprint cannot be drawn yet: %(p)s", p=" ".join(problems)))
    services.check_exam_settings(exam)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def exam_new():
    form = _exam_form(None)
    if form.validate_on_submit():
        exam = Exam(created_by_id=current_user.id)
        try:
            _save_exam(form, exam)
        except ExamError as exc:
            form.blueprint_id.errors = [str(exc)]
        else:
            db.session.add(exam)
            outcomes.link_course(exam, form.course_id.data or None)
            db.session.commit()
            flash(_("Exam saved. Now choose its audience."), "success")
            return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    return render_template("exams/manage/form.html", form=form, title=_("New exam")), (
        400 if form.errors else 200
    )


@bp.route("/<int:exam_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def exam_edit(exam_id: int):
    exam = _exam(exam_id)
    form = _exam_form(exam)
    if form.validate_on_submit():
        try:
            _save_exam(form, exam)
        except ExamError as exc:
            db.session.rollback()
            form.blueprint_id.errors = [str(exc)]
        else:
            outcomes.link_course(exam, form.course_id.data or None)
            db.session.commit()
            flash(_("Exam saved."), "success")
            return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    return render_template("exams/manage/form.html", form=form, title=exam.title), (
        400 if form.errors else 200
    )


def _audience_form(exam: Exam) -> AudienceForm:
    form = AudienceForm()
    role = Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.TRAINER
    form.departments.choices = choices(
        [(d.id, "　" * d.depth + d.name) for d in departments_in_scope(current_user, role)]
    )
    form.positions.choices = choices(
        [(p.id, p.name) for p in db.session.scalars(select(Position).order_by(Position.code))]
    )
    if request.method == "GET":
        form.departments.data = [a.target_id for a in exam.audience if a.kind == AudienceKind.DEPARTMENT]
        form.positions.data = [a.target_id for a in exam.audience if a.kind == AudienceKind.POSITION]
        ids = [a.target_id for a in exam.audience if a.kind == AudienceKind.EMPLOYEE]
        numbers = db.session.scalars(select(Employee.employee_no).where(Employee.id.in_(ids))) if ids else []
        form.employees.data = ", ".join(numbers)
    return form


@bp.get("/<int:exam_id>")
@role_required(*READERS)
def exam(exam_id: int):
    exam = _exam(exam_id, manage=False)
    return render_template(
        "exams/manage/exam.html",
        exam=exam,
        can_manage=services.can_manage_exam(current_user, exam),
        audience_form=_audience_form(exam),
        resit_form=ResitForm(),
        purposes=PURPOSE_LABELS,
        releases=RELEASE_LABELS,
        rules=MULTIPLE_RULE_LABELS,
        max_score=services.blueprint_max_score(exam.blueprint),
        resits=db.session.scalars(select(Exam).where(Exam.parent_exam_id == exam.id)).all(),
        attempt_count=len(results.final_attempts(exam, current_user)),
    )


@bp.post("/<int:exam_id>/audience")
@role_required(*MANAGERS)
def exam_audience(exam_id: int):
    exam = _exam(exam_id)
    form = _audience_form(exam)
    if not form.validate_on_submit():
        flash(_("The audience could not be saved."), "danger")
        return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    numbers = [
        n.strip().upper() for n in (form.employees.data or "").replace("，", ",").split(",") if n.strip()
    ]
    # Only people the trainer covers; a number outside their scope reads as unknown (no lookup oracle).
    in_scope = (
        Employee.id.is_not(None)
        if current_user.has_any_role(Role.ADMIN)
        else scope_clause(current_user, Role.TRAINER, Employee.department_id)
    )
    found = dict(
        db.session.execute(
            select(Employee.employee_no, Employee.id).where(Employee.employee_no.in_(numbers), in_scope)
        ).all()
    )
    missing = [n for n in numbers if n not in found]
    if missing:
        flash(_("Unknown employee numbers: %(n)s. Nothing was changed.", n=", ".join(missing)), "danger")
        return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    services.set_audience(exam, form.departments.data or [], form.positions.data or [], found.values())
    db.session.commit()
    flash(_("Audience saved."), "success")
    return redirect(url_for("exams_manage.exam", exam_id=exam.id))


@bp.post("/<int:exam_id>/resit")
@role_required(*MANAGERS)
def exam_resit(exam_id: int):
    exam = _exam(exam_id)
    form = ResitForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "danger")
        return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    try:
        resit = services.create_resit(
            exam, local_to_utc(form.opens_at.data), local_to_utc(form.closes_at.data), current_user
        )
    except ExamError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    db.session.commit()
    flash(_("Re-sit round created (unpublished): check it and publish it."), "success")
    return redirect(url_for("exams_manage.exam", exam_id=resit.id))


# ---------------------------------------------------------------- results and statistics


@bp.get("/<int:exam_id>/results")
@role_required(*READERS)
def exam_results(exam_id: int):
    exam = _exam(exam_id, manage=False)
    filters = results.ResultFilters(
        department_id=request.args.get("department", type=int),
        outcome=request.args.get("outcome", ""),
        q=request.args.get("q", "").strip(),
    )
    rows = results.results_rows(exam, current_user, filters)
    if request.args.get("format") == "xlsx":
        audit.record("exam.results_export", exam, rows=len(rows))
        db.session.commit()
        return send_file(
            BytesIO(results.results_xlsx(exam, rows)),
            as_attachment=True,
            download_name=f"exam-{exam.id}-results.xlsx",
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    role = (
        Role.ADMIN
        if current_user.has_any_role(Role.ADMIN)
        else (Role.TRAINER if current_user.has_any_role(Role.TRAINER) else Role.HR)
    )
    return render_template(
        "exams/manage/results.html",
        exam=exam,
        rows=rows,
        filters=filters,
        departments=departments_in_scope(current_user, role),
        statuses=ATTEMPT_STATUS_LABELS,
        outcome_label=results.outcome_label,
    )


@bp.get("/<int:exam_id>/departments")
@role_required(*READERS)
def exam_departments(exam_id: int):
    exam = _exam(exam_id, manage=False)
    return render_template(
        "exams/manage/departments.html", exam=exam, rows=results.department_summary(exam, current_user)
    )


@bp.get("/<int:exam_id>/statistics")
@role_required(*READERS)
def exam_statistics(exam_id: int):
    exam = _exam(exam_id, manage=False)
    return render_template(
        "exams/manage/statistics.html", exam=exam, stats=results.exam_statistics(exam, current_user)
    )


@bp.get("/<int:exam_id>/attempts/<int:attempt_id>")
@role_required(*READERS)
def attempt(exam_id: int, attempt_id: int):
    exam = _exam(exam_id, manage=False)
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.exam_id != exam.id or attempt.is_open:
        abort(404)
    if attempt.id not in {a.id for a in results._closed_attempts(exam, current_user)}:  # noqa: SLF001
        abort(404)
    items = runtime.load_items(attempt)
    versions = runtime.versions_of(items)
    return render_template(
        "exams/manage/attempt.html",
        exam=exam,
        attempt=attempt,
        review=[(i, versions[i.version_id]) for i in items],
    )


# ---------------------------------------------------------------- grading and regrade


@bp.get("/<int:exam_id>/grading")
@role_required(*MANAGERS)
def grading_queue(exam_id: int):
    exam = _exam(exam_id)
    return render_template("exams/manage/grading_queue.html", exam=exam, queue=marking.grading_queue(exam))


@bp.route("/<int:exam_id>/grading/<int:version_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def grade_question(exam_id: int, version_id: int):
    exam = _exam(exam_id)
    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        abort(404)
    if request.method == "POST":
        form = GradeForm()
        item_id = request.form.get("item_id", type=int)
        items = {i.id: i for i in marking.items_for_version(exam, version_id)}
        item = items.get(item_id)
        if item is None:
            abort(404)
        if form.validate_on_submit():
            try:
                points = marking.parse_points(form.points.data)
                rubric = [
                    i
                    for i, _r in enumerate((version.key or {}).get("rubric") or [])
                    if request.form.get(f"rubric-{i}")
                ]
                marking.grade_item(item, points, form.comment.data or "", current_user, utcnow(), rubric)
            except ExamError as exc:
                db.session.rollback()
                flash(_("Answer %(n)s: %(msg)s", n=item_id, msg=str(exc)), "danger")
            else:
                db.session.commit()
                flash(_("Mark saved."), "success")
        else:
            flash(_("Answer %(n)s: give the points.", n=item_id), "danger")
        return redirect(
            url_for(
                "exams_manage.grade_question",
                exam_id=exam.id,
                version_id=version_id,
                pending=request.args.get("pending", "1"),
            )
        )
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
    exam = _exam(exam_id)
    now = utcnow()
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        changes = marking.regrade_apply(exam, current_user, now)
        db.session.commit()
        flash(_("Regrade applied: %(n)d attempts changed.", n=len(changes)), "success")
        return redirect(url_for("exams_manage.exam_results", exam_id=exam.id))
    changes = marking.regrade_preview(exam, now)
    return render_template(
        "exams/manage/regrade.html", exam=exam, changes=changes, form=form, zero=Decimal(0)
    )
