"""Journey: an invigilator watches a candidate take an exam on the live monitor (phone-sized and desktop),
messages them, gives extra time and collects the paper; the candidate's page shows the message and then
goes to the result."""

import datetime as dt
import os
import re
import uuid

import pytest
from playwright.sync_api import expect

from exams import services
from tests import factories
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("GRIDREADY_SHOTS")  # a folder: save screenshots there to look at


def _sign_in(page, base, number):
    page.goto(base + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(base + "/")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_monitor_on_a_phone_and_a_desktop_while_a_candidate_sits(live_server, live_db, browser, new_page):
    now = dt.datetime.now(dt.UTC)
    exam = exam_factories.exam(
        exam_factories.blueprint([exam_factories.question("single"), exam_factories.question("truefalse")]),
        title="监控考试" + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=2),
        log_focus=True,
    )
    candidate = exam_factories.candidate(exam, employee_no=f"M{uuid.uuid4().hex[:8].upper()}")
    invigilator = factories.user(employee_no=f"J{uuid.uuid4().hex[:8].upper()}")
    owner = factories.user(grants=[("trainer", None)])
    services.set_invigilators(exam, [invigilator], owner)
    live_db.session.commit()

    sitting = new_page()
    _sign_in(sitting, live_server, candidate.employee.employee_no)
    sitting.goto(f"{live_server}/exams/{exam.id}")
    sitting.click("button:has-text('开始作答')")
    sitting.wait_for_url(re.compile(r".*/exams/attempts/\d+$"))

    # The invigilator, a plain employee, on a phone-sized screen: finds the monitor under 我的考试.
    phone_context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    try:
        _sign_in(phone, live_server, invigilator.employee.employee_no)
        phone.goto(f"{live_server}/exams/mine")
        phone.click(f"text={exam.title}")
        phone.wait_for_url(re.compile(r".*/monitor$"))
        card = phone.locator("#monitor-rows .cand").first
        expect(card).to_contain_text(candidate.employee.name)
        expect(card).to_contain_text("已答 0 / 2")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing runs off the side

        # The candidate answers: the monitor shows it at its next poll (every 5 s).
        sitting.check("#q1-1")
        expect(sitting.locator("#save-state")).to_have_class(re.compile(r"\bbg-success\b"))
        expect(card).to_contain_text("已答 1 / 2", timeout=12000)
        _shot(phone, "monitor-phone.png")

        # A message to this candidate appears on their exam page at its next sync.
        card.locator("button[data-action=message]").click()
        phone.fill("#a-body", "请关闭手机")
        phone.click("#action-go")
        expect(phone.locator("#action-modal")).not_to_be_visible()
        expect(sitting.locator("#exam-messages")).to_contain_text("请关闭手机", timeout=20000)

        # Extra time, with a reason; the card shows it.
        phone.locator("#monitor-rows .cand button[data-action=extra]").first.click()
        phone.fill("#a-minutes", "10")
        phone.click("#action-go")
        expect(phone.locator("#action-error")).to_contain_text("原因")  # a reason is required
        phone.fill("#a-reason", "网络中断十分钟")
        phone.click("#action-go")
        expect(phone.locator("#monitor-rows .cand").first).to_contain_text("+10 分钟", timeout=8000)
    finally:
        phone_context.close()

    # The owner on a desktop collects the paper; the candidate's page goes to the result.
    desk = new_page()
    _sign_in(desk, live_server, owner.employee.employee_no)
    desk.goto(f"{live_server}/exams/manage/{exam.id}/monitor")
    row = desk.locator("#monitor-rows .cand").first
    expect(row).to_contain_text("作答中")
    _shot(desk, "monitor-desktop.png")
    row.locator("button[data-action=collect]").click()
    desk.fill("#a-reason", "考生提前离场")
    desk.click("#action-go")
    expect(desk.locator('[data-count="auto_submitted"]')).to_have_text("1", timeout=8000)
    sitting.wait_for_url(re.compile(r".*/result$"), timeout=25000)
    expect(desk.locator("#monitor-rows .cand").first).to_contain_text("监考收卷")
