"""People and access: departments, positions, employees, user accounts, sign-in and roster import."""

from __future__ import annotations

from accounts import auth_hooks, cards, cli, labels, seed, starter, views
from core import audit
from core.auth import STAFF_ROLES, Role
from core.extensions import login_manager
from core.i18n import lazy_gettext as _l
from core.navigation import DashboardCard, NavItem, add_dashboard_card, add_nav_item
from core.seeding import add_content_part, add_demo_guard, add_demo_remover, add_seeder

_STAFF = _l("Staff")
_ADMINISTRATION = _l("Administration")
HR_AND_ADMIN = (Role.HR, Role.ADMIN)

NAV_ITEMS = (
    NavItem("accounts.profile", _l("My profile"), order=900, icon="person"),
    NavItem("people.index", _l("Staff"), roles=STAFF_ROLES, order=700, icon="people", group=_STAFF),
    NavItem(
        "people.roster_import",
        _l("Roster import"),
        roles=HR_AND_ADMIN,
        order=710,
        icon="upload",
        group=_STAFF,
    ),
    NavItem(
        "admin.audit_log", _l("Audit log"), roles=HR_AND_ADMIN, order=720, icon="journal-text", group=_STAFF
    ),
    NavItem(
        "admin.users",
        _l("Users and roles"),
        roles=(Role.ADMIN,),
        order=800,
        icon="shield-lock",
        group=_ADMINISTRATION,
    ),
    NavItem(
        "admin.departments",
        _l("Departments"),
        roles=(Role.ADMIN,),
        order=810,
        icon="diagram-3",
        group=_ADMINISTRATION,
    ),
    NavItem(
        "admin.positions",
        _l("Positions"),
        roles=(Role.ADMIN,),
        order=820,
        icon="briefcase",
        group=_ADMINISTRATION,
    ),
)

CARDS = (
    DashboardCard("accounts.me", "accounts/cards/me.html", cards.my_card, order=1),
    DashboardCard(
        "accounts.staff", "accounts/cards/staff.html", cards.staff_card, roles=HR_AND_ADMIN, order=50
    ),
)


def _text_sizes() -> dict:
    """The text sizes the user menu of every page offers (templates/base.html)."""
    return {"text_sizes": labels.TEXT_SIZE_LABELS}


def register(app) -> None:
    """Wire the package into the application: blueprints, CLI, sign-in hooks, cards, navigation, starter
    content, demo seeders."""
    audit.register_words(
        app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS, fields=labels.AUDIT_FIELDS
    )
    for blueprint in views.BLUEPRINTS:
        app.register_blueprint(blueprint)
    cli.init_app(app)
    login_manager.user_loader(auth_hooks.load_user)
    app.context_processor(_text_sizes)
    app.before_request(auth_hooks.force_password_change)
    for item in NAV_ITEMS:
        add_nav_item(app, item)
    for card in CARDS:
        add_dashboard_card(app, card)
    add_content_part(
        app, "positions", 10, "the posts of guide 3.1 with yearly training hours", starter.seed_positions
    )
    add_seeder(app, "organisation and accounts", 10, seed.seed_organisation)
    add_demo_guard(app, seed.real_people_refusal)
    add_demo_remover(app, "demo people and their accounts", 10, seed.remove_demo_people)
