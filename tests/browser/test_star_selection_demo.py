"""Journey on the demo: the only HR officer nominates 城东's service stars, sees the approval rule and why
they cannot approve, and the administrator approves; the published ranking is the frozen one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.extensions import db
from tests.browser.conftest import app_in, serving
from tests.page_crawl import build_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A live server of its own over the demo organisation (``flask seed-demo``'s seeders)."""
    app = app_in(tmp_path_factory.mktemp("demo"))
    passwords, _codes, _texts = build_demo(app)
    with serving(app) as address:
        yield address, passwords
    with app.app_context():
        db.engine.dispose()


def _sign_in(page, base, number, password):
    page.goto(base + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_url(base + "/")


def test_one_hr_officer_and_the_administrator_finish_a_selection(demo_server, new_page):
    base, passwords = demo_server
    hr = new_page()
    _sign_in(hr, base, "H0001", passwords["H0001"])
    hr.goto(base + "/incentives/selections")
    expect(hr.get_by_test_id("approval-rule")).to_contain_text("须由推荐人以外的人员审核")
    expect(hr.get_by_test_id("selection-row").first).to_contain_text(re.compile(r"\d{4}年第[一二三四]季度"))
    row = hr.get_by_test_id("selection-row").filter(has_text="城东供电分公司").filter(has_text="单位评选中")
    with hr.expect_navigation():
        row.get_by_role("link").click()
    selection_url = hr.url
    expect(hr.get_by_test_id("approval-rule")).to_contain_text("须由推荐人以外的人员审核")
    candidate = hr.locator('[data-testid="candidate"]:has(input[name="nominee"])').first
    number = candidate.get_attribute("data-employee")
    candidate.locator('input[name="nominee"]').check()
    candidate.locator('input[name^="citation-"]').fill("服务规范，客户满意度高。")
    with hr.expect_navigation():
        hr.get_by_role("button", name="提交推荐待审核").click()
    expect(hr.get_by_test_id("selection-status")).to_have_text("待审核")
    expect(hr.get_by_test_id("why-not")).to_be_visible()
    expect(hr.get_by_test_id("approvers")).to_contain_text("系统管理员")
    expect(hr.get_by_role("button", name="审核通过并发布")).to_have_count(0)

    admin = new_page()
    _sign_in(admin, base, "A0001", passwords["A0001"])
    admin.goto(selection_url)
    expect(admin.get_by_test_id("approval-rule")).to_be_visible()
    with admin.expect_navigation():
        admin.get_by_role("button", name="审核通过并发布").click()
    assert admin.url.endswith("/incentives/honours")
    admin.goto(selection_url)
    expect(admin.get_by_test_id("selection-status")).to_have_text("已发布")
    expect(admin.get_by_test_id("snapshot")).to_contain_text("第 1 版")
    frozen = admin.get_by_test_id("frozen-ranking")
    expect(frozen.locator(f'[data-employee="{number}"]')).to_contain_text("★")
    assert "审核人：系统管理员" in admin.content()
