"""Drills tests run their services outside a request, in the product's default language (zh_CN); every
test here runs inside the rolled-back ``db`` transaction."""

import pytest


@pytest.fixture
def locale_code(request, db):
    marker = request.node.get_closest_marker("locale")
    return marker.args[0] if marker else "zh_CN"
