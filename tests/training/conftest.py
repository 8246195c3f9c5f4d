import pytest


@pytest.fixture
def request_ctx(app):
    """Services phrase their errors with gettext, which needs a request (for the user's language)."""
    with app.test_request_context():
        yield
