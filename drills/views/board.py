"""The compliance board, the next-half-year planner, the plan catalogue, the template and the settings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department
from core.auth import STAFF_ROLES, Role, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import local_date
from drills import access, compliance, planner, teams, template_editing
from drills.compliance.teams import TeamReadiness, team_readiness
from drills.evaluation_models import Criterion, CriterionGroup, EvaluationTemplate
from drills.forms import PlanForm, PlanLevelForm, SettingsForm
from drills.halfyear import HalfYear, half_years
from drills.models import DrillSettings, EmergencyPlan, PlanLevel, PlanVersion, PlanVersionStatus
from drills.plans import create_plan, make_version_effective
from drills.settings import get_settings
from drills.views import bp
from question_bank import knowledge


def _units():
    settings = get_settings()
    return compliance.board_units(access.staff_scope_clause(current_user, Department.id), settings)


@bp.get("/compliance")
@role_required(*STAFF_ROLES)
def board():
    now = utcnow()
    try:
        first = HalfYear.parse(request.args["from"]) if request.args.get("from") else None
        last = HalfYear.parse(request.args["to"]) if request.args.get("to") else None
    except ValueError:
        first = last = None
    halves = (
        half_years(first, last)
        if first and last and 0 <= last.index - first.index < 12
        else compliance.default_halves(now)
    )
    units = every_unit = _units()
    unit_id = request.args.get("unit", type=int)
    if unit_id:
        units = [u for u in units if u.id == unit_id]
    board_ = compliance.build_board(units, halves, now)
    settings = get_settings()
    rules = compliance.rule_texts(settings)
    rule_label = {code: compliance.rule_name(code, settings) for code, _title, _text in rules}
    return render_template(
        "drills/board.html",
        board=board_,
        rules=rules,
        rule_label=rule_label,
        settings=settings,
        readiness=_team_readiness(every_unit, units if unit_id else None, now, settings),
    )


def _team_readiness(board_units, units, now, settings) -> list[tuple[Department | None, list[TeamReadiness]]]:
    """The board's emergency-team section: per unit (the nearest of ``board_units`` above the team's
    department), the teams in scope and their members with no drill in ``team_lapse_months``; ``units``
    narrows it to the units shown when the board is filtered to one unit."""
    today = local_date(now)
    readiness = team_readiness(teams.visible_teams(current_user), today, settings.team_lapse_months)
    grouped: dict[int | None, list[TeamReadiness]] = {}
    for item in readiness:
        path = item.team.department.path or ""
        unit = max(
            (u for u in board_units if path.startswith(u.path or "")), key=lambda u: len(u.path), default=None
        )
        if units is not None and (unit is None or unit.id not in {u.id for u in units}):
            continue
        grouped.setdefault(unit.id if unit else None, []).append(item)
    by_id = {u.id: u for u in board_units}
    return [(by_id.get(key), items) for key, items in grouped.items()]


@bp.route("/plan-next", methods=["GET", "POST"])
@role_required(Role.TRAINER, Role.ADMIN)
def plan_next():
    now = utcnow()
    try:
        half = (
            HalfYear.parse(request.values.get("half", ""))
            if request.values.get("half")
            else HalfYear.of(now).shift(1)
        )
    except ValueError:
        half = HalfYear.of(now).shift(1)
    units = access.manageable_units(current_user, get_settings().unit_kinds)
    units = [u for u in units if u.kind in get_settings().unit_kinds]
    proposals = planner.propose_half(units, half)
    form = PostForm()
    if form.validate_on_submit():
        chosen = set(request.form.getlist("pick"))
        picked = [p for i, p in enumerate(proposals) if str(i) in chosen]
        created = planner.create_proposals(picked, current_user, now)
        flash(_("%(n)d drills planned; complete their details and participants.", n=len(created)), "success")
        return redirect(url_for("drills.index", half=str(half)))
    current = HalfYear.of(now)
    half_choices = sorted({current.shift(n) for n in range(4)} | {half})
    return render_template(
        "drills/plan_next.html", half=half, half_choices=half_choices, proposals=proposals, form=form
    )


@bp.get("/plans")
@role_required(*STAFF_ROLES)
def plans():
    items = db.session.scalars(select(EmergencyPlan).order_by(EmergencyPlan.code)).all()
    return render_template(
        "drills/plans.html", plans=items, can_create=template_editing.can_edit_templates(current_user)
    )


@bp.route("/plans/new", methods=["GET", "POST"])
@role_required(Role.TRAINER, Role.ADMIN)
def new_plan():
    if not template_editing.can_edit_templates(current_user):
        abort(403)
    form = PlanForm()
    if form.validate_on_submit():
        if db.session.scalar(select(EmergencyPlan.id).where(EmergencyPlan.code == form.code.data.strip())):
            form.code.errors.append(_("This code is already used."))
        else:
            levels = [
                (
                    n,
                    getattr(form, f"trigger{n}").data,
                    getattr(form, f"standard{n}").data,
                    getattr(form, f"roles{n}").data,
                )
                for n in (1, 2, 3)
            ]
            item = create_plan(
                form.code.data.strip(),
                form.title.data.strip(),
                form.incident_type.data,
                levels,
                summary=form.summary.data or "",
                unit_kinds=form.unit_kinds.data,
                now=utcnow(),
            )
            flash(_("Emergency plan saved."), "success")
            return redirect(url_for("drills.plan", plan_id=item.id))
    return render_template("drills/plan_new.html", form=form)


@bp.get("/plans/<int:plan_id>")
@role_required(*STAFF_ROLES)
def plan(plan_id: int):
    item = db.session.get(EmergencyPlan, plan_id)
    if item is None:
        abort(404)
    return render_template(
        "drills/plan.html",
        plan=item,
        post=PostForm(),
        level_form=PlanLevelForm(),
        can_edit=template_editing.can_edit_templates(current_user),
    )


def _draft(plan_id: int, version_id: int) -> PlanVersion:
    """A plan's version, for a user who may change plans (as for a new plan: company-wide trainers and
    admins; plans are organisation-wide)."""
    if not template_editing.can_edit_templates(current_user):
        abort(403)
    version = db.session.get(PlanVersion, version_id)
    if version is None or version.plan_id != plan_id:
        abort(404)
    return version


@bp.post("/plans/<int:plan_id>/versions/<int:version_id>/effective")
@role_required(Role.TRAINER, Role.ADMIN)
def make_effective(plan_id: int, version_id: int):
    version = _draft(plan_id, version_id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(url_for("drills.plan", plan_id=plan_id)):
        make_version_effective(version, utcnow())
    flash(_("Version %(n)d is now effective.", n=version.number), "success")
    return redirect(url_for("drills.plan", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/versions/<int:version_id>/levels/<int:level_id>")
@role_required(Role.TRAINER, Role.ADMIN)
def edit_level(plan_id: int, version_id: int, level_id: int):
    version = _draft(plan_id, version_id)
    level = db.session.get(PlanLevel, level_id)
    if level is None or level.version_id != version.id:
        abort(404)
    form = PlanLevelForm()
    if version.status != PlanVersionStatus.DRAFT:
        flash(_("Only a draft version can be changed."), "danger")
    elif not form.validate_on_submit():
        flash(_("Fill in the trigger, the response standard and the responsible roles."), "danger")
    else:
        level.trigger, level.response_standard, level.responsible_roles = (
            form.trigger.data.strip(),
            form.response_standard.data.strip(),
            form.responsible_roles.data.strip(),
        )
        flash(_("Level saved."), "success")
    return redirect(url_for("drills.plan", plan_id=plan_id))


@bp.get("/template")
@role_required(*STAFF_ROLES)
def template():
    item = db.session.scalar(
        select(EvaluationTemplate).where(EvaluationTemplate.active).order_by(EvaluationTemplate.id.desc())
    )
    locked = item is not None and template_editing.is_locked(item)
    return render_template(
        "drills/template.html",
        template=item,
        settings=get_settings(),
        locked=locked,
        can_edit=item is not None and template_editing.can_edit_templates(current_user),
        post=PostForm(),
        knowledge_points=knowledge.choices(max_depth=2),
    )


def _template_editor() -> None:
    if not template_editing.can_edit_templates(current_user):
        abort(403)
    if not PostForm().validate_on_submit():
        abort(400)


def _group(group_id: int) -> CriterionGroup:
    group = db.session.get(CriterionGroup, group_id)
    if group is None:
        abort(404)
    return group


@bp.post("/template/<int:template_id>/new-version")
@role_required(Role.TRAINER, Role.ADMIN)
def template_new_version(template_id: int):
    _template_editor()
    item = db.session.get(EvaluationTemplate, template_id)
    if item is None or not item.active:
        abort(404)
    copy = template_editing.new_version(item)
    flash(_("Version %(n)d of the template is now in use.", n=copy.version), "success")
    return redirect(url_for("drills.template"))


@bp.post("/template/groups/<int:group_id>")
@role_required(Role.TRAINER, Role.ADMIN)
def template_group(group_id: int):
    _template_editor()
    group = _group(group_id)
    with refusals_go_to(url_for("drills.template")):
        template_editing.update_group(
            group,
            name=request.form.get("name", ""),
            weight=request.form.get("weight", ""),
            content_types=request.form.getlist("content_types"),
        )
    flash(_("Group %(code)s saved.", code=group.code), "success")
    return redirect(url_for("drills.template"))


@bp.post("/template/<int:template_id>/groups")
@role_required(Role.TRAINER, Role.ADMIN)
def template_add_group(template_id: int):
    _template_editor()
    item = db.session.get(EvaluationTemplate, template_id)
    if item is None or not item.active:
        abort(404)
    with refusals_go_to(url_for("drills.template")):
        group = template_editing.add_group(
            item,
            code=request.form.get("code", ""),
            name=request.form.get("name", ""),
            weight=request.form.get("weight", ""),
            content_types=request.form.getlist("content_types"),
        )
    flash(_("Group %(code)s added; now add its criteria.", code=group.code), "success")
    return redirect(url_for("drills.template"))


@bp.post("/template/groups/<int:group_id>/remove")
@role_required(Role.TRAINER, Role.ADMIN)
def template_remove_group(group_id: int):
    _template_editor()
    group = _group(group_id)
    code = group.code
    with refusals_go_to(url_for("drills.template")):
        template_editing.remove_group(group)
    flash(_("Group %(code)s removed.", code=code), "success")
    return redirect(url_for("drills.template"))


@bp.post("/template/groups/<int:group_id>/move/<any(up, down):direction>")
@role_required(Role.TRAINER, Role.ADMIN)
def template_move_group(group_id: int, direction: str):
    _template_editor()
    group = _group(group_id)
    with refusals_go_to(url_for("drills.template")):
        template_editing.move_group(group, -1 if direction == "up" else 1)
    flash(_("Group %(code)s moved.", code=group.code), "success")
    return redirect(url_for("drills.template"))


def _criterion_fields() -> dict:
    return {
        "code": request.form.get("code", ""),
        "text": request.form.get("text", ""),
        "standard": request.form.get("standard", ""),
        "method": request.form.get("method", ""),
        "weight": request.form.get("weight", ""),
        "critical": request.form.get("critical") == "1",
        "checklist": request.form.get("checklist") == "1",
        "knowledge_point_id": request.form.get("knowledge_point_id", type=int),
    }


@bp.post("/template/groups/<int:group_id>/criteria")
@role_required(Role.TRAINER, Role.ADMIN)
def template_add_criterion(group_id: int):
    _template_editor()
    group = _group(group_id)
    with refusals_go_to(url_for("drills.template")):
        criterion = template_editing.save_criterion(group, None, **_criterion_fields())
    flash(_("%(code)s added.", code=criterion.code), "success")
    return redirect(url_for("drills.template"))


@bp.post("/template/criteria/<int:criterion_id>")
@role_required(Role.TRAINER, Role.ADMIN)
def template_criterion(criterion_id: int):
    _template_editor()
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None:
        abort(404)
    with refusals_go_to(url_for("drills.template")):
        if request.form.get("remove") == "1":
            template_editing.remove_criterion(criterion)
            flash(_("Criterion removed."), "success")
            return redirect(url_for("drills.template"))
        template_editing.save_criterion(criterion.group, criterion, **_criterion_fields())
    flash(_("%(code)s saved.", code=criterion.code), "success")
    return redirect(url_for("drills.template"))


@bp.route("/settings", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def settings():
    current = get_settings()
    row = db.session.get(DrillSettings, 1)
    form = SettingsForm(obj=row or current)
    start = HalfYear.parse(current.rules_start)
    offered = half_years(min(start, HalfYear(2020, 1)), HalfYear.of(utcnow()).shift(4))
    form.rules_start.choices = choices([(str(h), h.label) for h in offered])
    editable = current_user.has_any_role(Role.ADMIN)
    if editable and form.validate_on_submit():
        if row is None:
            row = DrillSettings(id=1)
            db.session.add(row)
        for name in (
            "amber_days",
            "escalation_days",
            "red_days",
            "report_due_days",
            "coverage_half_years",
            "tier_excellent",
            "tier_good",
            "tier_pass",
            "deficiency_due_days",
            "reminder_days_before",
            "team_lapse_months",
        ):
            setattr(row, name, getattr(form, name).data)
        row.rules_start = str(HalfYear.parse(form.rules_start.data))
        row.unit_kinds = list(current.unit_kinds)
        flash(_("Settings saved."), "success")
        return redirect(url_for("drills.settings"))
    rules = compliance.rule_texts(current)
    return render_template(
        "drills/settings.html", form=form, editable=editable, rules=rules, settings=current
    )
