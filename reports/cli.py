"""``flask reports ...`` commands: anonymising departed staff, and running the nightly jobs by hand."""

from __future__ import annotations

import datetime as dt

import click
from flask import Blueprint

from core.extensions import db
from core.models import utcnow
from core.timeutil import local_to_utc
from reports import assignment, privacy, schedule

bp = Blueprint("reports_cli", __name__, cli_group="reports")


@bp.cli.command("anonymise")
@click.option(
    "--years",
    default=3,
    show_default=True,
    type=click.IntRange(0, 100),
    help="Anonymise people who left at least this many years ago.",
)
@click.option("--dry-run", is_flag=True, help="List what would change; change nothing.")
@click.option("--today", "today_text", default=None, help="Run as if today were YYYY-MM-DD (Asia/Shanghai).")
def anonymise(years: int, dry_run: bool, today_text: str | None) -> None:
    """Mask the name and remove phone, ID number and e-mail of staff who left YEARS ago (records stay)."""
    now = utcnow()
    if today_text:
        try:
            now = local_to_utc(dt.date.fromisoformat(today_text), dt.time(12))
        except ValueError as exc:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--today") from exc
    found = privacy.departures(now, years)
    for d in found:
        e = d.employee
        when = d.left_on.isoformat() if d.left_on else "unknown"
        action = (
            "anonymise"
            if d.due
            else ("keep: departure day unknown" if d.left_on is None else "keep: too recent")
        )
        click.echo(
            f"{e.employee_no}\t{e.name} -> {privacy.mask_name(e.name) if d.due else e.name}\tleft {when}\t{action}"
            + ("\tremove phone, ID number, e-mail" if d.due else "")
        )
    due = sum(1 for d in found if d.due)
    if dry_run:
        click.echo(f"dry run: {due} of {len(found)} departed people would be anonymised; nothing changed")
        return
    count = privacy.anonymise(found, years)
    db.session.commit()
    click.echo(f"anonymised {count} of {len(found)} departed people")


@bp.cli.command("send-due")
def send_due() -> None:
    """Send the scheduled reports that are due now (what the hourly job does)."""
    click.echo(schedule.send_due_reports(utcnow()))


@bp.cli.command("assign")
def assign() -> None:
    """Apply the enabled assignment rules now (what the nightly job does)."""
    result = assignment.run_all(utcnow())
    db.session.commit()
    click.echo(result)


def init_app(app) -> None:
    app.register_blueprint(bp)
