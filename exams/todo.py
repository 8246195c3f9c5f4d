"""The exams on an employee's to-do list (``core.todo``): exams still to take, by when they open or close.

An exam leaves the list once it is passed, once every allowed attempt is used, or while a submitted attempt
waits for marking (there is nothing for the candidate to do then).
"""

from __future__ import annotations

import datetime as dt

from core.i18n import lazy_gettext as _l
from core.timeutil import LOCAL_TZ
from core.todo import TodoItem
from exams import services
from exams.models import Exam


def _fmt(value: dt.datetime) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _exam_item(exam: Exam, attempts: list, now: dt.datetime) -> TodoItem | None:
    link = f"/exams/{exam.id}"
    current = next((a for a in attempts if a.is_open), None)
    if current is not None:
        return TodoItem(
            "exams.exams",
            min(current.deadline, exam.closes_at),
            exam.title,
            _l("In progress"),
            link,
            _l("Continue"),
            tone="warning",
            when_label=_l("Hand in by"),
        )
    if any(a.passed for a in attempts) or any(a.passed is None for a in attempts):
        return None  # passed, or waiting for marking
    if len(attempts) >= exam.max_attempts:
        return None
    if exam.opens_at > now:
        return TodoItem(
            "exams.exams",
            exam.opens_at,
            exam.title,
            _l("Upcoming"),
            link,
            _l("View"),
            tone="info",
            when_label=_l("Opens"),
            detail=str(_l("Closes %(when)s", when=_fmt(exam.closes_at))),
        )
    return TodoItem(
        "exams.exams",
        exam.closes_at,
        exam.title,
        _l("Another attempt allowed") if attempts else _l("Open now"),
        link,
        _l("Take the exam"),
        tone="primary",
        when_label=_l("Closes"),
    )


def exam_items(user, now: dt.datetime) -> list[TodoItem]:
    """The exams ``user`` still has to take: open now, upcoming, or in progress."""
    employee = user.employee
    items = []
    for exam in services.candidate_exams(employee, now, recent_days=0):
        if exam.closes_at <= now:
            continue
        item = _exam_item(exam, services.attempts_of(exam, employee), now)
        if item is not None:
            items.append(item)
    return items
