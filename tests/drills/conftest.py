"""Drills tests run their services outside a request: messages use the default UI language. Every test
here runs inside the rolled-back ``db`` transaction."""

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def default_locale(db):
    with force_locale("zh_CN"):
        yield
