"""Service-culture points and service stars (guide 7.2-7.4, 4.4): a points ledger with rules, automatic
awards from exams, training and drills (via ``core.signals``), manual entries approved by HR, appeals,
leaderboards and the 服务之星 selection with commendation certificates."""

from __future__ import annotations

from accounts.roster import add_open_items_check
from core import audit
from core.auth import STAFF_ROLES, Role
from core.i18n import lazy_gettext as _l
from core.navigation import DashboardCard, NavItem, add_dashboard_card, add_nav_item
from core.notice_settings import register_notice_kinds
from core.seeding import add_content_part, add_demo_remover, add_seeder
from core.todo import add_todo_source
from incentives import awards, cards, cli, labels, seed, services, starter, todo
from incentives.selection import selection_period, stars_of
from incentives.views import bp

PROFILE_SECTION = "incentives/_profile_section.html"

_POINTS = _l("Points")
HR_AND_ADMIN = (Role.HR, Role.ADMIN)

NAV_ITEMS = (
    NavItem("incentives.my_points", _l("My points"), order=500, icon="star", group=_POINTS),
    NavItem("incentives.leaderboard_view", _l("Leaderboard"), order=501, icon="bar-chart", group=_POINTS),
    NavItem("incentives.honours", _l("Honour roll"), order=502, icon="award", group=_POINTS),
    NavItem(
        "incentives.how_to_earn", _l("How to earn points"), order=503, icon="question-circle", group=_POINTS
    ),
    NavItem(
        "incentives.claim_new",
        _l("Enter points"),
        roles=STAFF_ROLES,
        order=510,
        icon="plus-circle",
        group=_POINTS,
    ),
    NavItem(
        "incentives.claims", _l("Manual entries"), roles=STAFF_ROLES, order=511, icon="inbox", group=_POINTS
    ),
    NavItem(
        "incentives.appeals", _l("Appeals"), roles=(Role.HR,), order=512, icon="chat-left-text", group=_POINTS
    ),
    NavItem(
        "incentives.selections",
        _l("Service-star selection"),
        roles=STAFF_ROLES,
        order=513,
        icon="trophy",
        group=_POINTS,
    ),
    NavItem(
        "incentives.ledger_view",
        _l("Points ledger"),
        roles=HR_AND_ADMIN,
        order=514,
        icon="table",
        group=_POINTS,
    ),
    NavItem(
        "incentives.rules", _l("Point rules"), roles=HR_AND_ADMIN, order=515, icon="sliders", group=_POINTS
    ),
)

CARDS = (
    DashboardCard("incentives.me", "incentives/cards/me.html", cards.my_card, order=20),
    DashboardCard("incentives.hr", "incentives/cards/hr.html", cards.hr_card, roles=(Role.HR,), order=55),
)


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, signal listeners, profile section, cards,
    navigation, starter content, demo seeders."""
    audit.register_words(app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS)
    add_open_items_check(app, services.open_claims_of)
    app.register_blueprint(bp)
    cli.init_app(app)
    awards.connect()
    # accounts' profile page includes every template listed in ``profile_sections``: the star badge.
    sections = app.jinja_env.globals.setdefault("profile_sections", [])
    if PROFILE_SECTION not in sections:
        sections.append(PROFILE_SECTION)
    app.jinja_env.globals["incentive_stars_of"] = stars_of
    app.jinja_env.globals["selection_period"] = selection_period
    for item in NAV_ITEMS:
        add_nav_item(app, item)
    for card in CARDS:
        add_dashboard_card(app, card)
    register_notice_kinds(app, labels.NOTICE_KINDS)
    add_todo_source(app, "incentives.appeals", todo.appeal_items, order=40)
    add_content_part(app, "point-rules", 60, "the standard point rules", starter.seed_point_rules)
    add_content_part(
        app, "star-settings", 61, "service-star and leaderboard settings", starter.seed_star_settings
    )
    add_seeder(app, "incentives: demo activity", 60, seed.seed_incentives)
    add_demo_remover(app, "points ledger, claims, appeals, star selections", 60, seed.remove_demo_activity)
