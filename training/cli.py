"""``flask training ...`` commands."""

from __future__ import annotations

import datetime as dt

import click
from flask import Blueprint

from core.extensions import db
from core.models import utcnow
from core.timeutil import local_date
from training.qualifications import run_reminders

bp = Blueprint("training_cli", __name__, cli_group="training")


@bp.cli.command("reminders")
@click.option("--today", "today_text", default=None, help="Run as if today were YYYY-MM-DD (Asia/Shanghai).")
def reminders(today_text: str | None) -> None:
    """Report certificates due for renewal (90 / 30 / 0-day windows) and notify each holder once per window."""
    now = utcnow()
    try:
        today = dt.date.fromisoformat(today_text) if today_text else local_date(now)
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--today") from exc
    due = run_reminders(today, now=now)
    db.session.commit()
    for item in due:
        record = item.record
        mark = "notified" if item.notified else "already notified"
        click.echo(
            f"{record.expires_on}  window {item.window:>2}  {record.employee.employee_no:8} "
            f"{record.employee.name}  {record.certificate_type.name}  {record.number}  ({mark})"
        )
    click.echo(f"{len(due)} due, {sum(1 for d in due if d.notified)} notified now.")


def init_app(app) -> None:
    app.register_blueprint(bp)
