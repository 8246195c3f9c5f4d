"""The menu and page that plan drills name the half year they plan (the menu said 下半年度 while it planned
the first half of next year whenever today fell in the second)."""

import re

from core.models import utcnow
from drills.halfyear import HalfYear


def test_plan_next_names_the_half_year_it_plans(client, login, db):
    login("trainer")
    page = client.get("/drills/plan-next").get_data(as_text=True)
    assert "计划下一个半年的演练" in page  # the menu and the title: true in either half of the year
    assert "下半年度" not in page
    heading = re.search(r'<h1 class="h4">([^<]*)</h1>', page).group(1)
    planned = HalfYear.of(utcnow()).shift(1)
    assert heading.startswith("计划") and heading.endswith("的演练")
    assert str(planned) in heading or f"{planned.year}年" in heading
