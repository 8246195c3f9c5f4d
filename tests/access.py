"""Role-matrix helper: who gets 200, 403/404, or a redirect to the sign-in page, for one URL."""

from __future__ import annotations

from tests import factories

ROLES = ("anonymous", "employee", "trainer", "hr", "admin")


def client_as(app, role: str, *, scope=None):
    """A fresh test client signed in as a new user holding ``role`` (``anonymous``: not signed in)."""
    client = app.test_client()
    if role == "anonymous":
        return client, None
    grants = [] if role == "employee" else [(role, scope)]
    user = factories.user(grants=grants)
    response = client.post(
        "/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return client, user


def assert_access(app, url: str, allowed, *, method: str = "GET", data=None, denied=(403, 404), ok=(200,)):
    """Every role in ``allowed`` gets a status in ``ok``; the others ``denied``; anonymous goes to login."""
    seen = {}
    for role in ROLES:
        client, _user = client_as(app, role)
        response = client.open(url, method=method, data=data)
        seen[role] = response.status_code
        if role == "anonymous":
            assert response.status_code in (302, 401), (url, role, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], (url, response.headers["Location"])
        elif role in allowed:
            assert response.status_code in ok, (url, role, response.status_code)
        else:
            assert response.status_code in denied, (url, role, response.status_code)
    return seen
