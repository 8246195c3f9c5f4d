"""``flask incentives ...``: the leaderboard of a unit from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.models import Department
from core.extensions import db
from core.models import utcnow
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


def init_app(app) -> None:
    app.cli.add_command(group)
