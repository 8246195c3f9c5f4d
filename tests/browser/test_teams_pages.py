"""The emergency-team pages (issue 19 §7) pass axe (WCAG 2.1 A/AA, best practices) in Chinese and fit a
360 px phone: the team list, a team's page with its member forms, the board's team section, a drill page
with the pick-by-team form, and the employee's dashboard card. The whole-site scan is ``make a11y-scan``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from drills.models import Drill, DrillStatus
from drills.team_models import EmergencyTeam
from tests.browser.conftest import _after_load_assets_in_browser, sign_in
from tests.browser.test_accessibility import FAILING, scan

pytestmark = pytest.mark.browser

WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _ids(app):
    with app.app_context():
        team = db.session.scalar(select(EmergencyTeam.id).order_by(EmergencyTeam.id))
        drill = db.session.scalar(
            select(Drill.id).where(Drill.status == DrillStatus.APPROVED).order_by(Drill.id)
        )
    return team, drill


@pytest.mark.parametrize(("login", "width"), [("T0001", 1280), ("T0001", 360), ("E0001", 360)])
def test_team_pages_pass_axe_and_fit_a_phone(browser, demo_site, login, width):
    base, app, passwords = demo_site
    team_id, drill_id = _ids(app)
    assert team_id and drill_id
    urls = (
        ["/drills/teams", f"/drills/teams/{team_id}", "/drills/compliance", f"/drills/{drill_id}"]
        if login == "T0001"
        else ["/"]
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    _after_load_assets_in_browser(context)
    page = context.new_page()
    problems = []
    try:
        sign_in(page, base, login, passwords[login])
        for url in urls:
            page.goto(base + url)
            marker = {
                "/drills/teams": "table",
                "/drills/compliance": "[data-testid=team-readiness]",
                "/": "[data-testid=my-teams]",
            }.get(url, "h1")
            assert page.locator(marker).count() >= 1, url
            if url == f"/drills/{drill_id}":
                assert page.locator("[data-testid=pick-team]").count() == 1
            problems += [
                f"{url} {v['id']}: {v['nodes'][0]['html'][:160]}"
                for v in scan(page)
                if v["impact"] in FAILING
            ]
            if width == 360:
                overflow = page.evaluate(WIDER_THAN_SCREEN)
                if overflow > 0:
                    problems.append(f"{url}: {overflow}px wider than a 360 px screen")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
