"""Service-culture points and service stars (guide 7.2-7.4, 4.4): a points ledger with rules, automatic
awards from exams, training and drills (via ``core.signals``), manual entries approved by HR, appeals,
leaderboards and the 服务之星 selection with commendation certificates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from accounts.models import Employee
from accounts.services import scope_clause
from core.auth import Role
from core.extensions import db
from core.navigation import DashboardCard, NavItem, add_dashboard_card, add_nav_item
from core.seeding import add_seeder
from incentives import awards, cli, seed
from incentives.ledger import balance
from incentives.models import Appeal, AppealStatus, ClaimStatus, PointClaim
from incentives.periods import period_at
from incentives.ranking import leaderboard, standing_of, unit_of
from incentives.selection import stars_of
from incentives.views import bp

PROFILE_SECTION = "incentives/_profile_section.html"


def my_card(user, now):
    """Dashboard: my points this quarter, my rank in my unit, my star titles."""
    quarter = period_at("quarter", now)
    unit = unit_of(user.employee)
    board = leaderboard(unit, quarter)
    return {
        "total": balance(user.employee_id),
        "quarter": quarter,
        "quarter_points": balance(user.employee_id, quarter.start_utc, quarter.end_utc),
        "standing": standing_of(user.employee_id, board),
        "unit": unit,
        "unit_size": len(board),
        "stars": stars_of(user.employee_id),
    }


def hr_card(user, now):
    """Dashboard for HR: what waits for *this* user's decision (in scope; not their own entries, nor
    entries or appeals about themselves, which someone else must decide)."""
    pending = db.session.scalar(
        select(func.count(PointClaim.id))
        .join(Employee, Employee.id == PointClaim.employee_id)
        .where(
            PointClaim.status == ClaimStatus.PENDING,
            scope_clause(user, Role.HR, Employee.department_id),
            PointClaim.entered_by_id != user.id,
            PointClaim.employee_id != user.employee_id,
        )
    )
    appeals = db.session.scalar(
        select(func.count(Appeal.id))
        .join(Employee, Employee.id == Appeal.employee_id)
        .where(
            Appeal.status == AppealStatus.OPEN,
            scope_clause(user, Role.HR, Employee.department_id),
            Appeal.employee_id != user.employee_id,
        )
    )
    return {"pending": pending or 0, "appeals": appeals or 0}


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, jobs, cards, navigation, seeders."""
    app.register_blueprint(bp)
    cli.init_app(app)
    awards.connect()
    # accounts' profile page includes every template listed in ``profile_sections``: the star badge.
    sections = app.jinja_env.globals.setdefault("profile_sections", [])
    if PROFILE_SECTION not in sections:
        sections.append(PROFILE_SECTION)
    app.jinja_env.globals["incentive_stars_of"] = stars_of

    group = _l("Points")
    nav = [
        NavItem("incentives.my_points", _l("My points"), order=500, icon="star", group=group),
        NavItem("incentives.leaderboard_view", _l("Leaderboard"), order=501, icon="bar-chart", group=group),
        NavItem("incentives.honours", _l("Honour roll"), order=502, icon="award", group=group),
        NavItem(
            "incentives.how_to_earn", _l("How to earn points"), order=503, icon="question-circle", group=group
        ),
        NavItem(
            "incentives.claim_new",
            _l("Enter points"),
            roles=(Role.TRAINER, Role.HR, Role.ADMIN),
            order=510,
            icon="plus-circle",
            group=group,
        ),
        NavItem(
            "incentives.claims",
            _l("Manual entries"),
            roles=(Role.TRAINER, Role.HR, Role.ADMIN),
            order=511,
            icon="inbox",
            group=group,
        ),
        NavItem(
            "incentives.appeals",
            _l("Appeals"),
            roles=(Role.HR,),
            order=512,
            icon="chat-left-text",
            group=group,
        ),
        NavItem(
            "incentives.selections",
            _l("Service-star selection"),
            roles=(Role.TRAINER, Role.HR, Role.ADMIN),
            order=513,
            icon="trophy",
            group=group,
        ),
        NavItem(
            "incentives.ledger_view",
            _l("Points ledger"),
            roles=(Role.HR, Role.ADMIN),
            order=514,
            icon="table",
            group=group,
        ),
        NavItem(
            "incentives.rules",
            _l("Point rules"),
            roles=(Role.HR, Role.ADMIN),
            order=515,
            icon="sliders",
            group=group,
        ),
    ]
    for item in nav:
        add_nav_item(app, item)
    add_dashboard_card(app, DashboardCard("incentives.me", "incentives/cards/me.html", my_card, order=20))
    add_dashboard_card(
        app, DashboardCard("incentives.hr", "incentives/cards/hr.html", hr_card, roles=(Role.HR,), order=55)
    )
    add_seeder(app, "incentives: point rules and demo activity", 60, seed.seed_incentives)
