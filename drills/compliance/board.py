"""The compliance board: every unit × half year cell, evaluated over facts loaded once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import Department
from core.extensions import db
from core.timeutil import LOCAL_TZ
from drills.compliance.facts import load_facts
from drills.compliance.rules import Cell, evaluate_cell
from drills.halfyear import HalfYear, half_years
from drills.settings import Settings, get_settings


@dataclass
class Board:
    halves: list[HalfYear]
    rows: list[tuple[Department, list[Cell]]]
    today: dt.date

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = defaultdict(int)
        for _unit, cells in self.rows:
            for cell in cells:
                result[cell.state] += 1
        return dict(result)


def board_units(department_ids_query=None, settings: Settings | None = None) -> list[Department]:
    """The units on the board (departments of the configured kinds), optionally limited to a scope."""
    settings = settings or get_settings()
    query = select(Department).where(Department.kind.in_(list(settings.unit_kinds)))
    if department_ids_query is not None:
        query = query.where(department_ids_query)
    return list(db.session.scalars(query.order_by(Department.path)))


def build_board(
    units: list[Department], halves: list[HalfYear], now: dt.datetime, settings: Settings | None = None
) -> Board:
    """The compliance board for ``units`` × ``halves`` as of ``now``."""
    settings = settings or get_settings()
    today = now.astimezone(LOCAL_TZ).date()
    facts = load_facts(units, max(h.end_utc for h in halves) if halves else now)
    rows = [(u, [evaluate_cell(u.id, h, facts, today, settings) for h in halves]) for u in units]
    return Board(halves, rows, today)


def default_halves(now: dt.datetime, back: int = 3, ahead: int = 1) -> list[HalfYear]:
    """The half years the board shows by default: three back, the current one, one ahead."""
    current = HalfYear.of(now)
    return half_years(current.shift(-back), current.shift(ahead))
