"""``flask accounts ...`` commands."""

from __future__ import annotations

import click
from flask import Blueprint

from accounts import services
from core.extensions import db

bp = Blueprint("accounts_cli", __name__, cli_group="accounts")


@bp.cli.command("reset-password")
@click.argument("employee_no")
def reset_password(employee_no: str) -> None:
    """Give an account a new random password (printed once; must be changed at next sign-in)."""
    user = services.user_by_employee_no(employee_no)
    if user is None:
        raise click.ClickException(f"no account for employee number {employee_no}")
    password = services.reset_password(user)
    services.set_active(user, True)
    db.session.commit()
    click.echo(f"{user.employee.employee_no}\t{password}")


def init_app(app) -> None:
    app.register_blueprint(bp)
