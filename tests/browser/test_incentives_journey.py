"""Journey: a trainer enters a customer praise with evidence, HR approves it, the employee sees the
points with the reason, appeals a line, HR dismisses the appeal and the employee reads the outcome."""

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from incentives.models import PointRule
from incentives.starter import standard_rules
from tests import factories

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _person(live_db, **kwargs):
    user = factories.user(employee_no=f"J{uuid.uuid4().hex[:8].upper()}", **kwargs)
    return user


def _sign_in(page, live_server, number):
    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")


def test_praise_approval_and_appeal(live_server, live_db, browser, tmp_path):
    if live_db.session.scalar(select(PointRule.id).where(PointRule.code == "PRAISE")) is None:
        standard_rules()
    unit = factories.department("城东供电分公司", kind="branch")
    employee = _person(live_db, department=unit, name="韩玲")
    trainer = _person(live_db, grants=[("trainer", unit)])
    hr = _person(live_db, grants=[("hr", None)])
    numbers = {k: u.employee.employee_no for k, u in (("e", employee), ("t", trainer), ("h", hr))}
    live_db.session.commit()

    def new_page():
        return browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()

    # The trainer enters the praise with its evidence.
    page = new_page()
    _sign_in(page, live_server, numbers["t"])
    page.goto(live_server + "/incentives/claims/new")
    page.fill("#employee_no", numbers["e"])
    page.select_option("#rule_id", label="客户表扬 (+8.0)")
    page.fill("#occurred_on", "2026-01-05")
    page.fill("#evidence_text", "客户来电表扬：抢修及时，态度热情。")
    page.set_input_files(
        "#attachment", files=[{"name": "letter.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.click("#submit")
    assert "等待人力资源部审核" in page.content()
    claim_url = page.url
    page.context.close()

    # HR approves it from the queue.
    page = new_page()
    _sign_in(page, live_server, numbers["h"])
    page.goto(live_server + "/incentives/claims")
    assert "韩玲" in page.inner_text("main")
    page.goto(claim_url)
    page.click("#approve")
    assert "已审核通过" in page.content()
    page.context.close()

    # The employee sees the points and the reason, and appeals the line.
    page = new_page()
    _sign_in(page, live_server, numbers["e"])
    page.goto(live_server + "/incentives/")
    assert page.inner_text("[data-testid=balance]").strip() == "8.0"
    assert "抢修及时" in page.content()
    page.click("text=申诉")
    page.fill("#reason", "表扬信中还提到了另一次上门服务，应计两次。")
    page.click("#submit")
    assert "申诉已提交" in page.content()
    appeal_url = page.url

    # HR dismisses it with a reason; the employee reads the outcome.
    hr_page = new_page()
    _sign_in(hr_page, live_server, numbers["h"])
    hr_page.goto(appeal_url)
    hr_page.fill("#resolution", "同一封表扬信只计一次。")
    with hr_page.expect_navigation():
        hr_page.click("#dismiss")
    expect(hr_page.locator("main")).to_contain_text("申诉已处理")
    hr_page.context.close()
    page.goto(appeal_url)
    assert "已驳回" in page.inner_text("[data-testid=appeal-status]")
    assert "同一封表扬信只计一次。" in page.inner_text("[data-testid=resolution]")
    page.screenshot(path=str(tmp_path / "appeal.png"), full_page=True)
    page.context.close()
