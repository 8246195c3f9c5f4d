"""Starter content of this package: the posts the guide names (chapter 3.1), with yearly training hours.

Roster rows name a post by its name, and certificate types say which posts need them, so the posts come
before both. Hours are this project's suggestion; HR changes them on the positions page.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select

from accounts.models import Position
from core.extensions import db
from core.seeding import Outcome, Starter, StarterKind, sync_starter

# (code, name, yearly training hours)
POSITIONS = [
    ("CSR", "客户服务专员", 40),
    ("CLERK", "营业厅柜员", 32),
    ("ELEC", "电工", 48),
    ("DISP", "电力调度员", 48),
    ("METER", "抄表核算员", 24),
    ("EMERG", "应急队员", 56),
    ("TRAIN", "培训专责", 40),
]


def _hours(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.1")))


def _content(code: str, name: str, hours) -> dict:
    return {"code": code, "name": name, "annual_training_hours": _hours(hours)}


def _create(items: list[Starter]) -> list[Position]:
    positions = [
        Position(code=i.content["code"], name=i.content["name"], annual_training_hours=Decimal(i.payload))
        for i in items
    ]
    db.session.add_all(positions)
    return positions


POSITION_KIND = StarterKind(
    kind="position",
    fetch=lambda id_: db.session.get(Position, id_),
    find=lambda item: db.session.scalar(
        select(Position).where(
            or_(Position.code == item.content["code"], Position.name == item.content["name"])
        )
    ),
    fingerprint=lambda p: _content(p.code, p.name, p.annual_training_hours),
    create=_create,
)


def seed_positions(outcome: Outcome) -> None:
    """The guide's posts (added where missing; edited ones left alone)."""
    sync_starter(
        POSITION_KIND,
        (
            Starter(f"position:{code}", f"{code} {name}", _content(code, name, hours), hours)
            for code, name, hours in POSITIONS
        ),
        outcome,
    )
