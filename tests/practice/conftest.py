"""Practice tests run in English (the source language of the assertions), inside a request context."""

import pytest


@pytest.fixture(autouse=True)
def _service_request_context(request, app):
    if "client" in request.fixturenames or "committed_db" in request.fixturenames:
        yield
        return
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def client(app, db):
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client
