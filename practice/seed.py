"""The demo organisation's share of practice (``flask seed-demo``): the starter bank's top categories open
for practice to everyone, a history of recent answers for the demo staff so the mastery pages and the
heatmap have something to show, and a practice under way for the demo employee (two questions answered, one
right, one wrong) so the question page and the look-back pages are there to open. Idempotent; the rows go
with the people (ON DELETE CASCADE)."""

from __future__ import annotations

import random

from sqlalchemy import select

from accounts.models import Employee, EmployeeStatus
from core.extensions import db
from core.models import utcnow
from practice import runs
from practice.errors import PracticeError
from practice.models import Mastery, Mode, PracticeOpening, PracticeRun
from practice.recording import rebuild_department_mastery
from question_bank.models import Category, KnowledgePoint, QuestionVersion

DEMO_LEARNER = "E0001"  # the demo employee login (accounts/seed.py DEMO_LOGINS)


def seed_practice(report) -> None:
    """Open the top categories for everyone; give demo staff recent answers on the guide's sections."""
    opened = 0
    for category in db.session.scalars(select(Category).where(Category.parent_id.is_(None))):
        exists = db.session.scalar(
            select(PracticeOpening.id).where(
                PracticeOpening.category_id == category.id, PracticeOpening.department_id.is_(None)
            )
        )
        if exists is None:
            db.session.add(PracticeOpening(category_id=category.id, department_id=None))
            opened += 1
    points = [
        p
        for p in db.session.scalars(select(KnowledgePoint).where(KnowledgePoint.path != ""))
        if p.path.count("/") <= 3
    ]
    people = db.session.scalars(
        select(Employee)
        .where(Employee.status == EmployeeStatus.ACTIVE, Employee.demo.is_(True))
        .order_by(Employee.id)
    ).all()
    if db.session.scalar(select(Mastery.employee_id).limit(1)) is not None:
        report(f"practice: {opened} categories opened; demo answers already there")
        _demo_run(report)
        return
    rng = random.Random(20261202)
    now = utcnow()
    for employee in people:
        skill = rng.uniform(0.4, 0.95)
        for point in rng.sample(points, min(len(points), 12)):
            recent = "".join("1" if rng.random() < skill else "0" for _ in range(rng.randint(2, 10)))
            db.session.add(
                Mastery(
                    employee_id=employee.id,
                    knowledge_point_id=point.id,
                    recent=recent,
                    right_count=recent.count("1"),
                    answered=len(recent),
                    updated_at=now,
                )  # fmt: skip
            )
    db.session.flush()
    rebuild_department_mastery()
    report(f"practice: {opened} categories opened; recent answers for {len(people)} people")
    _demo_run(report)


def _demo_run(report) -> None:
    """The demo employee's practice in order, two questions answered (right, then wrong), unless they have
    one already or nothing is open to them."""
    employee = db.session.scalar(select(Employee).where(Employee.employee_no == DEMO_LEARNER))
    if employee is None or db.session.scalar(
        select(PracticeRun.id).where(PracticeRun.employee_id == employee.id).limit(1)
    ):
        return
    now = utcnow()
    try:
        run = runs.start_run(employee, Mode.SEQUENTIAL, runs.Filters(), now)
    except PracticeError:
        return
    for position, right in ((0, True), (1, False)):
        if position >= len(run.items):
            break
        version = db.session.get(QuestionVersion, run.items[position][1])
        runs.answer(run, position, _response(version, right), now)
    report(f"practice: a practice under way for {DEMO_LEARNER} ({run.position} answered)")


def _response(version: QuestionVersion, right: bool) -> dict:
    """A right or a wrong answer to ``version`` in the exam runtime's response shape."""
    key = version.key
    if version.type in ("single", "multiple"):
        ids = [o["id"] for o in version.options]
        return {
            "choice": list(key["correct"]) if right else [next(i for i in ids if i not in key["correct"])]
        }
    if version.type == "truefalse":
        return {"answer": key["answer"] if right else not key["answer"]}
    if version.type == "fill":
        return {"blanks": [alts[0] if right else "—" for alts in key["blanks"]]}
    if version.type == "numerical":
        return {"value": key["answers"][0]["value"] if right else "-99999"}
    pairs = key.get("pairs", [])
    return {"pairs": [p["right"] for p in pairs] if right else [None] * len(pairs)}
