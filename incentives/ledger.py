"""The points ledger: append an entry (idempotent, capped), reverse one, and sum balances.

Append-only is enforced twice: the services here only ever insert, and a session guard refuses any
UPDATE or DELETE of a ledger row (ORM flush or bulk statement) with ``LedgerError``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import Employee, User
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import site_language
from incentives.errors import IncentiveError
from incentives.models import PointEntry, PointRule
from incentives.periods import period_at

ZERO = Decimal("0")
ONE_PLACE = Decimal("0.1")


class LedgerError(RuntimeError):
    """Someone tried to change or delete a ledger row (a programming error, never a user's)."""


def default_locale():
    """Context: text written into the ledger is in the site's default language, the same for every
    reader and safe outside a request (signal listeners also run in CLI commands and background jobs)."""
    return site_language()


DEMO_REMOVAL = "gridready_demo_removal"


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _ctx, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, PointEntry):
            raise LedgerError("the points ledger is append-only: add a reversing entry instead of deleting")
    for obj in session.dirty:
        if isinstance(obj, PointEntry) and session.is_modified(obj, include_collections=False):
            raise LedgerError("the points ledger is append-only: add a reversing entry instead of editing")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state) -> None:
    # The one exception: ``flask accounts remove-demo`` deletes the fictitious demo people's lines.
    if state.is_delete and state.execution_options.get(DEMO_REMOVAL):
        return
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is PointEntry for mapper in state.all_mappers
    ):
        raise LedgerError("the points ledger is append-only: bulk UPDATE/DELETE refused")


def _existing(rule_id: int, source_key: str, employee_id: int) -> PointEntry | None:
    return db.session.scalar(
        select(PointEntry).where(
            PointEntry.rule_id == rule_id,
            PointEntry.source_key == source_key,
            PointEntry.employee_id == employee_id,
        )
    )


def rule_total_in_period(rule: PointRule, employee_id: int, moment: dt.datetime) -> Decimal:
    """Points ``rule`` has paid ``employee_id`` (net of reversals) in the cap period holding ``moment``."""
    period = period_at(rule.cap_period, moment)
    total = db.session.scalar(
        select(func.coalesce(func.sum(PointEntry.points), 0)).where(
            PointEntry.rule_id == rule.id,
            PointEntry.employee_id == employee_id,
            PointEntry.occurred_at >= period.start_utc,
            PointEntry.occurred_at < period.end_utc,
        )
    )
    return Decimal(total)


def capped_points(rule: PointRule, employee_id: int, points: Decimal, moment: dt.datetime) -> Decimal:
    """``points`` reduced so the rule's total in its cap period stays within ``rule.cap`` (absolute)."""
    if rule.cap is None:
        return points
    used = rule_total_in_period(rule, employee_id, moment)
    if points >= 0:
        return max(min(points, rule.cap - used), ZERO)
    return min(max(points, -(rule.cap + used)), ZERO)


def award(
    rule: PointRule,
    employee: Employee,
    points: Decimal,
    *,
    source_key: str,
    source_label: str,
    now: dt.datetime,
    occurred_at: dt.datetime | None = None,
    reason: str = "",
    author: User | None = None,
    approver: User | None = None,
) -> PointEntry:
    """Append the entry ``rule`` pays for one source event, once only: a replay returns the first entry.

    The rule's cap applies; an award that the cap cuts to nothing is still written (0 points, with the
    reason), so the employee sees why the event paid nothing.
    """
    existing = _existing(rule.id, source_key, employee.id)
    if existing is not None:
        return existing
    occurred_at = occurred_at or now
    wanted = Decimal(points).quantize(ONE_PLACE)
    paid = capped_points(rule, employee.id, wanted, occurred_at)
    if paid != wanted:
        with default_locale():
            note = _(
                "Cap of %(cap)s points per period reached: %(paid)s of %(wanted)s points counted.",
                cap=rule.cap,
                paid=paid,
                wanted=wanted,
            )
        reason = f"{reason} {note}".strip()
    entry = PointEntry(
        employee_id=employee.id,
        rule_id=rule.id,
        points=paid,
        occurred_at=occurred_at,
        recorded_at=now,
        source_key=source_key[:120],
        source_label=source_label[:300],
        reason=reason,
        author_id=author.id if author else None,
        approver_id=approver.id if approver else None,
    )
    # A SAVEPOINT: if the same event is being paid concurrently, the unique key refuses the second
    # insert and only this savepoint rolls back, never the sender's transaction.
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        existing = _existing(rule.id, source_key, employee.id)
        if existing is None:
            raise
        return existing
    return entry


def reverse_entry(entry: PointEntry, *, reason: str, author: User, now: dt.datetime) -> PointEntry:
    """Correct a ledger line by appending its exact opposite, with the reason (the original stays)."""
    reason = (reason or "").strip()
    if not reason:
        raise IncentiveError(_l("A correction needs a reason."))
    if entry.is_reversal:
        raise IncentiveError(_l("A correction cannot itself be reversed; enter a new entry instead."))
    if db.session.scalar(select(PointEntry.id).where(PointEntry.reverses_id == entry.id)):
        raise IncentiveError(_l("This entry has already been reversed."))
    with default_locale():
        label = _("Correction of entry #%(id)d", id=entry.id)
    reversal = PointEntry(
        employee_id=entry.employee_id,
        rule_id=entry.rule_id,
        points=-entry.points,
        occurred_at=entry.occurred_at,  # counts in the same period as the entry it cancels
        recorded_at=now,
        source_key=f"reversal:{entry.id}",
        source_label=label,
        reason=reason,
        author_id=author.id,
        approver_id=author.id,
        reverses_id=entry.id,
    )
    db.session.add(reversal)
    db.session.flush()
    return reversal


def reversed_ids(entry_ids: list[int]) -> set[int]:
    """Which of ``entry_ids`` have been reversed."""
    if not entry_ids:
        return set()
    return set(
        db.session.scalars(select(PointEntry.reverses_id).where(PointEntry.reverses_id.in_(entry_ids)))
    )


def balance(employee_id: int, start: dt.datetime | None = None, end: dt.datetime | None = None) -> Decimal:
    """An employee's points: the sum of their ledger lines (optionally those occurring in [start, end))."""
    query = select(func.coalesce(func.sum(PointEntry.points), 0)).where(PointEntry.employee_id == employee_id)
    if start is not None:
        query = query.where(PointEntry.occurred_at >= start)
    if end is not None:
        query = query.where(PointEntry.occurred_at < end)
    return Decimal(db.session.scalar(query)).quantize(ONE_PLACE)
