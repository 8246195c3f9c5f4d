"""Starter content of this package: the point rules (exams, training, drills, corrective actions, and the
manual ones for praise, complaints and adopted proposals) and the service-star settings row.

Points and caps are this project's suggestions; HR changes them on the rules page (a changed rule is left
alone by later runs of ``seed-content``).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from core.seeding import Outcome, Starter, StarterKind, sync_starter
from incentives import selection as star
from incentives.models import IncentiveSettings, PointRule, RuleCategory, Trigger
from incentives.services import RuleData, save_rule

# (code, name, plain-language description, trigger, category, points, evidence, cap, cap period, threshold)
RULES = [
    (
        "EXAM_PASS",
        "通过考试",
        "每通过一场考试得 5 分，每月最多 30 分。",
        Trigger.EXAM_PASSED,
        RuleCategory.EXAM,
        5,
        "",
        30,
        "month",
        None,
    ),
    (
        "EXAM_95",
        "考试成绩优秀",
        "考试成绩达到满分的 95% 及以上，再加 5 分。",
        Trigger.EXAM_EXCELLENT,
        RuleCategory.EXAM,
        5,
        "",
        None,
        "month",
        95,
    ),
    (
        "EXAM_FIRST",
        "一次通过考试",
        "第一次参加就通过考试（不含补考），再加 3 分。",
        Trigger.EXAM_FIRST_ATTEMPT,
        RuleCategory.EXAM,
        3,
        "",
        None,
        "month",
        None,
    ),
    (
        "TRAINING_HOUR",
        "完成培训",
        "完成培训班并取得学时，每 1 学时得 2 分，每月最多 40 分。",
        Trigger.TRAINING_HOUR,
        RuleCategory.TRAINING,
        2,
        "",
        40,
        "month",
        None,
    ),
    (
        "QUALIFICATION",
        "取得资质证书",
        "取得岗位要求的资质证书（持证上岗），每本证书得 10 分。",
        Trigger.QUALIFICATION,
        RuleCategory.TRAINING,
        10,
        "",
        None,
        "month",
        None,
    ),
    (
        "DRILL_JOIN",
        "参加应急演练",
        "参加应急演练并签到，每次得 5 分，每月最多 20 分。",
        Trigger.DRILL_PARTICIPATION,
        RuleCategory.DRILL,
        5,
        "",
        20,
        "month",
        None,
    ),
    (
        "DRILL_EXCELLENT",
        "演练评估优秀",
        "所参加的演练评估结果为“优秀”，每位参演人员再加 5 分。",
        Trigger.DRILL_EXCELLENT,
        RuleCategory.DRILL,
        5,
        "",
        None,
        "month",
        None,
    ),
    (
        "ACTION_ON_TIME",
        "整改按期完成",
        "自己负责的演练整改措施在期限内关闭，得 3 分。",
        Trigger.ACTION_ON_TIME,
        RuleCategory.ACTION,
        3,
        "",
        None,
        "month",
        None,
    ),
    (
        "PRAISE",
        "客户表扬",
        "收到客户表扬（表扬信、锦旗、回访表扬等），经培训师或人力资源部登记、审核通过后得 8 分，每季度最多 40 分。",
        Trigger.MANUAL,
        RuleCategory.PRAISE,
        8,
        "表扬信、锦旗照片或回访录音记录",
        40,
        "quarter",
        None,
    ),
    (
        "COMPLAINT",
        "有效客户投诉",
        "经核实属实的客户投诉，每次扣 10 分；当期有有效投诉的员工不能参评服务之星。",
        Trigger.MANUAL,
        RuleCategory.COMPLAINT,
        -10,
        "投诉工单及核实结论",
        None,
        "quarter",
        None,
    ),
    (
        "PRACTICE",
        "自主练习答对",
        "在自主练习中答对一道题得 1 分（同一道题每天只计一次），每天最多 5 分。默认未启用，由人力资源部门决定是否启用。",
        Trigger.PRACTICE_RIGHT,
        RuleCategory.TRAINING,
        1,
        "",
        5,
        "day",
        None,
    ),
    (
        "INNOVATION",
        "服务创新建议被采纳",
        "提出的服务改进或创新建议被单位采纳，得 15 分，每季度最多 30 分。",
        Trigger.MANUAL,
        RuleCategory.INNOVATION,
        15,
        "建议书及采纳意见",
        30,
        "quarter",
        None,
    ),
]


# Rules seeded switched off: HR decides whether practice earns points (issue 17).
OFF_BY_DEFAULT = {"PRACTICE"}


def _number(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.1")))


def _rule_content(code, name, desc, trigger, category, points, evidence, cap, cap_period, threshold) -> dict:
    return {
        "code": code,
        "name": name,
        "description": desc,
        "trigger": str(trigger),
        "category": str(category),
        "points": _number(points),
        "evidence": evidence,
        "cap": _number(cap) if cap else None,
        "cap_period": str(cap_period),
        "threshold": _number(threshold) if threshold else None,
    }


def _rule_fingerprint(rule: PointRule) -> dict:
    return _rule_content(
        rule.code,
        rule.name,
        rule.description,
        rule.trigger,
        rule.category,
        rule.points,
        rule.evidence,
        rule.cap,
        rule.cap_period,
        rule.threshold,
    )


def _create_rules(items: list[Starter]) -> list[PointRule]:
    rules = []
    for item in items:
        c = item.content
        rules.append(
            save_rule(
                RuleData(
                    code=c["code"],
                    name=c["name"],
                    description=c["description"],
                    trigger=c["trigger"],
                    category=c["category"],
                    points=Decimal(c["points"]),
                    evidence=c["evidence"],
                    cap=Decimal(c["cap"]) if c["cap"] else None,
                    cap_period=c["cap_period"],
                    threshold=Decimal(c["threshold"]) if c["threshold"] else None,
                    active=c["code"] not in OFF_BY_DEFAULT,
                )
            )
        )
    return rules


RULE_KIND = StarterKind(
    kind="point_rule",
    fetch=lambda id_: db.session.get(PointRule, id_),
    find=lambda item: db.session.scalar(select(PointRule).where(PointRule.code == item.content["code"])),
    fingerprint=_rule_fingerprint,
    create=_create_rules,
)


def seed_point_rules(outcome: Outcome) -> None:
    """The standard point rules (new ones added; rules HR changed are left as HR configured them)."""
    sync_starter(
        RULE_KIND,
        (Starter(f"point_rule:{r[0]}", f"{r[0]} {r[1]}", _rule_content(*r)) for r in RULES),
        outcome,
    )


def _settings_fingerprint(row: IncentiveSettings) -> dict:
    return {
        "employee_top_n": row.employee_top_n,
        "tie_breaks": row.tie_breaks,
        "default_nominees": row.default_nominees,
    }


SETTINGS_KIND = StarterKind(
    kind="star_settings",
    fetch=lambda id_: db.session.get(IncentiveSettings, id_),
    find=lambda item: db.session.scalar(select(IncentiveSettings).order_by(IncentiveSettings.id).limit(1)),
    fingerprint=_settings_fingerprint,
    create=lambda items: [star.settings()],
)

STAR_DEFAULTS = {
    "employee_top_n": 10,
    "tie_breaks": "fewest_complaints,higher_exam_average",
    "default_nominees": 3,
}


def seed_star_settings(outcome: Outcome) -> None:
    """The service-star and leaderboard settings row (kept as HR set it)."""
    sync_starter(SETTINGS_KIND, [Starter("star_settings", "service-star settings", STAR_DEFAULTS)], outcome)


def standard_rules() -> dict[str, PointRule]:
    """The standard point rules and the star settings, seeded where missing; the rules by code."""
    seed_point_rules(Outcome("point-rules"))
    seed_star_settings(Outcome("star-settings"))
    return {rule.code: rule for rule in db.session.scalars(select(PointRule))}
