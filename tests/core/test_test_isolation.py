"""The ``db`` fixture's promise: whatever a test commits (a view's commit releases a savepoint) is undone
at its end, on SQLite as on PostgreSQL. The two tests run in order: the first commits, the second looks."""

from __future__ import annotations

from sqlalchemy import select

from core.notifications import Notification
from tests import factories

MARKER = "isolation-probe-7f3a"


def test_a_committed_change_inside_the_fixture(db):
    user = factories.user()
    db.session.add(Notification(user_id=user.id, kind="test", title=MARKER, body="", link="/"))
    db.session.commit()  # what a view's successful request does
    assert db.session.scalar(select(Notification.id).where(Notification.title == MARKER)) is not None


def test_is_gone_in_the_next_test(db):
    assert db.session.scalar(select(Notification.id).where(Notification.title == MARKER)) is None
