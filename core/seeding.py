"""Seeding: the guide's starter content (``flask seed-content``) and the demo organisation (``flask seed-demo``).

Starter content. Each package registers named *content parts* (``add_content_part``): the question bank's
starter questions, the posts, certificate types, courses, drill rules, emergency plans, the evaluation
template, point rules, service-star settings. A part hands its items to ``sync_starter``, which keeps one
``StarterItem`` row per seeded item: the item's starter key, the hash of the item as this release ships it
(``source_hash``) and the hash of the object as it was stored (``content_hash``). A rerun after an upgrade
therefore adds the items that are new in the release and leaves alone what a unit has edited or deleted,
saying which and why. An item the release ships in new wording whose stored object nobody has touched is
brought up to date when its kind knows how (``StarterKind.update``: the question bank makes a new version);
kinds without ``update`` keep the stored object and say so. What a unit edited is never overwritten.

Demo data. Each package registers a demo seeder (``add_seeder``): ``fn(report) -> None``, idempotent, only
flushes; ``report(line)`` adds a line to what the command prints. A package that records demo activity also
registers a demo remover (``add_demo_remover``) so ``flask accounts remove-demo`` can take the demo people
and what hangs on them out again; and ``add_demo_guard`` lets a package refuse the demo on a real database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models import utcnow
from core.version import app_version

Report = Callable[[str], None]


# ---------------------------------------------------------------- the starter ledger


class StarterItem(db.Model):
    """One seeded starter item: which object it became and what it looked like then."""

    __tablename__ = "starter_items"
    __audit__ = False  # the seed-content run is audited as a whole
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    object_id: Mapped[int | None] = mapped_column(Integer)
    source_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    release: Mapped[str] = mapped_column(String(40))
    seeded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def content_hash(content: Any) -> str:
    """A stable hash of a JSON-like value (keys sorted; Decimals, dates and enums as text)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Starter:
    """A starter item as this release ships it: a stable key, a label for people, the content in the
    same shape as ``StarterKind.fingerprint`` gives for a stored object, and whatever ``create`` needs."""

    key: str
    label: str
    content: Any
    payload: Any = None


@dataclass
class StarterKind:
    """How ``sync_starter`` handles one kind of starter item."""

    kind: str
    fetch: Callable[[int], Any]  # the stored object by id, or None
    find: Callable[[Starter], Any]  # an object with the item's natural key (made without the ledger), or None
    fingerprint: Callable[[Any], Any]  # stored object → content in the shape of ``Starter.content``
    create: Callable[[list[Starter]], list[Any]]  # make these items (in order); flushed objects with ids
    # bring an unedited stored object up to the release's wording (None: keep it and report it as stale)
    update: Callable[[Any, Starter], None] | None = None


@dataclass
class Outcome:
    """What a content part did: counts, and every item left alone with the reason."""

    part: str
    added: int = 0
    unchanged: int = 0
    adopted: int = 0
    updated: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.part}: {self.added} added, {self.updated} updated to this release's wording, "
            f"{self.unchanged} unchanged, {self.adopted} already present and identical (now tracked), "
            f"{len(self.skipped)} left alone"
        )


SKIP_EDITED = "edited here since it was seeded (release {release}); left as it is"
SKIP_DELETED = "deleted here after it was seeded (release {release}); not recreated"
SKIP_NEWER = (
    "this release ships a different version of it, but it was edited here since it was seeded "
    "(release {release}); left as it is"
)
SKIP_STALE = (
    "this release ships a different version of it; the stored one (seeded with release {release}) is kept, "
    "compare and edit it by hand if you want the new wording"
)
SKIP_FOREIGN = "something with this key already exists here and differs from the starter item; left as it is"


