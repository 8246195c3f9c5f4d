"""Editing evaluation templates. A template that has scored a drill (any drill past 'approved') is
locked, so past results never change; to change it, start a new version: the copy becomes the active
template, and drills still planned or approved move to it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from accounts.models import User
from accounts.services import can_manage_unit
from core.extensions import db
from core.i18n import gettext as _
from drills.errors import DrillError, DrillStateError
from drills.evaluation_models import Criterion, CriterionGroup, EvaluationTemplate, Method
from drills.models import ContentType, Drill, DrillStatus
from question_bank.models import KnowledgePoint

UNSCORED = (DrillStatus.PLANNED, DrillStatus.APPROVED, DrillStatus.CANCELLED)


def can_edit_templates(user: User) -> bool:
    """Templates are organisation-wide: admins and company-wide trainers edit them."""
    return can_manage_unit(user, None)


def is_locked(template: EvaluationTemplate) -> bool:
    """True once a drill evaluated with this template has gone past approval."""
    return (
        db.session.scalar(
            select(Drill.id).where(Drill.template_id == template.id, Drill.status.not_in(UNSCORED)).limit(1)
        )
        is not None
    )


def _require_unlocked(template: EvaluationTemplate) -> None:
    if is_locked(template):
        raise DrillStateError(_("This template has scored drills; start a new version to change it."))


def _weight(value) -> Decimal:
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DrillError(_("A weight must be a number.")) from exc
    if weight <= 0 or weight > 1000:
        raise DrillError(_("A weight must be above 0 and at most 1000."))
    return weight


def new_version(template: EvaluationTemplate) -> EvaluationTemplate:
    """Copy the template as the next version; it becomes the active one."""
    copy = EvaluationTemplate(
        name=template.name, version=template.version + 1, active=True, notes=template.notes
    )
    for g in template.groups:
        group = CriterionGroup(
            code=g.code,
            name=g.name,
            weight=g.weight,
            position=g.position,
            content_types=list(g.content_types),
        )
        for c in g.criteria:
            group.criteria.append(
                Criterion(
                    code=c.code,
                    text=c.text,
                    standard=c.standard,
                    method=c.method,
                    weight=c.weight,
                    critical=c.critical,
                    checklist=c.checklist,
                    position=c.position,
                    knowledge_point_id=c.knowledge_point_id,
                )
            )
        copy.groups.append(group)
    template.active = False
    db.session.add(copy)
    db.session.flush()
    for drill in db.session.scalars(
        select(Drill).where(
            Drill.template_id == template.id, Drill.status.in_([DrillStatus.PLANNED, DrillStatus.APPROVED])
        )
    ):
        drill.template_id = copy.id
    db.session.flush()
    return copy


def update_group(group: CriterionGroup, *, name: str, weight, content_types) -> None:
    """Change a group's name, weight and the content types it applies to (none: every drill)."""
    _require_unlocked(group.template)
    if not name.strip():
        raise DrillError(_("A group needs a name."))
    if set(content_types) - {c.value for c in ContentType}:
        raise DrillError(_("Unknown content type."))
    group.name, group.weight, group.content_types = name.strip(), _weight(weight), sorted(content_types)
    db.session.flush()


def add_group(template: EvaluationTemplate, *, code: str, name: str, weight, content_types) -> CriterionGroup:
    """Append a group (code of at most 4 characters, unique in the template). It scores once it has a
    criterion; until then it drops out of the drill score like a group that does not apply."""
    _require_unlocked(template)
    code = (code or "").strip().upper()
    if not code or len(code) > 4:
        raise DrillError(_("A group needs a code of at most 4 characters."))
    if code in {g.code for g in template.groups}:
        raise DrillError(_("Code %(code)s is already used in this template.", code=code))
    group = CriterionGroup(
        code=code, name="", weight=Decimal(1), position=len(template.groups), content_types=[]
    )
    template.groups.append(group)
    update_group(group, name=name, weight=weight, content_types=content_types)
    return group


def remove_group(group: CriterionGroup) -> None:
    """Delete a group with its criteria (an unlocked template keeps at least one group)."""
    template = group.template
    _require_unlocked(template)
    if len(template.groups) <= 1:
        raise DrillError(_("A template keeps at least one group."))
    template.groups.remove(group)
    db.session.flush()
    for index, other in enumerate(template.groups):
        other.position = index
    db.session.flush()


def move_group(group: CriterionGroup, step: int) -> None:
    """Move a group one place up (-1) or down (+1) on the evaluation form."""
    template = group.template
    _require_unlocked(template)
    groups = list(template.groups)
    index = groups.index(group)
    if 0 <= index + step < len(groups):
        groups[index], groups[index + step] = groups[index + step], groups[index]
    for position, other in enumerate(groups):
        other.position = position
    db.session.flush()


def save_criterion(
    group: CriterionGroup,
    criterion: Criterion | None,
    *,
    code: str,
    text: str,
    standard: str,
    method: str,
    weight,
    critical: bool,
    checklist: bool,
    knowledge_point_id: int | None = None,
) -> Criterion:
    """Add a criterion to a group, or change one."""
    _require_unlocked(group.template)
    code = code.strip().upper()
    if not code or len(code) > 8 or not text.strip():
        raise DrillError(_("A criterion needs a code (at most 8 characters) and a text."))
    if method not in {m.value for m in Method}:
        raise DrillError(_("Unknown method."))
    taken = {c.code for g in group.template.groups for c in g.criteria if c is not criterion}
    if code in taken:
        raise DrillError(_("Code %(code)s is already used in this template.", code=code))
    if criterion is None:
        criterion = Criterion(position=len(group.criteria))
        group.criteria.append(criterion)
    criterion.code, criterion.text, criterion.standard = code, text.strip(), standard.strip()
    criterion.method, criterion.weight = method, _weight(weight)
    criterion.critical, criterion.checklist = bool(critical), bool(checklist)
    criterion.knowledge_point = (
        db.session.get(KnowledgePoint, knowledge_point_id) if knowledge_point_id else None
    )
    db.session.flush()
    return criterion


def remove_criterion(criterion: Criterion) -> None:
    group = criterion.group
    _require_unlocked(group.template)
    if len(group.criteria) <= 1:
        raise DrillError(_("A group keeps at least one criterion."))
    group.criteria.remove(criterion)
    db.session.flush()
