"""Periods read as people say them (issue 13 §3): 2026年第三季度, never the URL token 2026-Q3."""

import datetime as dt
import re

import pytest
from flask_babel import force_locale

from incentives.models import PeriodKind
from incentives.periods import period_of


def test_a_quarter_reads_in_chinese(app):
    with app.app_context(), force_locale("zh_CN"):
        assert period_of(PeriodKind.QUARTER, 2026, 3).label == "2026年第三季度"
        assert period_of(PeriodKind.QUARTER, 2026, 1).label == "2026年第一季度"
    assert period_of(PeriodKind.QUARTER, 2026, 4).label_zh == "2026年第四季度"
    assert period_of(PeriodKind.QUARTER, 2026, 3).token == "2026-Q3"  # URLs keep the token


def test_a_quarter_reads_in_english(app):
    with app.app_context(), force_locale("en"):
        assert period_of(PeriodKind.QUARTER, 2026, 3).label == "third quarter of 2026"


@pytest.mark.parametrize("url", ["/incentives/selections", "/incentives/leaderboard?kind=quarter"])
def test_period_pages_show_no_quarter_codes(client, login, url):
    login("hr")
    page = client.get(url).get_data(as_text=True)
    year = dt.date.today().year
    assert "季度" in page
    visible = re.sub(r'(value|href)="[^"]*"', "", page)  # option values and links may carry the token
    for q in range(1, 5):
        assert f"{year} Q{q}" not in visible and f"{year}-Q{q}" not in visible
