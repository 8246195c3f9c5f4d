"""Builders for incentives tests (add and flush, never commit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from accounts.models import Employee
from core.extensions import db
from incentives.ledger import award
from incentives.models import PointEntry, PointRule, RuleCategory, Trigger
from incentives.starter import standard_rules
from tests import factories

NOW = dt.datetime(2026, 5, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai, mid Q2 2026
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%demo\n"


def rules() -> dict[str, PointRule]:
    """The standard rule set (as seeded)."""
    return standard_rules()


def rule(
    code: str = "R",
    *,
    trigger=Trigger.MANUAL,
    points=5,
    cap=None,
    cap_period="month",
    category=RuleCategory.OTHER,
):
    r = PointRule(
        code=code,
        name=f"规则{code}",
        description="",
        trigger=trigger,
        category=category,
        points=Decimal(points),
        cap=Decimal(cap) if cap is not None else None,
        cap_period=cap_period,
    )
    db.session.add(r)
    db.session.flush()
    return r


_seq = iter(range(1, 10**9))


def entry(employee: Employee, rule_obj: PointRule, points=None, *, when=NOW, key=None) -> PointEntry:
    """One ledger line paid by ``rule_obj`` (points default to the rule's)."""
    return award(
        rule_obj,
        employee,
        Decimal(points if points is not None else rule_obj.points),
        source_key=key or f"test:{next(_seq)}",
        source_label="测试",
        now=when,
    )


def stand_in(id_: int, **attrs):
    """A plain object standing in for another package's model (exam, course, drill, attempt...)."""
    return SimpleNamespace(id=id_, **attrs)


def employee(**kw) -> Employee:
    return factories.employee(**kw)
