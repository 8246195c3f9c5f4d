"""Journey: a trainer moves a corrective action on. The form shows the reason and the new due date only
while a step that needs them is chosen (defer: both; reject: the reason; start: neither)."""

import datetime as dt

from flask_babel import force_locale
from playwright.sync_api import expect

from core.extensions import db
from drills import improvement
from drills.models import Drill
from tests.browser.test_drills_journey import _evaluating_drill, _sign_in


def test_the_action_form_shows_the_fields_of_the_chosen_step(live_server, live_db, page):
    drill_id, _title, numbers, ids, _criteria = _evaluating_drill(live_db, lead_submits=False)
    with force_locale("zh_CN"):
        drill = db.session.get(Drill, drill_id)
        finding = improvement.add_finding(
            drill,
            kind="improvement",
            severity="corrective",
            element="people",
            title="停电告知推送延迟",
            now=drill.ends_at,
        )
        action = improvement.assign_action(
            finding,
            owner=drill.director,
            description="优化推送流程",
            due_date=dt.date.today() + dt.timedelta(days=20),
            actor=None,
            now=drill.ends_at,
        )
        live_db.session.commit()
        action_id = action.id
    _sign_in(page, live_server, numbers["trainer"])
    page.goto(f"{live_server}/drills/actions/{action_id}")
    step, reason, new_due = page.locator("select[name=to]"), page.locator("#reason"), page.locator("#new_due")
    step.select_option("deferred")
    expect(reason).to_be_visible()
    expect(new_due).to_be_visible()
    step.select_option("rejected")
    expect(reason).to_be_visible()
    expect(new_due).to_be_hidden()
    step.select_option("in_progress")
    expect(reason).to_be_hidden()
    expect(new_due).to_be_hidden()
    expect(page.locator("#evidence")).to_have_count(0)
