"""Building blocks for practice tests: an open category with questions on knowledge points, a learner."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.seeding import Outcome
from practice.models import PracticeOpening
from question_bank.knowledge import point_named, seed_knowledge_points
from tests import factories
from tests.exams import factories as exam_factories

NOW = exam_factories.NOW


def open_bank(n: int = 4, *, point: str = "响应时限", department=None, qtype: str = "single"):
    """A category open for practice (for everyone, or ``department``) holding ``n`` questions on ``point``."""
    seed_knowledge_points(Outcome("knowledge-points"))
    category = exam_factories.category()
    db.session.add(
        PracticeOpening(category_id=category.id, department_id=department.id if department else None)
    )
    kp = point_named(point)
    questions = []
    for _ in range(n):
        q = exam_factories.question(qtype, cat=category, explanation="<p>见指南3.3</p>")
        q.tags = [kp]
        questions.append(q)
    db.session.flush()
    return category, kp, questions


def learner(**kwargs):
    return factories.user(**kwargs)


def right(q) -> dict:
    return {"choice": list(q.current_version.key["correct"])}


def wrong(q) -> dict:
    correct = set(q.current_version.key["correct"])
    return {"choice": [next(o["id"] for o in q.current_version.options if o["id"] not in correct)]}


def later(minutes: int) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)
