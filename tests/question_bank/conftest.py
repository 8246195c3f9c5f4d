"""These tests assert messages in English, the source language: services run under an English locale
and the test client's browser asks for English (the app itself defaults to Chinese)."""

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def _english_messages(request):
    if not {"db", "committed_db"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("committed_db" if "committed_db" in request.fixturenames else "db")
    with force_locale("en"):
        yield


@pytest.fixture
def client(app, db):
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client
