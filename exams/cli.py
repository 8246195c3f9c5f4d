"""``flask exams close-expired``: auto-submit attempts past their deadline; ``flask exams send-notices``: the
exam notices due now (both safe from cron every minute); ``flask exams flag-items``: send approved questions
with weak item statistics back to review (the worker does it hourly)."""

from __future__ import annotations

import click

from core.extensions import db
from core.models import utcnow
from exams import item_review, notices, runtime
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


@exams_cli.command("flag-items")
def flag_items() -> None:
    """Flag approved questions whose item statistics call for a fresh review (>= 30 responses, facility
    above 0.95 or discrimination below 0.1); prints the question ids flagged."""
    flagged = item_review.flag_weak_items(utcnow())
    db.session.commit()
    click.echo(f"flagged {len(flagged)} question(s): {' '.join(f'#{i}' for i in flagged) or '-'}")


def init_app(app) -> None:
    app.cli.add_command(exams_cli)
