"""People and access: departments, positions, employees, user accounts, sign-in and roster import."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from accounts import cli, seed
from accounts.models import User
from accounts.views import admin, auth, people
from core.auth import Role
from core.extensions import db, login_manager
from core.navigation import DashboardCard, NavItem, add_dashboard_card, add_nav_item
from core.seeding import add_seeder

# Endpoints a user who must change their password may still reach.
_OPEN_DURING_FORCED_CHANGE = {
    "accounts.change_password",
    "accounts.logout",
    "static",
    "bootstrap.static",
    "core.set_language",
    "core.healthz",
}


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, jobs, cards, navigation, seeders."""
    app.register_blueprint(auth.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(admin.bp)
    cli.init_app(app)

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # Runs on every signed-in request. Role grants load on first use (role checks, the navigation):
        # JSON endpoints that only need the user's identity, such as the exam autosave, skip that query.
        return db.session.scalar(
            select(User).where(User.session_token == token).options(lazyload(User.grants))
        )

    @app.before_request
    def force_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in _OPEN_DURING_FORCED_CHANGE
        ):
            return redirect(url_for("accounts.change_password"))
        return None

    add_nav_item(app, NavItem("accounts.profile", _l("My profile"), order=900, icon="person"))
    add_nav_item(
        app,
        NavItem(
            "people.index",
            _l("Staff"),
            roles=(Role.HR, Role.TRAINER, Role.ADMIN),
            order=700,
            icon="people",
            group=_l("Staff"),
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "people.roster_import",
            _l("Roster import"),
            roles=(Role.HR, Role.ADMIN),
            order=710,
            icon="upload",
            group=_l("Staff"),
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "admin.audit_log",
            _l("Audit log"),
            roles=(Role.HR, Role.ADMIN),
            order=720,
            icon="journal-text",
            group=_l("Staff"),
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "admin.users",
            _l("Users and roles"),
            roles=(Role.ADMIN,),
            order=800,
            icon="shield-lock",
            group=_l("Administration"),
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "admin.departments",
            _l("Departments"),
            roles=(Role.ADMIN,),
            order=810,
            icon="diagram-3",
            group=_l("Administration"),
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "admin.positions",
            _l("Positions"),
            roles=(Role.ADMIN,),
            order=820,
            icon="briefcase",
            group=_l("Administration"),
        ),
    )
    add_dashboard_card(app, DashboardCard("accounts.me", "accounts/cards/me.html", people.my_card, order=1))
    add_dashboard_card(
        app,
        DashboardCard(
            "accounts.staff",
            "accounts/cards/staff.html",
            people.staff_card,
            roles=(Role.HR, Role.ADMIN),
            order=50,
        ),
    )
    add_seeder(app, "organisation and accounts", 10, seed.seed_organisation)
