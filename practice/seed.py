"""The demo organisation's share of practice (``flask seed-demo``): the starter bank's top categories open
for practice to everyone, and a history of recent answers for the demo staff so the mastery pages and the
heatmap have something to show. Idempotent; the rows go with the people (ON DELETE CASCADE)."""

from __future__ import annotations

import random

from sqlalchemy import select

from accounts.models import Employee, EmployeeStatus
from core.extensions import db
from core.models import utcnow
from practice.models import Mastery, PracticeOpening
from practice.recording import rebuild_department_mastery
from question_bank.models import Category, KnowledgePoint


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
