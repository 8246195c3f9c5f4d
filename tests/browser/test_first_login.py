"""Journey: a new employee signs in with the initial password, must choose a new one, reaches the
Chinese dashboard; the phone layout collapses the menu."""

import uuid

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.browser


def _new_user(live_db, **kwargs):
    user = factories.user(employee_no=f"B{uuid.uuid4().hex[:8].upper()}", **kwargs)
    live_db.session.commit()
    return user.employee.employee_no, user.employee.name


def test_first_sign_in_forces_a_password_change(live_server, live_db, page, tmp_path):
    number, name = _new_user(live_db, must_change_password=True)
    page.goto(live_server + "/")
    assert "/login" in page.url
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    assert page.url.endswith("/account/password")
    assert "请先设置" in page.content() or "修改密码" in page.content()
    page.fill("#current", factories.PASSWORD)
    page.fill("#new", "my own long passphrase")
    page.fill("#confirm", "my own long passphrase")
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    assert f"欢迎，{name}" in page.content() or name in page.inner_text("h1")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    # Sign out from the user menu.
    page.click("text=" + name)
    page.click("button:has-text('退出登录')")
    assert "/login" in page.url


def test_phone_layout_collapses_the_menu(live_server, live_db, phone):
    number, _name = _new_user(live_db, grants=[("hr", None)])
    phone.goto(live_server + "/login")
    phone.fill("#employee_no", number)
    phone.fill("#password", factories.PASSWORD)
    phone.click("#submit")
    phone.wait_for_url(live_server + "/")
    toggler = phone.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert not phone.locator("#mainnav").is_visible()
    toggler.click()
    phone.wait_for_selector("#mainnav.show")
    assert phone.locator("#mainnav").get_by_text("员工管理").first.is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows sideways


def test_wrong_password_shows_a_clear_message(live_server, live_db, page):
    number, _ = _new_user(live_db)
    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", "not-the-password")
    with page.expect_navigation():  # read the answer page, not the form being left
        page.click("#submit")
    expect(page.locator(".alert-danger")).to_contain_text("工号或密码错误")
