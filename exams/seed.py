"""Demo exams: a blueprint from the starter bank (guide chapters 3, 6, 7), a certification exam open now
for the 95598 center, a practice exam open to everyone, and a dozen finished attempts so the statistics
page has something to show. Tolerates an empty bank (then it seeds nothing and says so)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import func, select

from accounts.models import Department, Employee, User
from core.extensions import db
from core.models import utcnow
from exams import marking, papers, runtime
from exams.models import (
    AudienceKind,
    BlueprintRule,
    Exam,
    ExamAudience,
    ExamPurpose,
    PaperBlueprint,
    ResultsRelease,
)
from question_bank.models import Question, QuestionStatus, QuestionVersion

BLUEPRINT_TITLE = "客户服务与应急处置综合卷（第3、6、7章）"
SECTIONS = [
    ("一、单项选择题", "single", 10, Decimal(2)),
    ("二、多项选择题", "multiple", 5, Decimal(4)),
    ("三、判断题", "truefalse", 10, Decimal(1)),
    ("四、填空题", "fill", 3, Decimal(2)),
    ("五、简答题", "essay", 1, Decimal(10)),
]


def _available(qtype: str) -> int:
    return (
        db.session.scalar(
            select(func.count(Question.id)).where(
                Question.status == QuestionStatus.PUBLISHED,
                Question.type == qtype,
                Question.chapter.in_([3, 6, 7]),
                Question.current_version_id.is_not(None),
            )
        )
        or 0
    )


def demo_blueprint() -> PaperBlueprint | None:
    """The demo certification blueprint (made once from the starter bank; None when the bank is empty)."""
    existing = db.session.scalar(select(PaperBlueprint).where(PaperBlueprint.title == BLUEPRINT_TITLE))
    if existing is not None:
        return existing
    plan = [(title, qtype, min(count, _available(qtype)), points) for title, qtype, count, points in SECTIONS]
    plan = [p for p in plan if p[2] > 0]
    if not plan:
        return None
    blueprint = PaperBlueprint(title=BLUEPRINT_TITLE, description="演示：按章节随机抽题")
    db.session.add(blueprint)
    db.session.flush()
    for title, qtype, count, points in plan:
        section = papers.add_section(blueprint, title)
        section.rules.append(
            BlueprintRule(kind="draw", count=count, points=points, chapters=[3, 6, 7], types=[qtype])
        )
    db.session.flush()
    return blueprint


def _exam(title: str, blueprint: PaperBlueprint, now: dt.datetime, **fields) -> tuple[Exam, bool]:
    existing = db.session.scalar(select(Exam).where(Exam.title == title))
    if existing is not None:
        return existing, False
    exam = Exam(title=title, blueprint=blueprint, published=True, **fields)
    db.session.add(exam)
    db.session.flush()
    return exam, True


def _answer(version: QuestionVersion, option_order: list, rng: random.Random, skill: float) -> dict | None:
    key = version.key or {}
    right = rng.random() < skill
    if version.type in ("single", "multiple"):
        correct = list(key.get("correct") or [])
        if right or not option_order:
            return {"choice": correct}
        return {"choice": [rng.choice(option_order)]}
    if version.type == "truefalse":
        return {"answer": bool(key.get("answer")) if right else not key.get("answer")}
    if version.type == "fill":
        return {"blanks": [(b[0] if right and b else "不知道") for b in key.get("blanks") or []]}
    if version.type == "essay":
        return {"text": "应按照预案分级响应，及时报告，做好客户沟通与解释工作。"}
    return None


def seed_exams(report) -> None:
    """Blueprint, two exams and a dozen graded attempts (idempotent; nothing when the bank is empty)."""
    blueprint = demo_blueprint()
    if blueprint is None:
        report(
            "exams: the question bank has no published questions for chapters 3, 6, 7; no demo exams seeded"
        )
        return
    now = utcnow()
    center = db.session.scalar(select(Department).where(Department.code == "HY-KF"))
    company = db.session.scalar(
        select(Department).where(Department.parent_id.is_(None)).order_by(Department.id)
    )
    cert, created = _certification_exam(blueprint, center, now)
    practice = _practice_exam(blueprint, company, now)
    db.session.flush()
    if created and center is not None:
        sat, graded = _finished_attempts(cert, center, now)
        report(
            f"exams: seeded {sat} finished attempts on “{cert.title}” "
            f"({graded} fully graded, {sat - graded} essays waiting in the grading queue)"
        )
    report(f"exams: demo exams “{cert.title}” and “{practice.title}”")


def _certification_exam(
    blueprint: PaperBlueprint, center: Department | None, now: dt.datetime
) -> tuple[Exam, bool]:
    """The 95598 center's certification exam, open now (and whether it was created just now)."""
    cert, created = _exam(
        "95598客服专员持证上岗资格考试（2026）",
        blueprint,
        now,
        purpose=ExamPurpose.CERTIFICATION,
        description="持证上岗（指南3.1）：考试时长60分钟，60分及格，可考两次，取最高分。",
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=7),
        duration_minutes=60,
        max_attempts=2,
        pass_percent=Decimal(60),
        results_release=ResultsRelease.IMMEDIATE,
        show_answers=True,
        show_explanations=True,
        owner_department_id=center.id if center else None,
    )
    if created and center is not None:
        cert.audience.append(ExamAudience(kind=AudienceKind.DEPARTMENT, target_id=center.id))
    return cert, created


