"""The exam page holds still on a small phone: saving answers (saved, saving, unsaved) never moves the
page, so a tap aimed at 下一题 lands on it."""

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def _next_button_box(page) -> tuple[float, float, float, float]:
    box = page.locator("#q1 .next").bounding_box()
    return (round(box["x"], 1), round(box["y"], 1), round(box["width"], 1), round(box["height"], 1))


def test_saving_does_not_move_the_next_button_at_360_by_640(live_server, live_db, small_phone):
    now = dt.datetime.now(dt.UTC)
    exam = exam_factories.exam(
        exam_factories.blueprint([exam_factories.question("single") for _ in range(3)]),
        title="营业厅服务规范季度考试" + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=2),
    )
    user = exam_factories.candidate(exam, employee_no=f"L{uuid.uuid4().hex[:8].upper()}")
    live_db.session.commit()
    phone = small_phone
    phone.goto(live_server + "/login")
    phone.fill("#employee_no", user.employee.employee_no)
    phone.fill("#password", factories.PASSWORD)
    phone.click("#submit")
    phone.wait_for_url(live_server + "/")
    phone.goto(f"{live_server}/exams/{exam.id}")
    phone.click("button:has-text('开始作答')")
    phone.wait_for_url(re.compile(r".*/exams/attempts/\d+$"))
    badge = phone.locator("#save-state")
    before = _next_button_box(phone)

    # Unsaved (the network is gone): the longest badge text.
    phone.context.set_offline(True)
    phone.check("#q1-1")
    expect(badge).to_have_class(re.compile(r"\bbg-warning\b"))
    assert _next_button_box(phone) == before
    # Saving, then saved again when the network returns.
    phone.context.set_offline(False)
    phone.check("#q1-2")
    expect(badge).to_have_class(re.compile(r"\bbg-success\b"))
    assert _next_button_box(phone) == before
    # The first tap on 下一题 after a save lands on it.
    phone.locator("#q1 .next").tap()
    assert phone.is_visible("#q2") and not phone.is_visible("#q1")
