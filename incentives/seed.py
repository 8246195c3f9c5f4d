"""Demo data: the point rules the issue lists, and half a year of ledger activity for the demo staff
(exam, training and drill awards, approved and pending manual entries, an appeal, a published
service-star selection and an open one), so every page shows something."""

from __future__ import annotations

import base64
import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import func, select

from accounts.models import Department, Employee, User
from core.extensions import db
from core.models import utcnow
from core.timeutil import LOCAL_TZ
from incentives import selection as star
from incentives.awards import record_exam_score
from incentives.ledger import award, default_locale
from incentives.models import PeriodKind, PointEntry, PointRule, RuleCategory, Trigger
from incentives.periods import period_at
from incentives.services import RuleData, create_claim, decide_claim, file_appeal, save_rule, store_attachment

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

DEMO_EXAM = SimpleNamespace(id=0, title="供电服务规范")  # the demo's stand-in exam (no exams package here)

# A 1×1 PNG, the stand-in for a scanned letter of praise in the demo.
DEMO_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def seed_rules() -> dict[str, PointRule]:
    """The standard rules (existing ones are left as HR configured them)."""
    existing = {r.code: r for r in db.session.scalars(select(PointRule))}
    for code, name, desc, trigger, category, points, evidence, cap, cap_period, threshold in RULES:
        if code in existing:
            continue
        existing[code] = save_rule(
            RuleData(
                code=code,
                name=name,
                description=desc,
                trigger=trigger,
                category=category,
                points=Decimal(points),
                evidence=evidence,
                cap=Decimal(cap) if cap else None,
                cap_period=cap_period,
                threshold=Decimal(threshold) if threshold else None,
            )
        )
    star.settings()
    return existing


def _user(number: str) -> User | None:
    return db.session.scalar(select(User).join(User.employee).where(Employee.employee_no == number))


def _department(code: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.code == code))


def seed_incentives(report) -> None:
    """Rules and demo activity (idempotent: a second run adds nothing)."""
    with default_locale():
        _seed(report)


def _seed(report) -> None:
    rules = seed_rules()
    if db.session.scalar(select(func.count(PointEntry.id)).where(PointEntry.source_key.like("demo:%"))):
        report("Incentives: demo activity already present.")
        return
    trainer, hr, me = _user("T0001"), _user("H0001"), _user("E0001")
    if trainer is None or hr is None:
        report("Incentives: demo logins missing; only the rules were seeded.")
        return
    now = utcnow()
    rng = random.Random(7)  # one stream through every step: every run makes the same demo
    staff = _demo_staff()
    _seed_awards(rules, staff, rng, now)
    _seed_manual_entries(rules, staff, trainer, hr, me, rng, now)
    if me is not None:
        _seed_appeal(me, now)
    _seed_star_selections(trainer, hr, now)
    db.session.flush()
    report(
        f"Incentives: {len(RULES)} point rules, demo ledger for {len(staff)} staff, one published star selection."
    )


def _demo_staff() -> list[Employee]:
    """The demo's front-line staff (the 95598 centre and the two branches) and the demo employee."""
    staff = db.session.scalars(
        select(Employee).join(Department).where(Department.depth >= 1).order_by(Employee.employee_no)
    )
    return [e for e in staff if e.employee_no[:2] in {"KF", "CD", "JB"} or e.employee_no == "E0001"]


def _seed_awards(
    rules: dict[str, PointRule], staff: list[Employee], rng: random.Random, now: dt.datetime
) -> None:
    """Half a year of automatic awards: exams, training hours, drills and corrective actions."""
    for index, emp in enumerate(staff):
        for n in range(rng.randint(2, 7)):
            when = now - dt.timedelta(days=rng.randint(1, 180), hours=rng.randint(0, 8))
            kind = rng.choice(("exam", "exam", "training", "drill", "action"))
            key = f"demo:{kind}:{emp.id}:{n}"
            if kind == "exam":
                _award_exam(rules, emp, -(index * 10 + n + 1), key, when, rng)
            elif kind == "training":
                hours = Decimal(rng.choice((2, 4, 8)))
                award(
                    rules["TRAINING_HOUR"],
                    emp,
                    rules["TRAINING_HOUR"].points * hours,
                    source_key=key,
                    source_label=f"完成培训：客户服务礼仪（{hours} 学时）",
                    now=when,
                )
            elif kind == "drill":
                award(
                    rules["DRILL_JOIN"],
                    emp,
                    rules["DRILL_JOIN"].points,
                    source_key=key,
                    source_label="参加演练：大面积停电客户沟通演练",
                    now=when,
                )
            else:
                award(
                    rules["ACTION_ON_TIME"],
                    emp,
                    rules["ACTION_ON_TIME"].points,
                    source_key=key,
                    source_label="整改措施按期关闭",
                    now=when,
                )
    db.session.flush()