def _practice_exam(blueprint: PaperBlueprint, company: Department | None, now: dt.datetime) -> Exam:
    """A practice exam open to the whole company for a month."""
    practice, created = _exam(
        "应急处置知识练习",
        blueprint,
        now,
        purpose=ExamPurpose.PRACTICE,
        description="练习不计成绩，可反复作答。",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        duration_minutes=30,
        max_attempts=5,
        show_answers=True,
        show_explanations=True,
    )
    if created and company is not None:
        practice.audience.append(ExamAudience(kind=AudienceKind.DEPARTMENT, target_id=company.id))
    return practice


def _finished_attempts(cert: Exam, center: Department, now: dt.datetime) -> tuple[int, int]:
    """Up to 14 of the center's staff sat the exam two days ago; how many sat and how many are fully graded."""
    rng = random.Random(2026)
    staff = db.session.scalars(
        select(Employee)
        .join(Department)
        .where(Department.path.startswith(center.path), Employee.employee_no != "E0001")
        .order_by(Employee.employee_no)
        .limit(14)
    ).all()
    finished: list[tuple[object, float]] = []
    for employee in staff:
        started = now - dt.timedelta(days=2, minutes=rng.randrange(600))
        attempt = runtime.start_attempt(cert, employee, started)
        skill = rng.uniform(0.35, 0.95)
        items = runtime.load_items(attempt)
        versions = runtime.versions_of(items)
        for item in items:
            response = _answer(versions[item.version_id], item.option_order, rng, skill)
            if response is not None:
                item.response = response
                item.seq = 1
                item.saved_at = started + dt.timedelta(minutes=5)
        db.session.flush()
        runtime.submit_attempt(attempt, started + dt.timedelta(minutes=40))
        finished.append((attempt, skill))
    # The demo trainer has marked the essays of all but the last three (left in the grading queue),
    # so the results and statistics pages have final scores to show.
    grader = db.session.scalar(select(User).join(Employee).where(Employee.employee_no == "T0001"))
    graded = 0
    for attempt, skill in finished[:-3] if grader is not None else []:
        for item in runtime.load_items(attempt):
            if item.qtype == "essay" and item.mark is None:
                points = (Decimal(item.points) * Decimal(str(round(skill, 1)))).quantize(Decimal(1))
                marking.grade_item(item, points, "要点基本齐全，表述可更规范。", grader, now)
        graded += 1
    return len(staff), graded
