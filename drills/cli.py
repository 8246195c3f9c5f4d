"""``flask drills ...``: the compliance board, the daily notifications and the next-half-year planner."""

from __future__ import annotations

import functools

import click
from flask import Blueprint, current_app
from flask_babel import force_locale

from core.extensions import db
from core.models import utcnow
from drills import compliance, planner, reminders
from drills.halfyear import HalfYear

bp = Blueprint("drills_cli", __name__, cli_group="drills")

MARKS = {
    "green": "GREEN",
    "amber": "AMBER",
    "amber_escalated": "AMBER!",
    "red": "RED",
    "open": "open",
    "future": "-",
}


def in_default_locale(command):
    """CLI commands run outside a request: messages use the default UI language (zh_CN)."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapped


def _half(value: str | None) -> HalfYear | None:
    if not value:
        return None
    try:
        return HalfYear.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@bp.cli.command("compliance")
@click.option(
    "--half", help="Only this half year, e.g. 2026H2 (default: three back, the current one, one ahead)."
)
@click.option("--explain/--no-explain", default=True, help="Print each cell's rule lines.")
@in_default_locale
def compliance_command(half: str | None, explain: bool) -> None:
    """Print the compliance board (unit × half year)."""
    now = utcnow()
    chosen = _half(half)
    halves = [chosen] if chosen else compliance.default_halves(now)
    board = compliance.build_board(compliance.board_units(), halves, now)
    click.echo(f"{'unit':24}" + "".join(f"{str(h):>10}" for h in halves))
    for unit, cells in board.rows:
        click.echo(f"{unit.name:24}" + "".join(f"{MARKS[c.state]:>10}" for c in cells))
    if explain:
        for unit, cells in board.rows:
            for cell in cells:
                if cell.state == "future":
                    continue
                click.echo(f"\n{unit.name} {cell.half}: {MARKS[cell.state]} — {cell.summary}")
                for line in cell.lines:
                    click.echo(f"  [{line.status:7}] {line.rule} {line.text}")


@bp.cli.command("notify")
@in_default_locale
def notify_command() -> None:
    """Daily (cron): compliance escalations and corrective-action reminders; never the same state twice."""
    now = utcnow()
    sent = planner.notify_compliance(now)
    reports = planner.send_report_reminders(now)
    counts = reminders.send_action_reminders(now)
    db.session.commit()
    click.echo(f"compliance notices: {sent}; report reminders: {reports}; action reminders: {counts}")


@bp.cli.command("plan-next")
@click.option("--half", help="The half year to plan (default: the next one).")
@click.option("--create", is_flag=True, help="Create the proposed drills as planned drills.")
@in_default_locale
def plan_next_command(half: str | None, create: bool) -> None:
    """Propose drills that satisfy R1–R3 for every unit in a half year."""
    now = utcnow()
    target = _half(half) or HalfYear.of(now).shift(1)
    proposals = planner.propose_half(compliance.board_units(), target)
    for p in proposals:
        click.echo(f"{p.unit.name:20} {p.starts_at:%Y-%m-%d} {p.scope:6} {p.incident_type:15} {p.reason}")
    if create:
        drills = planner.create_proposals(proposals, None, now)
        db.session.commit()
        click.echo(f"created {len(drills)} planned drills")


def init_app(app) -> None:
    app.register_blueprint(bp)
