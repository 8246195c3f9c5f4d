"""Audit log: who did what to which object, when, from which IP.

Two sources feed it:
- every insert, update and delete of a model is recorded automatically at flush time (a model opts out
  with ``__audit__ = False``, e.g. high-volume autosaves that are audited at submit instead; columns in
  ``__audit_redact__`` are logged as changed without their values);
- ``record()`` for what a flush cannot see: sign-in, sign-out, sensitive reads (an unmasked national ID,
  an export), bulk operations.

The log page shows each action in words. Core names the automatic verbs; each package tells, through
``register_words`` (from its ``labels.py`` in ``register``), what its audited models are called and what
its recorded actions mean.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext
from core.models import utcnow

# The automatic actions, ``<model>.create`` / ``.update`` / ``.delete``, named with the model's words.
AUTOMATIC_VERBS = {
    "create": _l("%(object)s created"),
    "update": _l("%(object)s changed"),
    "delete": _l("%(object)s deleted"),
}


# The shell's own recorded actions and audited models (the packages register theirs).
CORE_ACTIONS = {"seed.content": _l("Starter content loaded")}
CORE_OBJECTS = {"NoticePreference": _l("Notification preference")}
# Field names many models share (the packages register their own).
CORE_FIELDS = {
    "id": _l("Record number"),
    "name": lazy_pgettext("what a thing is called", "Name"),
    "title": _l("Title"),
    "status": _l("Status"),
    "active": _l("Active"),
    "employee_id": _l("Employee"),
    "department_id": _l("Department"),
    "created_at": _l("Created at"),
    "reason": _l("Reason"),
}


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __audit__ = False
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict | None] = mapped_column(JSON)
    # The person the entry is about (an employee's record, their account, their certificate …), so the log
    # answers "who changed what about this person". No foreign key: the entry outlives the person.
    subject_employee_id: Mapped[int | None] = mapped_column(Integer, index=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _actor() -> tuple[int | None, str | None]:
    if not has_request_context():
        return None, None
    user_id = None
    try:
        if current_user and current_user.is_authenticated:
            user_id = current_user.id
    except Exception:  # noqa: BLE001 — a broken user loader must not stop the audit row
        user_id = None
    return user_id, request.remote_addr


def subject_of(obj: Any) -> int | None:
    """The employee an audited object is about: the employee itself, or the one it names
    (``employee_id``, e.g. a user account, a certificate, a ledger entry)."""
    if obj is None:
        return None
    if type(obj).__name__ == "Employee":
        return getattr(obj, "id", None)
    value = getattr(obj, "employee_id", None)
    return value if isinstance(value, int) else None


def record(action: str, obj: Any = None, *, user_id: int | None = None, **details: Any) -> AuditEntry:
    """Add an audit entry for ``action`` on ``obj`` (flushed with the caller's transaction). The person it
    is about is ``obj``'s (``subject_of``), or the ``employee_id`` given among the details."""
    actor, ip = _actor()
    subject = subject_of(obj)
    if subject is None and isinstance(details.get("employee_id"), int):
        subject = details["employee_id"]
    entry = AuditEntry(
        subject_employee_id=subject,
        at=utcnow(),
        user_id=user_id if user_id is not None else actor,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=_object_id(obj) if obj is not None else None,
        ip=ip,
        details=_jsonable(details) or None,
    )
    db.session.add(entry)
    return entry


def record_inserted(model: type, rows: list[dict]) -> None:
    """The entries the automatic hook writes for new objects, for ``rows`` of ``model`` inserted in bulk
    with a Core insert (which the flush hook does not see); each row carries its ``id``. One statement."""
    if not rows or not getattr(model, "__audit__", True):
        return
    actor, ip = _actor()
    now = utcnow()
    name = model.__name__
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "at": now,
                "user_id": actor,
                "action": f"{name.lower()}.create",
                "object_type": name,
                "object_id": str(row["id"]),
                "ip": ip,
                "details": _jsonable({k: v for k, v in row.items() if k != "id" and v is not None}),
                "subject_employee_id": row["employee_id"]
                if isinstance(row.get("employee_id"), int)
                else None,
            }
            for row in rows
        ],
    )


def _object_id(obj: Any) -> str | None:
    if not hasattr(obj, "__mapper__"):
        return None
    # Read the primary key from the instance: in after_flush a new row has its id but no identity key yet.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if all(part is None for part in key):
        return None
    return ":".join(str(part) for part in key)


def suppress_automatic(session: Session):
    """Context manager: skip per-row audit entries (bulk work records one summary entry instead)."""

    class _Suppress:
        def __enter__(self):
            session.info["audit_suppressed"] = session.info.get("audit_suppressed", 0) + 1

        def __exit__(self, *exc):
            session.info["audit_suppressed"] -= 1

    return _Suppress()


