"""Emergency drills (guide 6.1–6.4): plans, half-yearly scheduling and compliance, evaluation forms with
several evaluators, findings and corrective actions, evaluation reports."""

from __future__ import annotations

from accounts.roster import add_open_items_check
from core import audit
from core.auth import STAFF_ROLES, Role
from core.i18n import lazy_gettext as _l
from core.navigation import DashboardCard, NavItem, add_dashboard_card, add_nav_item
from core.notice_settings import register_notice_kinds
from core.seeding import add_content_part, add_demo_remover, add_seeder
from core.todo import add_todo_source
from drills import cards, cli, improvement, labels, seed, starter, todo, views


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, jobs, cards, navigation, starter
    content, demo seeders."""
    audit.register_words(app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS)
    add_open_items_check(app, improvement.open_actions_of)
    app.register_blueprint(views.bp)
    cli.init_app(app)
    _add_navigation(app)
    add_dashboard_card(
        app, DashboardCard("drills.mine", "drills/cards/mine.html", cards.my_drills_card, order=30)
    )
    add_dashboard_card(
        app,
        DashboardCard(
            "drills.board", "drills/cards/board.html", cards.board_card, roles=STAFF_ROLES, order=35
        ),
    )
    register_notice_kinds(app, labels.NOTICE_KINDS)
    add_todo_source(app, "drills.roles", todo.role_items, order=30)
    add_todo_source(app, "drills.actions", todo.action_items, order=31)
    add_content_part(
        app,
        "emergency-plans",
        50,
        "the emergency-plan catalogue (7 plans, levels 一级–三级)",
        starter.seed_emergency_plans,
    )
    add_content_part(
        app,
        "evaluation-template",
        51,
        "the default drill evaluation template (groups A–H)",
        starter.seed_evaluation_template,
    )
    add_content_part(
        app,
        "criteria-knowledge-points",
        53,
        "the knowledge points drill criteria check",
        starter.link_criteria_points,
    )
    add_content_part(
        app, "drill-settings", 52, "drill rules' thresholds and evaluation tiers", starter.seed_drill_settings
    )
    add_seeder(app, "drills", 50, seed.seed_drills)
    add_demo_remover(app, "drills with demo people", 50, seed.remove_demo_drills)


def _add_navigation(app) -> None:
    group = _l("Drills")
    add_nav_item(app, NavItem("drills.index", _l("Drills"), order=400, icon="lightning", group=group))
    add_nav_item(
        app,
        NavItem("drills.my_actions", _l("Corrective actions"), order=405, icon="check2-square", group=group),
    )
    add_nav_item(
        app,
        NavItem(
            "drills.board", _l("Compliance board"), roles=STAFF_ROLES, order=410, icon="grid-3x3", group=group
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "drills.plan_next",
            _l("Plan next half year"),
            roles=(Role.TRAINER, Role.ADMIN),
            order=415,
            icon="calendar-plus",
            group=group,
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "drills.plans",
            _l("Emergency plans"),
            roles=STAFF_ROLES,
            order=420,
            icon="journal-bookmark",
            group=group,
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "drills.team_list",
            _l("Emergency teams"),
            roles=STAFF_ROLES,
            order=422,
            icon="people",
            group=group,
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "drills.template",
            _l("Evaluation template"),
            roles=STAFF_ROLES,
            order=425,
            icon="list-check",
            group=group,
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "drills.settings",
            _l("Drill rules and settings"),
            roles=STAFF_ROLES,
            order=430,
            icon="sliders",
            group=group,
        ),
    )
