"""Shell commands: ``flask seed-content``, ``flask seed-demo`` and ``flask gridready version``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core import audit
from core.extensions import db
from core.seeding import Outcome, content_parts, demo_refusals, seeders
from core.version import app_version

gridready = AppGroup("gridready", help="About this installation.")


@gridready.command("version")
def version() -> None:
    """Print the running release."""
    click.echo(f"GridReady {app_version()}")


def _chosen_parts(only: tuple[str, ...], skip: tuple[str, ...]):
    parts = content_parts(current_app)
    known = {p.name for p in parts}
    unknown = sorted((set(only) | set(skip)) - known)
    if unknown:
        raise click.UsageError(
            f"unknown part(s): {', '.join(unknown)}; the parts are: {', '.join(p.name for p in parts)}"
        )
    return [p for p in parts if (not only or p.name in only) and p.name not in skip]


def run_content(parts, echo=click.echo) -> list[Outcome]:
    """Run the chosen content parts in order (flushing only) and print what each did."""
    outcomes = []
    for part in parts:
        outcome = Outcome(part.name)
        part.run(outcome)
        db.session.flush()
        outcomes.append(outcome)
        echo(f"  {outcome.summary()}")
        for label, reason in outcome.skipped:
            echo(f"    skipped {label}: {reason}")
    return outcomes


@click.command("seed-content")
@click.option("--only", multiple=True, metavar="PART", help="Seed only this part (repeatable).")
@click.option("--skip", multiple=True, metavar="PART", help="Leave out this part (repeatable).")
@click.option("--list", "list_parts", is_flag=True, help="List the parts and stop.")
def seed_content(only: tuple[str, ...], skip: tuple[str, ...], list_parts: bool) -> None:
    """Load the guide's starter content (no people): new items are added, edited ones left alone."""
    if list_parts:
        for part in content_parts(current_app):
            click.echo(f"{part.name:22} {part.description}")
        return
    parts = _chosen_parts(only, skip)
    click.echo(f"Starter content of GridReady {app_version()}:")
    outcomes = run_content(parts)
    audit.record(
        "seed.content",
        None,
        release=app_version(),
        parts={o.part: {"added": o.added, "skipped": len(o.skipped)} for o in outcomes},
    )
    db.session.commit()


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Load the demo even on a database that holds real people.")
def seed_demo(force: bool) -> None:
    """Load the starter content, then the demo organisation, accounts and activity (idempotent), and print
    the demo logins. Refuses on a database with real people unless --force."""
    refusals = demo_refusals(current_app)
    if refusals and not force:
        raise click.ClickException(
            " ".join(refusals)
            + " The demo would mix fictitious people into it; use --force to load it anyway."
        )
    # The demo stands on the starter content: its summary is printed, the items it left alone are not.
    run_content(
        content_parts(current_app),
        echo=lambda line: None if line.startswith("    skipped") else click.echo(line),
    )
    lines: list[str] = []
    for seeder in seeders(current_app):
        seeder.run(lines.append)
        db.session.flush()
        click.echo(f"  seeded: {seeder.name}")
    db.session.commit()
    for line in lines:
        click.echo(line)


def init_app(app) -> None:
    app.cli.add_command(seed_content)
    app.cli.add_command(seed_demo)
    app.cli.add_command(gridready)
