"""Shell commands: ``flask seed-demo``."""

from __future__ import annotations

import click
from flask import current_app

from core.extensions import db
from core.seeding import seeders


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo organisation, accounts and content (idempotent) and print the demo logins."""
    lines: list[str] = []
    for seeder in seeders(current_app):
        seeder.run(lines.append)
        db.session.flush()
        click.echo(f"  seeded: {seeder.name}")
    db.session.commit()
    for line in lines:
        click.echo(line)


def init_app(app) -> None:
    app.cli.add_command(seed_demo)