def _award_exam(
    rules: dict[str, PointRule],
    emp: Employee,
    attempt_id: int,
    key: str,
    when: dt.datetime,
    rng: random.Random,
) -> None:
    """One demo exam: its score on record, the pass award, and the excellence and first-attempt bonuses."""
    score = Decimal(rng.randint(60, 100))
    record_exam_score(
        attempt_id,
        employee=emp,
        exam=DEMO_EXAM,
        score=score,
        passed=score >= 60,
        source_key=key,
        now=when,
        max_score=Decimal(100),
    )
    award(
        rules["EXAM_PASS"],
        emp,
        rules["EXAM_PASS"].points,
        source_key=key,
        source_label="考试：供电服务规范",
        now=when,
    )
    if score >= 95:
        award(
            rules["EXAM_95"],
            emp,
            rules["EXAM_95"].points,
            source_key=key,
            source_label=f"考试：供电服务规范 {score} 分",
            now=when,
        )
    if rng.random() < 0.6:
        award(
            rules["EXAM_FIRST"],
            emp,
            rules["EXAM_FIRST"].points,
            source_key=key,
            source_label="一次通过：供电服务规范",
            now=when,
        )


def _seed_manual_entries(
    rules, staff, trainer: User, hr: User, me: User | None, rng: random.Random, now
) -> None:
    """Manual entries: praise approved, a complaint approved, a proposal pending, one praise rejected."""
    today = now.astimezone(LOCAL_TZ).date()
    manual = [
        (staff[0], "PRAISE", "客户来电表扬：耐心解答电费疑问，一次解决。", True),
        (staff[1], "COMPLAINT", "客户投诉：答复超时，经质检核实属实。", True),
        (staff[2], "INNOVATION", "建议：停电通知短信增加预计恢复时间，已被中心采纳。", None),
        (staff[3], "PRAISE", "收到锦旗一面（证据不足，待补充）。", False),
    ]
    if me is not None:
        manual.append((me.employee, "PRAISE", "客户致信表扬：夜间抢修报修受理及时、态度热情。", True))
    for emp, code, text, decision in manual:
        attachment = store_attachment(DEMO_PNG, "evidence.png")
        claim = create_claim(
            employee=emp,
            rule=rules[code],
            occurred_on=today - dt.timedelta(days=rng.randint(3, 40)),
            evidence_text=text,
            attachment=attachment,
            author=trainer,
            now=now,
        )
        if decision is not None:
            decide_claim(
                claim, approver=hr, approve=decision, reason="" if decision else "请补充锦旗照片。", now=now
            )


def _seed_appeal(me: User, now: dt.datetime) -> None:
    """The demo employee appeals their first ledger line."""
    entry = db.session.scalar(
        select(PointEntry).where(PointEntry.employee_id == me.employee_id).order_by(PointEntry.id)
    )
    if entry is not None:
        file_appeal(entry, user=me, reason="这条记录的分值与我参加的活动不符，请核实。", now=now)


def _seed_star_selections(trainer: User, hr: User, now: dt.datetime) -> None:
    """Service stars: last quarter published for the 95598 centre; this quarter open for 城东."""
    center, east = _department("HY-KF"), _department("HY-CD")
    last_quarter = period_at(PeriodKind.QUARTER, now).previous()
    if center is not None:
        selection = star.open_selection(
            center,
            last_quarter,
            user=trainer,
            max_nominees=2,
            tie_breaks="fewest_complaints,higher_exam_average",
            now=now,
        )
        eligible = [c for c in star.candidates(center, last_quarter, selection.tie_breaks) if c.eligible][:2]
        if eligible:
            star.nominate(
                selection,
                [
                    (
                        c.standing.employee_id,
                        f"{c.employee.name}同志本季度积分 {c.standing.points} 分，服务规范、"
                        "业务过硬，客户满意度高，特授予“服务之星”称号。",
                    )
                    for c in eligible
                ],
                user=trainer,
                now=now,
            )
            star.approve_selection(selection, user=hr, now=now)
    if east is not None:
        star.open_selection(
            east,
            period_at(PeriodKind.QUARTER, now),
            user=trainer,
            max_nominees=3,
            tie_breaks="fewest_complaints,higher_exam_average",
            now=now,
        )
