"""``flask practice …``: rebuild the heatmap's department sums."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from practice.recording import rebuild_department_mastery

group = AppGroup("practice", help="Self-practice, mistake book and mastery.")


@group.command("rebuild-heatmap")
def rebuild_heatmap() -> None:
    """Recompute the departments' mastery sums from the people's mastery (run nightly, and after people move
    between departments or leave)."""
    rows = rebuild_department_mastery()
    db.session.commit()
    click.echo(f"{rows} department × knowledge point sums written")


def init_app(app) -> None:
    app.cli.add_command(group)
