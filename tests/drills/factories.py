"""Builders for drills tests: they add and flush, never commit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.timeutil import LOCAL_TZ
from drills import assessment, services
from drills.catalogue import ensure_default_template
from drills.evaluation_models import FormKind
from drills.models import ContentType, Drill, DrillScope, DrillStatus, IncidentType, Tier
from drills.plans import create_plan
from tests import factories

ALL = [c.value for c in ContentType]
LEVELS = [
    (1, "重大", "一级响应", "总指挥"),
    (2, "较大", "二级响应", "分管领导"),
    (3, "一般", "三级响应", "值班长"),
]


def local(text: str) -> dt.datetime:
    """'2026-06-30 23:30' in Beijing time as an aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def unit(kind: str = "branch", parent=None, name=None):
    return factories.department(name=name, parent=parent, kind=kind)


_plan_seq = iter(range(1, 10**6))


def plan(incident_type: str = IncidentType.BLACKOUT, kinds=(), department=None):
    n = next(_plan_seq)
    return create_plan(
        f"T-{n:05d}",
        f"预案{n}",
        incident_type,
        LEVELS,
        unit_kinds=kinds,
        department=department,
        now=local("2025-01-01 09:00"),
    )


def bare_drill(
    unit_,
    plan_,
    when: str,
    *,
    scope=DrillScope.FULL,
    content=ALL,
    status=DrillStatus.CLOSED,
    tier=Tier.GOOD,
    reported_after_days: int | None = 5,
    hours: int = 3,
) -> Drill:
    """A drill row as it would be after the lifecycle (for the compliance rules, which read rows only)."""
    start = local(when)
    drill = Drill(
        unit=unit_,
        plan=plan_,
        title=f"{plan_.title} {when}",
        incident_type=plan_.incident_type,
        scope=scope,
        content_types=list(content),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        status=status,
        tier=tier,
        score=Decimal(85) if tier else None,
        conducted_at=start if status not in (DrillStatus.PLANNED, DrillStatus.APPROVED) else None,
        reported_at=start + dt.timedelta(days=reported_after_days)
        if reported_after_days is not None
        else None,
    )
    db.session.add(drill)
    db.session.flush()
    return drill


def ready_drill(
    *,
    unit_=None,
    evaluators: int = 2,
    players: int = 2,
    when: str = "2026-03-10 09:00",
    content=ALL,
    scope=DrillScope.FULL,
    plan_=None,
):
    """A planned drill with director, evaluators, players and one inject (ready to approve)."""
    ensure_default_template()
    unit_ = unit_ or unit()
    plan_ = plan_ or plan()
    start = local(when)
    director = factories.employee(department=unit_)
    drill = services.plan_drill(
        unit=unit_,
        plan=plan_,
        title="测试演练",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2, minutes=30),
        content_types=content,
        form="live",
        scope=scope,
        purpose="testing",
        director=director,
        now=start - dt.timedelta(days=30),
    )
    for _ in range(evaluators):
        services.add_participant(drill, factories.user(department=unit_).employee, "evaluator")
    for _ in range(players):
        services.add_participant(drill, factories.user(department=unit_).employee, "player")
    services.add_inject(drill, 0, "导调发布险情", "值班员报告", "值班员")
    return drill


def evaluating_drill(**kwargs):
    drill = ready_drill(**kwargs)
    services.approve(drill, None, drill.starts_at - dt.timedelta(days=7))
    services.record_conducted(drill, {p.id for p in drill.participants}, drill.ends_at)
    services.start_evaluation(drill, drill.ends_at)
    return drill


def rate_all(drill, form, level="P", overrides=None, submit=True):
    overrides = overrides or {}
    answers = {}
    for c in assessment.applicable_criteria(drill):
        lv = overrides.get(c.code, level)
        if c.checklist and lv not in ("P", "U", "NA"):
            lv = "P"
        answers[c.id] = (lv, "评语" if lv in ("M", "U") else "")
    problems = assessment.save_form(
        form, answers, strengths="", remarks="", submit=submit, now=drill.ends_at + dt.timedelta(hours=1)
    )
    assert problems == []
    return form


def evaluator_forms(drill):
    return assessment.forms_of(drill, FormKind.EVALUATOR)
