"""Journeys of HR in reports: person → sheet → PDF → certificate PDF, and unit → dashboard → trend →
people (with a phone-width look at the dashboard)."""

from __future__ import annotations

import io
import uuid

import pypdf
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import through
from tests.reports.factories import person_with_records

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, number):
    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")


def _pdf_text(response) -> str:
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(response.body())).pages
    return "".join(p.extract_text() for p in pages).replace(" ", "").replace("\n", "")


def _org(live_db):
    tag = uuid.uuid4().hex[:6]
    branch = factories.department(f"城西分公司{tag}", kind="branch")
    team = factories.department(f"抢修班{tag}", parent=branch, kind="team")
    person = person_with_records(department=team, suffix=tag)
    hr = factories.user(grants=[("hr", branch)], employee_no=f"H{tag.upper()}")
    live_db.session.commit()
    return branch, team, person, hr


def test_person_sheet_pdf_and_certificate(live_server, live_db, page):
    _branch, _team, person, hr = _org(live_db)
    _sign_in(page, live_server, hr.employee.employee_no)
    page.goto(f"{live_server}/people/{person.employee.id}")
    through(page, page.locator("[data-testid=profile-sheet-link]"))
    expect(page.locator("h1")).to_contain_text("个人培训考核档案")
    page.select_option("#period", "2026H1")
    through(page, page.get_by_role("button", name="查看"))
    expect(page.locator("[data-testid=exam]")).to_contain_text("客服规范考试")
    expect(page.locator("[data-testid=hours-total]")).to_have_text("12.5")

    pdf_href = page.get_attribute("[data-testid=sheet-pdf]", "href")
    text = _pdf_text(page.context.request.get(live_server + pdf_href))
    assert "个人培训考核档案" in text and person.employee.name in text and "2026年上半年" in text

    cert_href = page.get_attribute("[data-testid=certificate-pdf]", "href")
    cert_text = _pdf_text(page.context.request.get(live_server + cert_href))
    assert person.employee.name in cert_text and "/verify/" in cert_text


def test_unit_dashboard_trend_and_people(live_server, live_db, page, phone):
    branch, team, person, hr = _org(live_db)
    _sign_in(page, live_server, hr.employee.employee_no)
    page.goto(f"{live_server}/reports/readiness?unit={branch.id}")
    expect(page.locator("h1")).to_contain_text(branch.name)
    page.select_option("#kind", "quarter")
    through(page, page.get_by_role("button", name="查看"))
    trend = page.locator("[data-testid=trend-exams] svg")
    expect(trend).to_be_visible()
    assert trend.locator("circle").count() >= 1  # a quarter with exam results
    expect(page.locator("[data-testid=team-formula]")).to_contain_text("综合得分")
    through(page, page.locator("[data-testid=drill-down]", has_text=team.name))
    expect(page.locator("h1")).to_contain_text(team.name)
    through(page, page.locator("[data-testid=people-link]"))
    expect(page.locator("[data-testid=person]")).to_contain_text(person.employee.name)
    through(page, page.get_by_role("link", name=person.employee.name))
    expect(page.locator("[data-testid=sheet-name]")).to_have_text(person.employee.name)

    _sign_in(phone, live_server, hr.employee.employee_no)
    phone.goto(f"{live_server}/reports/readiness?unit={branch.id}")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.viewport_size["width"], "the dashboard scrolls sideways on a phone"
