"""The to-do and notice tests render words in the product's default language (zh_CN)."""

import pytest


@pytest.fixture
def locale_code(request, db):
    marker = request.node.get_closest_marker("locale")
    return marker.args[0] if marker else "zh_CN"
