"""Training and qualifications: courses, plans, sessions and attendance, hours, coverage, certificate
types and records with expiry, and verifiable PDF certificates."""

from __future__ import annotations

import os

from core import audit, signals
from core.auth import STAFF_ROLES, Role
from core.i18n import lazy_gettext as _l
from core.jobs import register_kinds as register_job_kinds
from core.navigation import DashboardCard, NavItem, add_dashboard_card, add_nav_item
from core.notice_settings import register_notice_kinds
from core.seeding import add_content_part, add_demo_remover, add_seeder
from core.todo import add_todo_source
from training import cards, cli, jobs, labels, seed, starter, todo, views  # noqa: F401 — jobs: periodic tasks
from training.hours import on_drill_participated


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, jobs, cards, navigation, starter
    content, demo seeders."""
    audit.register_words(app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS)
    register_job_kinds(app, labels.JOB_KINDS)
    app.config.setdefault(
        "TRAINING_CHECKIN_OPEN_BEFORE", int(os.environ.get("TRAINING_CHECKIN_OPEN_BEFORE", "30"))
    )
    app.config.setdefault(
        "TRAINING_CHECKIN_CLOSE_AFTER", int(os.environ.get("TRAINING_CHECKIN_CLOSE_AFTER", "15"))
    )
    app.register_blueprint(views.bp)
    app.register_blueprint(views.verify_bp)
    cli.init_app(app)
    signals.drill_participated.connect(on_drill_participated, weak=False)

    group = _l("Training")
    for endpoint, label, roles, order, icon in (
        ("training.my_training", _l("My training"), (), 200, "mortarboard"),
        ("training.my_qualifications", _l("My certificates"), (), 201, "award"),
        ("training.courses", _l("Courses"), (), 210, "book"),
        ("training.plans", _l("Training plans"), STAFF_ROLES, 220, "calendar3"),
        ("training.coverage", _l("Coverage"), STAFF_ROLES, 230, "pie-chart"),
        ("training.qualifications", _l("Qualification records"), (Role.HR, Role.ADMIN), 240, "patch-check"),
        ("training.matrix", _l("Certification matrix"), (Role.HR, Role.ADMIN), 250, "grid-3x3"),
    ):
        add_nav_item(app, NavItem(endpoint, label, roles=roles, order=order, icon=icon, group=group))
    add_dashboard_card(app, DashboardCard("training.me", "training/cards/me.html", cards.my_card, order=20))
    add_dashboard_card(
        app,
        DashboardCard(
            "training.hr", "training/cards/hr.html", cards.hr_card, roles=(Role.HR, Role.ADMIN), order=60
        ),
    )
    register_notice_kinds(app, labels.NOTICE_KINDS)
    add_todo_source(app, "training.sessions", todo.session_items, order=20)
    add_todo_source(app, "training.certificates", todo.certificate_items, order=21)
    add_content_part(
        app,
        "certificate-types",
        30,
        "certificate types of 持证上岗 and the posts that need each",
        starter.seed_certificate_types,
    )
    add_content_part(
        app, "courses", 31, "courses of guide 1.5 and 6.4 with knowledge points", starter.seed_courses
    )
    add_seeder(app, "training and qualifications", 30, seed.seed_training)
    add_demo_remover(app, "certificates of demo people", 30, seed.remove_demo_certificates)
