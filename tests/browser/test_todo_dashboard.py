"""Journey on a 360 px phone: the dashboard's 我的待办 lists the upcoming session and a drill still ahead
(即将开始, never 已批准); tapping the drill leads to the role page, 确认参加 confirms it, and the drill
leaves the list. Nothing scrolls sideways; the rows are at least 44 px tall."""

import datetime as dt
import uuid

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import through
from tests.todo.builders import upcoming_drill_role
from tests.training import factories as training_factories
from training.course_sessions import self_enrol

pytestmark = pytest.mark.browser


def test_to_do_on_a_phone(live_server, live_db, phone):
    phone.set_viewport_size({"width": 360, "height": 640})
    number = f"T{uuid.uuid4().hex[:8].upper()}"
    user = factories.user(employee_no=number, name="韩雪")
    now = dt.datetime.now(dt.UTC)
    session = training_factories.session(start=now + dt.timedelta(days=1), hours=2)
    session.title = f"带电作业安全培训班{number}"
    self_enrol(session, user.employee, now=now)
    drill = upcoming_drill_role(user, now=now, days=5)
    live_db.session.commit()
    session_title, drill_id = session.title, drill.id

    phone.goto(live_server + "/login")
    phone.fill("#employee_no", number)
    phone.fill("#password", factories.PASSWORD)
    through(phone, phone.locator("#submit"))
    todo = phone.locator('[data-card="core.todo"]')
    expect(todo).to_contain_text(session_title)
    expect(todo).to_contain_text("已报名，即将开始")
    drill_row = todo.locator('[data-todo="drills.roles"]')
    expect(drill_row).to_contain_text("即将开始")
    expect(todo).not_to_contain_text("已批准")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    for box in todo.locator("li a").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)"):
        assert box >= 44
    phone.screenshot(path="/tmp/todo-dashboard-360.png", full_page=True)

    through(phone, drill_row.locator("a"))
    assert phone.url.endswith(f"/drills/{drill_id}/my-role")
    through(phone, phone.get_by_role("button", name="确认参加"))
    expect(phone.locator(".alert-success").first).to_contain_text("您的角色已确认")
    phone.goto(live_server + "/")
    expect(phone.locator('[data-card="core.todo"] [data-todo="drills.roles"]')).to_have_count(0)
