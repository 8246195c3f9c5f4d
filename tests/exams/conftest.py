"""Service tests raise translated messages, which need a request context (as they have in production).
The context asks for English, the source language the assertions are written in."""

import pytest

from tests import factories as base


@pytest.fixture
def request_ctx(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture(autouse=True)
def _service_request_context(request, app):
    if "client" in request.fixturenames or "committed_db" in request.fixturenames:
        yield
        return
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def client(app, db):
    """A client whose browser asks for English: these tests assert the source-language texts."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def signed_in(app):
    """``signed_in(user)``: a fresh client of ``user``'s own (English), signed in (from ``remote_addr``:
    the session is bound to the address it signed in from)."""

    def _signed_in(user, remote_addr: str = "127.0.0.1", **environ):
        client = app.test_client()
        client.environ_base.update(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=remote_addr, **environ)
        response = client.post(
            "/login", data={"employee_no": user.employee.employee_no, "password": base.PASSWORD}
        )
        assert response.status_code == 302
        return client

    return _signed_in
