"""The menu's grouping is kept per set of visible items (core/navigation.py, issue 17 §5): someone with other
roles must still get their own menu after another menu was kept, and the labels stay lazy (they follow the
viewer's language when drawn)."""

from __future__ import annotations

from flask_login import login_user

from core.navigation import nav_for
from tests import factories


def _endpoints(groups) -> set[str]:
    return {item.endpoint for _label, items in groups for item in items}


def _menu(app, user):
    with app.test_request_context("/"):
        login_user(user)
        return nav_for(user)


def test_each_set_of_roles_gets_its_own_menu_after_another_was_kept(app, db):
    learner, admin = factories.user(), factories.user(grants=[("admin", None)])
    mine = _endpoints(_menu(app, learner))
    theirs = _endpoints(_menu(app, admin))
    assert theirs > mine
    assert _endpoints(_menu(app, learner)) == mine
    assert _endpoints(_menu(app, admin)) == theirs
    assert all(not isinstance(item.label, str) for _g, items in _menu(app, admin) for item in items)
