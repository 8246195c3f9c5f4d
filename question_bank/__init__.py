"""Question bank: questions of every type, versions, categories, tags, import and export."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from core import audit
from core.auth import Role
from core.i18n import lazy_gettext as _l
from core.jobs import register_kinds as register_job_kinds
from core.navigation import NavItem, add_nav_item
from core.notice_settings import register_notice_kinds
from core.seeding import add_content_part, add_demo_remover, add_seeder
from core.todo import add_todo_source
from question_bank import cli, jobs, knowledge, labels, models, rendering, seed, starter, todo, views  # noqa: F401 — jobs declares its task


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, jobs, cards, navigation, starter content."""
    audit.register_words(app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS)
    register_job_kinds(app, labels.JOB_KINDS)
    register_notice_kinds(app, labels.NOTICE_KINDS)
    add_todo_source(app, "question_bank.review", todo.review_items, roles=(Role.TRAINER, Role.ADMIN), order=50)
    app.jinja_env.globals["review_status_label"] = labels.review_status_label
    app.jinja_env.globals["review_figures"] = labels.review_figures
    app.jinja_env.globals["question_type_label"] = labels.type_label
    app.jinja_env.globals["lint_message"] = labels.lint_message
    app.jinja_env.globals["lint_code_label"] = labels.lint_code_label
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        models.declare_postgresql_indexes()
    app.register_blueprint(views.bp)
    rendering.init_app(app)
    cli.init_app(app)
    roles = (Role.TRAINER, Role.ADMIN)
    group = _l("Question bank")
    add_nav_item(
        app,
        NavItem(
            "question_bank.index", _l("Questions"), roles=roles, order=300, icon="list-check", group=group
        ),
    )
    add_nav_item(
        app,
        NavItem("question_bank.create", _l("New question"), roles=roles, order=310, icon="plus", group=group),
    )
    add_nav_item(
        app,
        NavItem(
            "question_bank.review_queue", _l("Review"), roles=roles, order=315, icon="check2-square", group=group
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "question_bank.categories", _l("Categories"), roles=roles, order=320, icon="folder", group=group
        ),
    )
    add_nav_item(
        app,
        NavItem(
            "question_bank.import_upload", _l("Import"), roles=roles, order=330, icon="upload", group=group
        ),
    )
    add_nav_item(
        app,
        NavItem("question_bank.export", _l("Export"), roles=roles, order=340, icon="download", group=group),
    )
    add_content_part(
        app, "knowledge-points", 15, "the knowledge-point tree of the guide", knowledge.seed_knowledge_points
    )
    add_content_part(
        app,
        "questions",
        20,
        "the starter bank: 310 questions written from the guide",
        starter.seed_starter_questions,
    )
    add_seeder(app, "question bank: questions waiting for review", 20, seed.seed_review_queue)
    add_demo_remover(app, "the demo trainers' questions nobody used", 40, seed.remove_demo_questions)
