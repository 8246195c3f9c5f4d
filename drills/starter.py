"""Starter content of this package: the emergency-plan catalogue, the default evaluation template (both
written in ``drills.catalogue``) and the drill rules' settings row.

The settings row starts the compliance rules at the half year of the day it is seeded (a new installation
is not red for the half years before it existed); that date is not part of what counts as "edited".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.models import utcnow
from core.seeding import Outcome, Starter, StarterKind, sync_starter
from drills.catalogue import DEFAULT_TEMPLATE, PLANS, TEMPLATE_NAME, ensure_default_template
from drills.evaluation_models import Criterion, CriterionGroup, EvaluationTemplate
from drills.halfyear import half_year_of
from drills.models import DrillSettings, EmergencyPlan
from drills.plans import create_plan
from drills.settings import DEFAULTS
from question_bank.knowledge import point_named

# ---------------------------------------------------------------- emergency plans


def _plan_content(code, title, itype, kinds, summary, levels) -> dict:
    return {
        "code": code,
        "title": title,
        "incident_type": str(itype),
        "unit_kinds": list(kinds),
        "versions": [
            {
                "summary": summary,
                "levels": [[i + 1, *level] for i, level in enumerate(levels)],
            }
        ],
    }


def _plan_fingerprint(plan: EmergencyPlan) -> dict:
    return {
        "code": plan.code,
        "title": plan.title,
        "incident_type": plan.incident_type,
        "unit_kinds": list(plan.unit_kinds or []),
        "versions": [
            {
                "summary": version.summary,
                "levels": [
                    [lv.level, lv.trigger, lv.response_standard, lv.responsible_roles]
                    for lv in sorted(version.levels, key=lambda lv: lv.level)
                ],
            }
            for version in sorted(plan.versions, key=lambda v: v.number)
        ],
    }


def _create_plans(items: list[Starter]) -> list[EmergencyPlan]:
    now = utcnow()
    return [
        create_plan(
            c["code"],
            c["title"],
            c["incident_type"],
            [tuple(level) for level in c["versions"][0]["levels"]],
            summary=c["versions"][0]["summary"],
            unit_kinds=c["unit_kinds"],
            now=now,
        )
        for c in (item.content for item in items)
    ]


PLAN_KIND = StarterKind(
    kind="emergency_plan",
    fetch=lambda id_: db.session.get(EmergencyPlan, id_),
    find=lambda item: db.session.scalar(
        select(EmergencyPlan).where(EmergencyPlan.code == item.content["code"])
    ),
    fingerprint=_plan_fingerprint,
    create=_create_plans,
)


def seed_emergency_plans(outcome: Outcome) -> None:
    """The seven emergency plans with their 一级/二级/三级 definitions (new ones added; revised ones left)."""
    sync_starter(
        PLAN_KIND,
        (Starter(f"emergency_plan:{p[0]}", f"{p[0]} {p[1]}", _plan_content(*p)) for p in PLANS),
        outcome,
    )


# ---------------------------------------------------------------- the evaluation template


def _number(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _template_content() -> dict:
    return {
        "name": TEMPLATE_NAME,
        "groups": [
            {
                "code": code,
                "name": name,
                "weight": _number(weight),
                "content_types": [str(t) for t in types],
                "criteria": [[c[0], c[1], c[2], str(c[3]), _number(c[4]), c[5], c[6]] for c in criteria],
            }
            for code, name, weight, types, criteria in DEFAULT_TEMPLATE
        ],
    }


def _template_fingerprint(template: EvaluationTemplate) -> dict:
    return {
        "name": template.name,
        "groups": [
            {
                "code": g.code,
                "name": g.name,
                "weight": _number(g.weight),
                "content_types": list(g.content_types or []),
                "criteria": [
                    [c.code, c.text, c.standard, c.method, _number(c.weight), c.critical, c.checklist]
                    for c in sorted(g.criteria, key=lambda c: c.position)
                ],
            }
            for g in sorted(template.groups, key=lambda g: g.position)
        ],
    }


TEMPLATE_KIND = StarterKind(
    kind="evaluation_template",
    fetch=lambda id_: db.session.get(EvaluationTemplate, id_),
    find=lambda item: db.session.scalar(
        select(EvaluationTemplate)
        .where(EvaluationTemplate.name == TEMPLATE_NAME)
        .order_by(EvaluationTemplate.id)
    ),
    fingerprint=_template_fingerprint,
    create=lambda items: [ensure_default_template()],
)


def seed_evaluation_template(outcome: Outcome) -> None:
    """The default evaluation template, groups A–H (added when missing; an edited one is left alone)."""
    sync_starter(
        TEMPLATE_KIND, [Starter("evaluation_template:default", TEMPLATE_NAME, _template_content())], outcome
    )


# ---------------------------------------------------------------- the rules' settings

_SETTING_FIELDS = [name for name in DEFAULTS if name != "rules_start"]
DEFAULTS_WITHOUT_START = {name: DEFAULTS[name] for name in _SETTING_FIELDS}


def _settings_content(values) -> dict:
    content = {}
    for name in _SETTING_FIELDS:
        value = values(name)
        content[name] = (
            _number(value)
            if isinstance(value, Decimal)
            else list(value)
            if isinstance(value, list | tuple)
            else value
        )
    return content


def _create_settings(items: list[Starter]) -> list[DrillSettings]:
    row = DrillSettings(
        id=1, rules_start=str(half_year_of(dt.datetime.now(dt.UTC))), **DEFAULTS_WITHOUT_START
    )
    db.session.add(row)
    return [row]


SETTINGS_KIND = StarterKind(
    kind="drill_settings",
    fetch=lambda id_: db.session.get(DrillSettings, id_),
    find=lambda item: db.session.get(DrillSettings, 1),
    fingerprint=lambda row: _settings_content(lambda name: getattr(row, name)),
    create=_create_settings,
)


def seed_drill_settings(outcome: Outcome) -> None:
    """The drill rules' thresholds and evaluation tiers as a settings row (kept as an admin set them)."""
    sync_starter(
        SETTINGS_KIND,
        [Starter("drill_settings", "drill rules and settings", _settings_content(DEFAULTS.get))],
        outcome,
    )


# ---------------------------------------------------------------- knowledge points of the criteria

# Each criterion group of the default template checks one knowledge point of the guide's tree
# (question_bank.knowledge): the response flow of 6.3 and the drill content of 6.4.
GROUP_POINTS = {
    "A": "应急演练",
    "B": "信息通报",
    "C": "事件分级",
    "D": "应急处理流程",
    "E": "应急处理流程",
    "F": "客户沟通",
    "G": "应急物资",
    "H": "演练评估",
}


def link_criteria_points(outcome: Outcome) -> None:
    """Give every criterion without a knowledge point the one its group checks (criteria a trainer has
    linked are left alone)."""
    criteria = db.session.scalars(
        select(Criterion)
        .join(CriterionGroup, Criterion.group_id == CriterionGroup.id)
        .where(Criterion.knowledge_point_id.is_(None), CriterionGroup.code.in_(list(GROUP_POINTS)))
    )
    for criterion in criteria:
        criterion.knowledge_point = point_named(GROUP_POINTS[criterion.group.code])
        outcome.added += 1
    db.session.flush()
