"""Which notices reach a person by e-mail as well as in the inbox: the kinds of notice, and each person's
choice per kind.

Packages describe their notice kinds with ``register_notice_kinds(app, [NoticeKind(...)])`` from their
``register`` (core never imports them). A kind is either exact (``training.enrolled``) or a family ending in
``*`` (``exams.*`` covers every ``exams.…`` notice a package sends, ``drill.compliance_*`` every
compliance flag); ``notify`` looks a notice's kind up exactly first, then by the longest family that
covers it.

Decisions:
- Two choices per kind, as in Moodle's and TalentLMS's notification preferences: 「邮件和站内」 (the
  default) or 「仅站内」. The inbox always gets the notice: it is the record, and the bell and the to-do
  list read from it.
- A choice is stored only once the person saves the page (table ``notice_preferences``, one row per user
  and kind); without a row, e-mail goes out whenever SMTP is configured.
- Kinds nobody registered are e-mailed as before and do not appear on the settings page.
- Staff-only kinds carry ``roles``; the page shows a person only the kinds that can reach them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models import utcnow


class NoticePreference(db.Model):
    """One person's choice for one kind of notice: ``email`` False means in the inbox only."""

    __tablename__ = "notice_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class NoticeKind:
    """A kind of notice as the settings page names it."""

    kind: str  # "training.enrolled", or a family "exams.*" (every kind starting "exams.")
    label: object  # lazy: what the notice is about
    group: object  # lazy: the heading it stands under (the package's name)
    roles: tuple[str, ...] = ()  # empty: anyone may get it
    order: int = 100


def _registry(app) -> dict[str, NoticeKind]:
    return app.extensions.setdefault("gridready_notice_kinds", {})


def register_notice_kinds(app, kinds: Iterable[NoticeKind]) -> None:
    """Add a package's notice kinds (a later registration of the same kind replaces the earlier one)."""
    registry = _registry(app)
    for kind in kinds:
        registry[kind.kind] = kind


def kind_for(kind: str) -> NoticeKind | None:
    """The registered kind that covers ``kind``: itself, else the longest family (``prefix*``) above it."""
    registry = _registry(current_app)
    if kind in registry:
        return registry[kind]
    families = [k for k in registry if k.endswith("*") and kind.startswith(k[:-1])]
    return registry[max(families, key=len)] if families else None


def kinds_for(user) -> list[NoticeKind]:
    """The kinds that can reach ``user``, in page order."""
    kinds = [k for k in _registry(current_app).values() if not k.roles or user.has_any_role(*k.roles)]
    return sorted(kinds, key=lambda k: (k.order, k.kind))


def inbox_only(user_ids: list[int], kind: str) -> set[int]:
    """Which of ``user_ids`` chose to get notices of ``kind`` in the inbox only (no e-mail)."""
    registered = kind_for(kind)
    if registered is None or not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(NoticePreference.user_id).where(
                NoticePreference.kind == registered.kind,
                NoticePreference.email.is_(False),
                NoticePreference.user_id.in_(user_ids),
            )
        )
    )


def email_choices(user) -> dict[str, bool]:
    """``user``'s choice per registered kind (True: e-mail and inbox), defaults filled in."""
    saved = dict(
        db.session.execute(
            select(NoticePreference.kind, NoticePreference.email).where(NoticePreference.user_id == user.id)
        ).all()
    )
    return {k.kind: saved.get(k.kind, True) for k in kinds_for(user)}


def save_email_choices(user, choices: dict[str, bool], now: dt.datetime) -> int:
    """Store ``user``'s choices for the kinds that can reach them; returns how many changed."""
    allowed = {k.kind for k in kinds_for(user)}
    rows = {
        p.kind: p
        for p in db.session.scalars(select(NoticePreference).where(NoticePreference.user_id == user.id))
    }
    changed = 0
    for kind, email in choices.items():
        if kind not in allowed:
            continue
        row = rows.get(kind)
        if row is None:
            if email:
                continue  # the default; nothing to store
            db.session.add(NoticePreference(user_id=user.id, kind=kind, email=False, updated_at=now))
            changed += 1
        elif row.email != email:
            row.email, row.updated_at = email, now
            changed += 1
    db.session.flush()
    return changed
