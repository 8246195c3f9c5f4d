"""``flask exams close-expired``: auto-submit attempts past their deadline; ``flask exams send-notices``: the
exam notices due now (both safe from cron every minute)."""

from __future__ import annotations

import click

from core.extensions import db
from core.models import utcnow
from exams import notices, runtime
from exams.models import Attempt


@click.group("exams")
def exams_cli() -> None:
    """Exam maintenance commands."""


@exams_cli.command("close-expired")
def close_expired() -> None:
    """Submit and grade every open attempt whose deadline has passed, one transaction each.

    Idempotent and safe when two runs overlap: each attempt is flipped with UPDATE ... WHERE status='open',
    so only one run grades it."""
    now = utcnow()
    closed = 0
    for attempt_id in runtime.expired_attempt_ids(now):
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is not None and runtime.finalise_if_expired(attempt, now):
            closed += 1
        db.session.commit()
    click.echo(f"closed {closed} expired attempt(s)")


@exams_cli.command("send-notices")
def send_notices() -> None:
    """Send the exam notices due now (published, reminders, results released); each goes out once."""
    counts = notices.send_due(utcnow())
    db.session.commit()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


def init_app(app) -> None:
    app.cli.add_command(exams_cli)
