"""``flask exams close-expired``: auto-submit attempts past their deadline (safe from cron every minute)."""

from __future__ import annotations

import click

from core.extensions import db
from core.models import utcnow
from exams import runtime
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


def init_app(app) -> None:
    app.cli.add_command(exams_cli)
