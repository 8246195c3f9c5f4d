"""Emergency plans (应急预案): creating a plan with its first version, opening a revision (a new draft
version copied from the effective one) and approving it."""

from __future__ import annotations

import datetime as dt

from accounts.models import Department
from core.extensions import db
from core.i18n import gettext as _
from drills.errors import DrillError
from drills.models import Drill, EmergencyPlan, PlanLevel, PlanVersion, PlanVersionStatus


def create_plan(
    code: str,
    title: str,
    incident_type: str,
    levels: list[tuple[int, str, str, str]],
    *,
    summary: str = "",
    department: Department | None = None,
    unit_kinds=(),
    now: dt.datetime,
) -> EmergencyPlan:
    """Add a plan with its first, effective version and its 一级/二级/三级 definitions."""
    plan = EmergencyPlan(
        code=code,
        title=title,
        incident_type=incident_type,
        department=department,
        unit_kinds=list(unit_kinds),
        created_at=now,
    )
    version = PlanVersion(
        plan=plan,
        number=1,
        status=PlanVersionStatus.EFFECTIVE,
        summary=summary,
        change_note=_("First version."),
        created_at=now,
        effective_at=now,
    )
    for level, trigger, standard, roles in levels:
        version.levels.append(
            PlanLevel(level=level, trigger=trigger, response_standard=standard, responsible_roles=roles)
        )
    db.session.add(plan)
    db.session.flush()
    return plan


def open_plan_revision(
    plan: EmergencyPlan, *, drill: Drill | None, note: str, now: dt.datetime
) -> PlanVersion:
    """Start a new draft version of ``plan`` (copying the effective one); reuses an open draft."""
    for version in plan.versions:
        if version.status == PlanVersionStatus.DRAFT:
            if note and note not in version.change_note:
                version.change_note = (version.change_note + "\n" + note).strip()
            return version
    base = plan.effective_version
    number = max((v.number for v in plan.versions), default=0) + 1
    draft = PlanVersion(
        number=number,
        status=PlanVersionStatus.DRAFT,
        summary=base.summary if base else "",
        change_note=note,
        source_drill_id=drill.id if drill else None,
        created_at=now,
    )
    for level in base.levels if base else []:
        draft.levels.append(
            PlanLevel(
                level=level.level,
                trigger=level.trigger,
                response_standard=level.response_standard,
                responsible_roles=level.responsible_roles,
            )
        )
    plan.versions.append(draft)
    db.session.flush()
    return draft


def make_version_effective(version: PlanVersion, now: dt.datetime) -> None:
    """Approve a draft revision: it becomes the effective version, the previous one is superseded."""
    if version.status != PlanVersionStatus.DRAFT:
        raise DrillError(_("Only a draft version can be made effective."))
    if len(version.levels) < 3:
        raise DrillError(_("A plan version needs its three level definitions (levels 1, 2 and 3)."))
    for other in version.plan.versions:
        if other.status == PlanVersionStatus.EFFECTIVE:
            other.status = PlanVersionStatus.SUPERSEDED
    version.status = PlanVersionStatus.EFFECTIVE
    version.effective_at = now
    db.session.flush()
