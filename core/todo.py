"""The employee's to-do list: what each person has to do next, from every package, in one list by date.

A package contributes its items with ``add_todo_source(app, key, build)`` from its ``register``; core
never imports it (as with the dashboard cards in ``core.navigation``). ``build(user, now)`` returns
``TodoItem``s for that user only — exams to take, sessions enrolled, certificates expiring, corrective
actions assigned, drill roles to confirm, appeals answered — each with a link to the page where it is
done and its status in words an employee reads correctly (即将开始, not 已批准, for a drill still ahead).

Decisions:
- One order: by the item's date (an exam's opening or closing time, a session's start, a certificate's
  expiry, an action's due date, a drill's start, an appeal's answer), earliest first, so what is overdue
  or past and still open stands at the top. Items on the same moment keep the sources' order.
- The dashboard card shows the first ``CARD_LIMIT`` items and links to the whole list (``/todo``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app

from core.timeutil import local_to_utc

CARD_LIMIT = 8


@dataclass(frozen=True)
class TodoItem:
    """One thing to do. ``when`` (aware) orders the list; ``dated`` says whether the time of day matters."""

    source: str  # the contributing source's key, e.g. "training.sessions"
    when: dt.datetime
    title: str
    status: object  # the status in words (a lazy string)
    link: str
    action: object  # what the button says (a lazy string)
    tone: str = "secondary"  # Bootstrap colour of the status badge
    detail: str = ""
    timed: bool = True  # False: show the date only (a certificate's expiry, an action's due date)
    when_label: object = ""  # what the date is (a lazy string: 截止, 开始, 到期 …)


@dataclass(frozen=True)
class TodoSource:
    key: str
    build: Callable  # build(user, now) -> Iterable[TodoItem]
    roles: tuple[str, ...] = ()
    order: int = 100


def _sources(app) -> list[TodoSource]:
    return app.extensions.setdefault("gridready_todo", [])


def add_todo_source(app, key: str, build: Callable, *, roles: tuple[str, ...] = (), order: int = 100) -> None:
    """Let a package put items on every user's to-do list (``build(user, now)`` → items)."""
    _sources(app).append(TodoSource(key, build, roles, order))


def start_of_day(day: dt.date) -> dt.datetime:
    """A calendar date (Asia/Shanghai) as the moment that orders it among timed items."""
    return local_to_utc(day, dt.time(0))


def todo_for(user, now: dt.datetime) -> list[TodoItem]:
    """Every item on ``user``'s to-do list, by date (earliest first)."""
    items: list[TodoItem] = []
    if getattr(user, "employee_id", None) is None:
        return items
    for source in sorted(_sources(current_app), key=lambda s: s.order):
        if source.roles and not user.has_any_role(*source.roles):
            continue
        items.extend(_items(source.build(user, now)))
    return sorted(items, key=lambda item: item.when)


def _items(built: Iterable[TodoItem] | None) -> list[TodoItem]:
    return list(built or [])
