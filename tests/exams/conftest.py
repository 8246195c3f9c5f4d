"""Service tests raise translated messages, which need a request context (as they have in production)."""

import pytest


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture(autouse=True)
def _service_request_context(request, app):
    if "client" in request.fixturenames or "committed_db" in request.fixturenames:
        yield
        return
    with app.test_request_context():
        yield
