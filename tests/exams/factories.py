"""Exam test data: questions of each type (contract shapes), blueprints, exams with an audience.

Build and flush, never commit. Question factories are our own (question_bank's were not available when
these were written); they follow docs/question-contract.md."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from core.extensions import db
from exams.models import AudienceKind, BlueprintRule, BlueprintSection, Exam, ExamAudience, PaperBlueprint
from question_bank.models import Category, Question, QuestionVersion
from tests import factories as base

_n = itertools.count(1)
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def category(name: str | None = None) -> Category:
    cat = Category(name=name or f"分类{next(_n)}", path="")
    db.session.add(cat)
    db.session.flush()
    cat.path = f"/{cat.id}/"
    return cat


def question(
    qtype: str = "single",
    *,
    stem: str | None = None,
    options=None,
    key=None,
    points: str = "2",
    chapter: int = 3,
    difficulty: int = 3,
    cat: Category | None = None,
    explanation: str = "",
    status: str = "published",
    review_status: str = "approved",
) -> Question:
    """A published question with one version, approved in review (as the starter bank's are); defaults
    give a sensible item of each type."""
    n = next(_n)
    defaults = {
        "single": (
            [
                {"id": "A", "html": f"选项甲{n}", "fraction": "1", "feedback": ""},
                {"id": "B", "html": f"选项乙{n}", "fraction": "0", "feedback": ""},
                {"id": "C", "html": f"选项丙{n}", "fraction": "0", "feedback": ""},
            ],
            {"correct": ["A"]},
        ),
        "multiple": (
            [
                {"id": "A", "html": "甲", "fraction": "0.5", "feedback": ""},
                {"id": "B", "html": "乙", "fraction": "0.5", "feedback": ""},
                {"id": "C", "html": "丙", "fraction": "-1", "feedback": ""},
                {"id": "D", "html": "丁", "fraction": "0", "feedback": ""},
            ],
            {"correct": ["A", "B"]},
        ),
        "truefalse": ([], {"answer": True}),
        "fill": (
            [],
            {"blanks": [["2小时", "2h"], ["4小时"]], "case_sensitive": False, "ignore_punctuation": True},
        ),
        "essay": ([], {"reference_html": "<p>参考答案</p>", "rubric": [{"text": "分级", "points": "5"}]}),
        "matching": (
            [],
            {
                "pairs": [{"left": "一般故障", "right": "2小时"}, {"left": "重大故障", "right": "4小时"}],
                "distractors": ["8分钟"],
            },
        ),
        "numerical": (
            [],
            {"answers": [{"value": "95.8", "tolerance": "0.05", "fraction": "1"}], "unit": "%"},
        ),
    }[qtype]
    stems = {"fill": f"一般故障{{{{1}}}}内到达，重大故障{{{{2}}}}内到达（{n}）"}
    cat = cat or category()
    q = Question(
        category_id=cat.id,
        type=qtype,
        status=status,
        review_status=review_status,
        chapter=chapter,
        difficulty=difficulty,
        stem_text=f"q{n}",
        points=Decimal(points),
    )
    db.session.add(q)
    db.session.flush()
    v = QuestionVersion(
        question_id=q.id,
        number=1,
        type=qtype,
        stem_html=stem or stems.get(qtype, f"<p>题目{n}</p>"),
        options=options if options is not None else defaults[0],
        key=key if key is not None else defaults[1],
        explanation=explanation,
        points=Decimal(points),
        chapter=chapter,
        difficulty=difficulty,
    )
    db.session.add(v)
    db.session.flush()
    q.current_version_id = v.id
    db.session.flush()
    db.session.refresh(q)
    return q


def new_version(q: Question, **changes) -> QuestionVersion:
    """A corrected version of ``q`` (e.g. a fixed key) that becomes current."""
    old = q.current_version
    v = QuestionVersion(
        question_id=q.id,
        number=old.number + 1,
        type=old.type,
        stem_html=old.stem_html,
        options=changes.get("options", old.options),
        key=changes.get("key", old.key),
        explanation=old.explanation,
        points=old.points,
        chapter=old.chapter,
        difficulty=old.difficulty,
    )
    db.session.add(v)
    db.session.flush()
    q.current_version_id = v.id
    db.session.flush()
    db.session.refresh(q)
    return v


def blueprint(questions=(), *, points: str | None = None, draw=None) -> PaperBlueprint:
    """A blueprint with one section holding ``questions`` as fixed items (at their own points unless given), plus optional draw rules
    ``draw=[dict(count=.., types=[..], ...)]``."""
    bp = PaperBlueprint(title=f"组卷{next(_n)}")
    db.session.add(bp)
    db.session.flush()
    section = BlueprintSection(blueprint=bp, title="一、试题", position=1)
    db.session.add(section)
    for index, q in enumerate(questions, start=1):
        section.rules.append(
            BlueprintRule(
                kind="fixed", question_id=q.id, count=1, points=Decimal(points or q.points), position=index
            )
        )
    for index, rule in enumerate(draw or [], start=len(questions) + 1):
        section.rules.append(
            BlueprintRule(kind="draw", position=index, **{"points": Decimal(points or "2"), **rule})
        )
    db.session.flush()
    db.session.refresh(bp)
    return bp


def exam(
    bp: PaperBlueprint | None = None, *, audience_departments=(), audience_employees=(), **fields
) -> Exam:
    """A published exam open around NOW (one day either side), 60 minutes, one attempt."""
    values = {
        "title": f"考试{next(_n)}",
        "opens_at": NOW - dt.timedelta(days=1),
        "closes_at": NOW + dt.timedelta(days=1),
        "duration_minutes": 60,
        "max_attempts": 1,
        "published": True,
        "shuffle_questions": False,
        "shuffle_options": False,
        **fields,
    }
    e = Exam(blueprint=bp or blueprint([question()]), **values)
    db.session.add(e)
    db.session.flush()
    for d in audience_departments:
        e.audience.append(ExamAudience(kind=AudienceKind.DEPARTMENT, target_id=d.id))
    for emp in audience_employees:
        e.audience.append(ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=emp.id))
    db.session.flush()
    return e


def candidate(exam_obj: Exam | None = None, **kwargs):
    """A user whose employee is in ``exam_obj``'s audience (named)."""
    user = base.user(**kwargs)
    if exam_obj is not None:
        exam_obj.audience.append(ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=user.employee_id))
        db.session.flush()
    return user
