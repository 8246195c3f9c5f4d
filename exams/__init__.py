"""Scored online exams: paper blueprints, exam schedules, the exam runtime, grading, regrading, statistics."""

from __future__ import annotations

from accounts.roster import add_open_items_check
from core import audit
from core.i18n import lazy_gettext as _l
from core.navigation import DashboardCard, NavItem, add_dashboard_card, add_nav_item
from core.notice_settings import register_notice_kinds
from core.seeding import add_seeder
from core.todo import add_todo_source
from exams import cards, cli, jobs, labels, marking, papers, results, seed, todo, views  # noqa: F401 — jobs: its tasks
from exams.views.common import MANAGERS, READERS
from question_bank.categories import register_usage_check
from question_bank.usage import register_version_uses


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, jobs, cards, navigation, seeders."""
    audit.register_words(app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS)
    add_open_items_check(app, results.unfinished_attempts_of)
    register_usage_check(papers.category_uses)
    register_version_uses(marking.question_uses)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.manage_bp)
    app.register_blueprint(views.api_bp)
    cli.init_app(app)
    add_nav_item(app, NavItem("exams.mine", _l("My exams"), order=200, icon="pencil-square"))
    add_nav_item(
        app,
        NavItem(
            "exams_manage.index",
            _l("Exams"),
            roles=READERS,
            order=300,
            icon="clipboard-check",
            group=_l("Exams"),
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "exams_manage.blueprints",
            _l("Paper blueprints"),
            roles=MANAGERS,
            order=310,
            icon="list-ol",
            group=_l("Exams"),
        ),
    )
    add_dashboard_card(
        app, DashboardCard("exams.mine", "exams/cards/mine.html", cards.my_exams_card, order=10)
    )
    register_notice_kinds(app, labels.NOTICE_KINDS)
    add_todo_source(app, "exams.exams", todo.exam_items, order=10)
    add_seeder(app, "exams demo", 40, seed.seed_exams)
