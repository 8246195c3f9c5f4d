"""Shell commands: ``flask seed-content``, ``flask seed-demo``, ``flask backup``, ``flask restore`` and
``flask gridready version``."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core import audit
from core.backup import BackupError, restore_backup, write_backup
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


@click.command("backup")
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path), help="The archive to write.")
def backup(target: Path | None) -> None:
    """Write a consistent archive of the database and the uploaded files (docs/operations.md)."""
    cfg = current_app.config
    if target is None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        target = Path(cfg["INSTANCE_DIR"]) / "backups" / f"gridready-{stamp}.tar.gz"
    try:
        manifest = write_backup(cfg["SQLALCHEMY_DATABASE_URI"], cfg["UPLOAD_DIR"], target)
    except (BackupError, OSError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{target}: {sum(manifest['rows'].values())} rows, {len(manifest['uploads'])} files")
    unset = [name for name, present in manifest["secrets_not_copied"].items() if present]
    click.echo("not in the archive, keep them in your secret store: " + (", ".join(unset) or "none set"))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(archive: Path) -> None:
    """Restore ARCHIVE into the configured database and upload folder, both of which must be empty."""
    cfg = current_app.config
    try:
        manifest = restore_backup(archive, cfg["SQLALCHEMY_DATABASE_URI"], cfg["UPLOAD_DIR"])
    except (BackupError, OSError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored {sum(manifest['rows'].values())} rows and {len(manifest['uploads'])} files, all checked"
    )


def init_app(app) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(seed_content)
    app.cli.add_command(seed_demo)
    app.cli.add_command(gridready)
