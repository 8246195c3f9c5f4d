"""``flask incentives ...``: the leaderboard of a unit, and the check that the points match the records."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.models import Department
from core.extensions import db
from core.models import utcnow
from incentives import reconcile
from incentives.periods import parse_period
from incentives.ranking import leaderboard

group = AppGroup("incentives", help="Service-culture points and service stars.")


@group.command("leaderboard")
@click.argument("unit_code")
@click.option("--kind", default="quarter", type=click.Choice(["month", "quarter", "year"]))
@click.option("--period", default="", help="2026-07, 2026-Q3 or 2026 (default: the current one)")
@click.option("--top", default=20, show_default=True)
def leaderboard_command(unit_code: str, kind: str, period: str, top: int) -> None:
    """Print the top of UNIT_CODE's leaderboard for a period."""
    unit = db.session.scalar(select(Department).where(Department.code == unit_code))
    if unit is None:
        raise click.ClickException(f"no department with code {unit_code}")
    chosen = parse_period(period, kind, utcnow())
    click.echo(f"{unit.name} · {chosen.token}")
    for row in leaderboard(unit, chosen, limit=top):
        click.echo(f"{row.rank:>4}  {row.employee_no:10} {row.name:8} {row.points:>8}")


@group.command("reconcile")
@click.option("--pay", is_flag=True, help="Let the rules pay the records they missed (after listing them).")
def reconcile_command(pay: bool) -> None:
    """List ledger entries whose source no longer exists and records an active rule should have rewarded
    but did not. Exits with status 1 when it found either (without --pay)."""
    orphans = reconcile.orphan_entries()
    missing = reconcile.missing_awards()
    click.echo(f"Ledger entries whose source no longer exists: {len(orphans)}")
    for e in orphans:
        click.echo(
            f"  #{e.id}  {e.employee.employee_no:10} {e.rule.code:16} {e.points:>7}  {e.source_key}  {e.source_label}"
        )
    click.echo(f"Records a rule should have rewarded but did not: {len(missing)}")
    for m in missing:
        source = m.source
        click.echo(
            f"  {m.rule.code:16} {source.source_key:32} employee #{source.employee_id}  {source.label}"
        )
    if pay and missing:
        reconcile.pay_missing()
        db.session.commit()
        click.echo(f"Paid: {len(missing)} missing awards (each dated when its record happened).")
    elif orphans or missing:
        raise SystemExit(1)


def init_app(app) -> None:
    app.cli.add_command(group)