def _audited(obj: Any) -> bool:
    return getattr(type(obj), "__audit__", True)


BEFORE = "_before"  # in an update's details: the changed fields' values before the change


def _changes(obj: Any, *, with_before: bool = False) -> dict:
    """The changed columns' new values; for an update also their old ones under ``BEFORE``."""
    redact = getattr(type(obj), "__audit_redact__", ())
    state = inspect(obj)
    changed, before = {}, {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        if attr.key in redact:
            changed[attr.key] = "<redacted>"
            continue
        changed[attr.key] = _jsonable(hist.added[0] if hist.added else None)
        if with_before and hist.deleted:
            before[attr.key] = _jsonable(hist.deleted[0])
    if before:
        changed[BEFORE] = before
    return changed


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _flush_context, _instances) -> None:
    if session.info.get("audit_suppressed"):
        return
    pending = session.info.setdefault("audit_pending", [])
    for obj in session.new:
        if _audited(obj):
            pending.append(("create", obj, _changes(obj)))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _changes(obj, with_before=True)
            if changes:
                pending.append(("update", obj, changes))
    for obj in session.deleted:
        if _audited(obj):
            pending.append(("delete", obj, {"id": _object_id(obj)}))


@event.listens_for(Session, "after_flush")
def _write(session: Session, _flush_context) -> None:
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    actor, ip = _actor()
    now = utcnow()
    rows = []
    for verb, obj, changes in pending:
        name = type(obj).__name__
        rows.append(
            {
                "at": now,
                "user_id": actor,
                "action": f"{name.lower()}.{verb}",
                "object_type": name,
                "object_id": _object_id(obj),
                "ip": ip,
                "details": changes or None,
                "subject_employee_id": subject_of(obj),
            }
        )
    session.connection().execute(insert(AuditEntry), rows)


# ---------------------------------------------------------------- words for the log page


def _words(app=None) -> dict[str, dict[str, Any]]:
    app = app or current_app
    return app.extensions.setdefault(
        "gridready_audit_words",
        {"objects": dict(CORE_OBJECTS), "actions": dict(CORE_ACTIONS), "fields": dict(CORE_FIELDS)},
    )


def register_words(
    app,
    *,
    objects: dict[str, Any] | None = None,
    actions: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
) -> None:
    """Tell the audit log what a package's audited models are called (class name → label), what its
    recorded actions mean (action → label) and what its recorded fields are called (column name → label)."""
    words = _words(app)
    words["objects"].update(objects or {})
    words["actions"].update(actions or {})
    words["fields"].update(fields or {})


def field_label(name: str, object_type: str | None = None) -> str:
    """A recorded field as people read it: the words for ``<Model>.<field>`` when a package named them, else
    for ``<field>`` ("" when nobody named it: the page then shows the raw name)."""
    fields = _words()["fields"]
    label = fields.get(f"{object_type}.{name}", fields.get(name))
    return str(label) if label is not None else ""


def changes_of(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """An entry's details as (field, old, new) rows for the log page; old is None when unknown."""
    details = dict(entry.details or {})
    before = details.pop(BEFORE, {}) or {}
    if not isinstance(before, dict):
        before = {}
    return [(key, before.get(key), value) for key, value in details.items()]


def object_label(object_type: str | None) -> str:
    """The words for an audited model's class name (the class name itself when nobody named it)."""
    if not object_type:
        return ""
    label = _words()["objects"].get(object_type)
    return str(label) if label is not None else object_type


def action_label(action: str) -> str:
    """An action as people read it: ``user.update`` → 修改登录账号; unknown actions stay as recorded."""
    words = _words()
    if action in words["actions"]:
        return str(words["actions"][action])
    name, _dot, verb = action.rpartition(".")
    if verb in AUTOMATIC_VERBS:
        for object_type, label in words["objects"].items():
            if object_type.lower() == name:
                return str(AUTOMATIC_VERBS[verb]) % {"object": label}
    return action


def known_actions() -> list[tuple[str, str]]:
    """Every action the log can hold, as (action, words), sorted by the words."""
    words = _words()
    actions = dict(words["actions"])
    for object_type in words["objects"]:
        for verb in AUTOMATIC_VERBS:
            actions.setdefault(f"{object_type.lower()}.{verb}", None)
    return sorted(((a, action_label(a)) for a in actions), key=lambda pair: pair[1])


def known_objects() -> list[tuple[str, str]]:
    """Every named object type, as (class name, words), sorted by the words."""
    return sorted(((o, object_label(o)) for o in _words()["objects"]), key=lambda pair: pair[1])
