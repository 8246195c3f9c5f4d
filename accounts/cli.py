"""``flask accounts ...`` commands: passwords, the first administrator, and the demo people."""

from __future__ import annotations

import click
from flask import Blueprint, current_app
from sqlalchemy import select

from accounts import installation, seed, services
from accounts.errors import AccountError
from accounts.models import User
from core import audit
from core.extensions import db
from core.seeding import demo_removers

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


@bp.cli.command("create-admin")
@click.option("--employee-no", prompt="Employee number (工号)", help="The administrator's 工号.")
@click.option("--name", prompt="Name (姓名)", help="The administrator's name.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once instead of asking.")
@click.option("--another", is_flag=True, help="Add an administrator although an active one exists.")
@click.option("--department", "department_code", help="Code of an existing department (default: the root).")
@click.option(
    "--root-name", help="Name of the root department created on an empty database (default 本单位)."
)
@click.option("--position", "position_name", help="Name of an existing post (default: 系统管理员).")
def create_admin(
    employee_no: str,
    name: str,
    generate: bool,
    another: bool,
    department_code: str | None,
    root_name: str | None,
    position_name: str | None,
) -> None:
    """Create an administrator (the first one on an empty database); the password must be changed at
    first sign-in. Refuses while an active administrator exists unless --another."""
    if installation.active_administrators() and not another:
        raise click.ClickException(
            "an active administrator already exists: "
            + ", ".join(u.employee.employee_no for u in installation.active_administrators())
            + "; use --another to add one more"
        )
    if generate:
        password = services.random_password()
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = installation.create_administrator(
            employee_no,
            name,
            password,
            another=another,
            department_code=department_code,
            root_name=root_name,
            position_name=position_name,
        )
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    employee = user.employee
    click.echo(
        f"Administrator {employee.employee_no} {employee.name} created in {employee.department.name} "
        f"({employee.department.code}) as {employee.position.name}; the password must be changed at first sign-in."
    )
    if generate:
        click.echo(f"{employee.employee_no}\t{password}")
        click.echo("This password is shown once only.")


@bp.cli.command("list-demo")
def list_demo() -> None:
    """List the people of the demo organisation (marked as demo) and whether they can sign in."""
    people = seed.demo_people()
    for employee in people:
        account = "account" if employee.user is not None else "no account"
        click.echo(f"{employee.employee_no:8} {employee.name:6} {employee.department.code:14} {account}")
    click.echo(f"{len(people)} demo people.")


@bp.cli.command("remove-demo")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_demo(yes: bool) -> None:
    """Delete every demo person, their accounts and what the demo recorded about them."""
    people = seed.demo_people()
    if not people:
        click.echo("No demo people here.")
        return
    if not yes:
        click.confirm(f"Delete {len(people)} demo people and their records?", abort=True)
    employee_ids = [e.id for e in people]
    user_ids = list(db.session.scalars(select(User.id).where(User.employee_id.in_(employee_ids))))
    for remover in demo_removers(current_app):
        remover.run(employee_ids, user_ids)
        db.session.flush()
        click.echo(f"  removed: {remover.name}")
    audit.record("accounts.remove_demo", None, employees=len(employee_ids), accounts=len(user_ids))
    db.session.commit()
    click.echo(f"Removed {len(employee_ids)} demo people and {len(user_ids)} accounts.")


def init_app(app) -> None:
    app.register_blueprint(bp)
