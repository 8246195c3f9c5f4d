"""E-mail of notifications goes out once even when two deliveries run at the same moment (two queue workers
woken by two commits): each delivery claims its rows before it sends, against a real SMTP server (aiosmtpd).

The two workers are interleaved without threads: the first worker's SMTP connection is where it pauses,
and the second worker runs to its end there, in its own application context, session and connection."""

import contextlib
import datetime as dt
import socket

from flask import current_app
from sqlalchemy import select

from core import notifications
from core.extensions import db as _db
from core.models import utcnow
from core.notifications import Notification
from tests import factories


def _pending_mail(count: int = 1) -> list[int]:
    """Notifications waiting for their e-mail (made directly, so no delivery runs on commit)."""
    user = factories.user(email="once@example.com")
    notes = [
        Notification(user_id=user.id, kind="test", title=f"只发一次 {i}", email_to="once@example.com")
        for i in range(count)
    ]
    _db.session.add_all(notes)
    _db.session.commit()
    return [n.id for n in notes]


def _deliver() -> int:
    """One worker's delivery, as the queue runs it: its own application context and session, one commit."""
    with current_app._get_current_object().app_context():
        sent = notifications.deliver_pending_email()
        _db.session.commit()
        return sent


def test_two_deliveries_at_the_same_moment_send_each_email_once(app, committed_db, smtp_server, monkeypatch):
    with app.app_context():
        _pending_mail(3)
    real_connection = notifications.smtp_connection
    second = []

    @contextlib.contextmanager
    def first_worker_paused_at_smtp():
        # the first worker has chosen its rows; the second worker runs now, to its end
        monkeypatch.setattr(notifications, "smtp_connection", real_connection)
        second.append(_deliver())
        with real_connection() as smtp:
            yield smtp

    monkeypatch.setattr(notifications, "smtp_connection", first_worker_paused_at_smtp)
    with app.app_context():
        first = _deliver()
    assert sorted([first, second[0]]) == [0, 3]
    assert len(smtp_server) == 3
    assert sorted(m["Subject"] for m in smtp_server) == [f"[GridReady] 只发一次 {i}" for i in range(3)]
    with app.app_context():
        assert _db.session.scalar(select(Notification.emailed_at).limit(1)) is not None
        assert _deliver() == 0  # nothing left to send
    assert len(smtp_server) == 3


def test_a_failed_delivery_releases_its_claim_and_the_next_one_sends(app, committed_db, smtp_server):
    with app.app_context():
        [note_id] = _pending_mail()
    port = app.config["SMTP_PORT"]
    with socket_closed_port() as closed:
        app.config["SMTP_PORT"] = closed
        try:
            with app.app_context():
                try:
                    _deliver()
                except OSError:
                    pass
                else:
                    raise AssertionError("the delivery to a closed port should fail")
                note = _db.session.get(Notification, note_id)
                assert note.emailed_at is None and note.email_claim is None  # released, not stuck
        finally:
            app.config["SMTP_PORT"] = port
    assert smtp_server == []
    with app.app_context():
        assert _deliver() == 1
    assert len(smtp_server) == 1


def test_a_crashed_workers_claim_is_sent_after_the_claim_timeout(app, committed_db, smtp_server):
    """A worker that claimed rows and died never releases them: after the claim timeout they are sendable
    again; a fresh claim of a live worker is left alone."""
    timeout = dt.timedelta(seconds=app.config["MAIL_CLAIM_TIMEOUT"])
    with app.app_context():
        stale, fresh = _pending_mail(2)
        now = utcnow()
        _db.session.get(Notification, stale).email_claim = "crashed-worker"
        _db.session.get(Notification, stale).email_claimed_at = now - timeout - dt.timedelta(seconds=1)
        _db.session.get(Notification, fresh).email_claim = "live-worker"
        _db.session.get(Notification, fresh).email_claimed_at = now
        _db.session.commit()
        assert _deliver() == 1
        assert _db.session.get(Notification, stale).emailed_at is not None
        assert _db.session.get(Notification, fresh).emailed_at is None
    assert [m["Subject"] for m in smtp_server] == ["[GridReady] 只发一次 0"]


@contextlib.contextmanager
def socket_closed_port():
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port
