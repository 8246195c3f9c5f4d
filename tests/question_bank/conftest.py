"""These tests assert messages in English, the source language: services run under an English locale and
the test client's browser asks for English (the app itself defaults to Chinese)."""

import pytest


@pytest.fixture
def locale_code(request):
    marker = request.node.get_closest_marker("locale")
    return marker.args[0] if marker else "en"
