"""Self-practice (自主练习), the mistake book (错题本), mastery per knowledge point and recommendations:
the learning loop practice → mastery → recommended courses → training plans → exams. Practice counts for
nothing else: no score, qualification or certificate changes; points only through an incentives rule (off
by default) listening to ``core.signals.practice_answered``."""

from __future__ import annotations

from core import audit
from core.auth import STAFF_ROLES, Role
from core.i18n import lazy_gettext as _l
from core.navigation import NavItem, add_nav_item
from core.seeding import add_seeder
from practice import cli, jobs, labels, seed  # noqa: F401 — jobs: the nightly heatmap rebuild
from practice.views import bp

_PRACTICE = _l("Practice")

NAV_ITEMS = (
    NavItem("practice.home", _l("Self-practice"), order=250, icon="pencil-square", group=_PRACTICE),
    NavItem("practice.mistake_book", _l("Mistake book"), order=251, icon="journal-x", group=_PRACTICE),
    NavItem("practice.my_mastery", _l("My mastery"), order=252, icon="bar-chart-steps", group=_PRACTICE),
    NavItem(
        "practice.heatmap",
        _l("Mastery heatmap"),
        roles=STAFF_ROLES,
        order=253,
        icon="grid-3x3",
        group=_PRACTICE,
    ),
    NavItem(
        "practice.openings",
        _l("Open for practice"),
        roles=(Role.TRAINER, Role.ADMIN),
        order=254,
        icon="unlock",
        group=_PRACTICE,
    ),
)


def register(app) -> None:
    """Wire the package into the application: blueprint, CLI, jobs, audit words, navigation, demo seeder."""
    audit.register_words(app, objects=labels.AUDIT_OBJECTS, actions=labels.AUDIT_ACTIONS)
    app.register_blueprint(bp)
    cli.init_app(app)
    for item in NAV_ITEMS:
        add_nav_item(app, item)
    add_seeder(app, "practice: open categories, demo practice", 45, seed.seed_practice)
