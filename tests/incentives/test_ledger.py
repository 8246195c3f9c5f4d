"""The ledger: caps, reversal arithmetic, balances equal to the sum of lines, append-only."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update

from incentives import ledger
from incentives.errors import IncentiveError
from incentives.ledger import LedgerError
from incentives.models import PointEntry
from tests import factories
from tests.incentives.factories import NOW, employee, entry, rule


def test_cap_per_month_clips_the_award_and_says_why(db):
    capped = rule("CAPPED", points=5, cap=12, cap_period="month")
    emp = employee()
    paid = [entry(emp, capped).points for _ in range(4)]
    assert paid == [Decimal(5), Decimal(5), Decimal(2), Decimal(0)]
    last = db.session.scalars(select(PointEntry).order_by(PointEntry.id.desc())).first()
    assert "12" in last.reason  # the cap is named on the line
    # A new month starts afresh (Asia/Shanghai calendar).
    next_month = dt.datetime(2026, 5, 31, 16, 30, tzinfo=dt.UTC)  # 1 June 00:30 in Shanghai
    assert entry(emp, capped, when=next_month).points == Decimal(5)
    assert ledger.balance(emp.id) == Decimal(17)


def test_cap_on_a_deduction_limits_its_size(db):
    complaint = rule("NEG", points=-10, cap=15, cap_period="quarter")
    emp = employee()
    assert [entry(emp, complaint).points for _ in range(3)] == [Decimal(-10), Decimal(-5), Decimal(0)]


def test_cap_is_per_employee_and_per_rule(db):
    capped = rule("CAP2", points=5, cap=5)
    other = rule("FREE", points=5)
    a, b = employee(), employee()
    assert entry(a, capped).points == 5 and entry(b, capped).points == 5
    assert entry(a, capped).points == 0 and entry(a, other).points == 5


def test_reversal_cancels_the_entry_and_restores_the_cap(db):
    capped = rule("CAP3", points=5, cap=5)
    emp = employee()
    hr = factories.user(grants=[("hr", None)])
    first = entry(emp, capped)
    reversal = ledger.reverse_entry(first, reason="录入错误", author=hr, now=NOW)
    assert reversal.points == Decimal(-5) and reversal.reverses_id == first.id
    assert reversal.occurred_at == first.occurred_at  # counts in the same period
    assert ledger.balance(emp.id) == 0
    assert entry(emp, capped).points == 5  # the cap has room again
    assert ledger.balance(emp.id) == 5


def test_reversal_rules(db):
    r = rule("REV", points=3)
    emp = employee()
    hr = factories.user(grants=[("hr", None)])
    line = entry(emp, r)
    with pytest.raises(IncentiveError):
        ledger.reverse_entry(line, reason="  ", author=hr, now=NOW)
    reversal = ledger.reverse_entry(line, reason="错误", author=hr, now=NOW)
    with pytest.raises(IncentiveError):
        ledger.reverse_entry(line, reason="again", author=hr, now=NOW)
    with pytest.raises(IncentiveError):
        ledger.reverse_entry(reversal, reason="undo", author=hr, now=NOW)


def test_balance_is_always_the_sum_of_the_lines(db):
    plus, minus = rule("P", points=7), rule("M", points=-4)
    emp = employee()
    hr = factories.user(grants=[("hr", None)])
    lines = [entry(emp, plus), entry(emp, minus), entry(emp, plus, points="2.5")]
    ledger.reverse_entry(lines[0], reason="错误", author=hr, now=NOW)
    total = db.session.scalar(select(func.sum(PointEntry.points)).where(PointEntry.employee_id == emp.id))
    assert ledger.balance(emp.id) == total == Decimal("-1.5")
    q2 = (dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), dt.datetime(2026, 6, 30, 16, tzinfo=dt.UTC))
    assert ledger.balance(emp.id, *q2) == Decimal("-1.5")
    assert ledger.balance(emp.id, q2[1]) == 0


def test_the_ledger_refuses_updates_and_deletes(db):
    line = entry(employee(), rule("X", points=1))
    line.points = Decimal(100)
    with pytest.raises(LedgerError):
        db.session.flush()
    db.session.rollback()


def test_the_ledger_refuses_orm_delete_and_bulk_statements(db):
    line = entry(employee(), rule("Y", points=1))
    with pytest.raises(LedgerError):
        db.session.execute(update(PointEntry).where(PointEntry.id == line.id).values(points=9))
    with pytest.raises(LedgerError):
        db.session.execute(delete(PointEntry).where(PointEntry.id == line.id))
    db.session.delete(line)
    with pytest.raises(LedgerError):
        db.session.flush()
    db.session.rollback()
