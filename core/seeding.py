"""Demo data: each package registers a seeder; ``flask seed-demo`` runs them in order, once each.

A seeder is ``fn(report) -> None``; it must be idempotent (look before it inserts) and only flush.
``report(line)`` adds a line to what the command prints at the end (e.g. the demo logins).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Seeder:
    name: str
    order: int
    run: Callable[[Callable[[str], None]], None]


def add_seeder(app, name: str, order: int, run: Callable) -> None:
    """Register a demo-data seeder (lower ``order`` runs first)."""
    app.extensions.setdefault("gridready_seeders", []).append(Seeder(name, order, run))


def seeders(app) -> list[Seeder]:
    return sorted(app.extensions.get("gridready_seeders", []), key=lambda s: s.order)
