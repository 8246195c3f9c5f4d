"""Every view declares who may reach it (public, login_required or role_required)."""

from core.auth import Role

# Endpoints served by extensions (static files); they carry no access marker.
EXEMPT = {"static", "bootstrap.static"}


def test_every_view_declares_its_access(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access", None) not in {"public", "login", "roles"}:
            undeclared.append(rule.endpoint)
    assert undeclared == []


def test_role_required_views_name_known_roles(app):
    known = {r.value for r in Role}
    for endpoint, view in app.view_functions.items():
        if getattr(view, "access", None) == "roles":
            assert view.access_roles and set(view.access_roles) <= known, endpoint