def sync_starter(kind: StarterKind, items: Iterable[Starter], outcome: Outcome) -> dict[str, Any]:
    """Add the starter ``items`` that are new to this database and record them; leave every other one alone
    (edited, deleted, or made here), noting why in ``outcome``. Returns key → stored object for the items
    present afterwards (added, unchanged or adopted)."""
    items = list(items)
    records = {r.key: r for r in db.session.scalars(select(StarterItem).where(StarterItem.kind == kind.kind))}
    present: dict[str, Any] = {}
    to_create: list[Starter] = []
    for item in items:
        record = records.get(item.key)
        source = content_hash(item.content)
        if record is None:
            existing = kind.find(item)
            if existing is None:
                to_create.append(item)
            elif content_hash(kind.fingerprint(existing)) == source:
                _record(kind.kind, item.key, existing, source, source)
                present[item.key] = existing
                outcome.adopted += 1
            else:
                outcome.skipped.append((item.label, SKIP_FOREIGN))
            continue
        stored = kind.fetch(record.object_id) if record.object_id is not None else None
        if stored is None:
            outcome.skipped.append((item.label, SKIP_DELETED.format(release=record.release)))
            continue
        present[item.key] = stored
        edited = content_hash(kind.fingerprint(stored)) != record.content_hash
        if edited:
            reason = SKIP_NEWER if source != record.source_hash else SKIP_EDITED
            outcome.skipped.append((item.label, reason.format(release=record.release)))
        elif source != record.source_hash and kind.update is not None:
            kind.update(stored, item)
            db.session.flush()
            record.source_hash = source
            record.content_hash = content_hash(kind.fingerprint(stored))
            record.release = app_version()
            outcome.updated += 1
        elif source != record.source_hash:
            outcome.skipped.append((item.label, SKIP_STALE.format(release=record.release)))
        else:
            outcome.unchanged += 1
    if to_create:
        created = kind.create(to_create)
        db.session.flush()
        for item, obj in zip(to_create, created, strict=True):
            _record(kind.kind, item.key, obj, content_hash(item.content), content_hash(kind.fingerprint(obj)))
            present[item.key] = obj
            outcome.added += 1
    db.session.flush()
    return present


def _record(kind: str, key: str, obj: Any, source: str, stored: str) -> None:
    db.session.add(
        StarterItem(
            kind=kind,
            key=key,
            object_id=obj.id,
            source_hash=source,
            content_hash=stored,
            release=app_version(),
        )
    )


# ---------------------------------------------------------------- registries


@dataclass(frozen=True)
class ContentPart:
    name: str
    order: int
    description: str
    run: Callable[[Outcome], None]


@dataclass(frozen=True)
class Seeder:
    name: str
    order: int
    run: Callable[[Report], None]


@dataclass(frozen=True)
class DemoRemover:
    name: str
    order: int
    run: Callable[[list[int], list[int]], None]  # (demo employee ids, their account ids)


def add_content_part(app, name: str, order: int, description: str, run: Callable[[Outcome], None]) -> None:
    """Register a part of the guide's starter content (lower ``order`` runs first)."""
    app.extensions.setdefault("gridready_content", []).append(ContentPart(name, order, description, run))


def content_parts(app) -> list[ContentPart]:
    return sorted(app.extensions.get("gridready_content", []), key=lambda p: p.order)


def add_seeder(app, name: str, order: int, run: Callable) -> None:
    """Register a demo-data seeder (lower ``order`` runs first)."""
    app.extensions.setdefault("gridready_seeders", []).append(Seeder(name, order, run))


def seeders(app) -> list[Seeder]:
    return sorted(app.extensions.get("gridready_seeders", []), key=lambda s: s.order)


def add_demo_remover(app, name: str, order: int, run: Callable[[list[int], list[int]], None]) -> None:
    """Register what removes a package's records about demo people (higher ``order`` runs first)."""
    app.extensions.setdefault("gridready_demo_removers", []).append(DemoRemover(name, order, run))


def demo_removers(app) -> list[DemoRemover]:
    return sorted(app.extensions.get("gridready_demo_removers", []), key=lambda r: -r.order)


def add_demo_guard(app, check: Callable[[], str | None]) -> None:
    """Register a check that returns why the demo must not be loaded here (None: it may)."""
    app.extensions.setdefault("gridready_demo_guards", []).append(check)


def demo_refusals(app) -> list[str]:
    return [reason for check in app.extensions.get("gridready_demo_guards", []) if (reason := check())]
