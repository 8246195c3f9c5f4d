"""The employee's pages on a 360 px phone: none scrolls sideways, and no link or control a finger needs is
smaller than 24 × 24 px (WCAG 2.2, 2.5.8; links inside a sentence are exempt). The same pages at the 特大
text size do not scroll sideways either, and the exam page holds together at 200 % zoom on a 360 px screen.

The pages are those the every-page language check opens for the demo employee (``tests/page_crawl.py``)."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid

import pytest
import sqlalchemy as sa

from accounts.models import Employee
from core.extensions import db
from tests import factories
from tests.browser.conftest import _after_load_assets_in_browser, pages_of, sign_in
from tests.exams import factories as exam_factories
from tests.page_crawl import ROLE_LOGINS

pytestmark = pytest.mark.browser

# Everything a finger may need on the page, visible, with its size; links that flow inside a sentence are
# exempt (their box is the text's), as WCAG's "inline" exception says.
SMALL_TARGETS = """() => {
  const picks = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  const small = [];
  for (const el of document.querySelectorAll(picks)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || el.closest('.visually-hidden, .skip-link')) continue;
    // not a target: a finger lands on what lies beneath (Bootstrap's .btn-check radio: its label is the button)
    if (style.pointerEvents === 'none') continue;
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.parentElement.closest('p, li, dd, td, div, span, small');
      if (block && block.textContent.trim().length > el.textContent.trim().length + 1) continue;
    }
    if (box.width < 23.5 || box.height < 23.5)
      small.push(`${el.tagName.toLowerCase()} «${(el.textContent || el.name || el.type).trim().slice(0, 30)}» ${Math.round(box.width)}×${Math.round(box.height)}`);
  }
  return small;
}"""
WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _phone(browser, width: int = 360, height: int = 640, scale: float = 3):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        is_mobile=True,
        has_touch=True,
    )
    _after_load_assets_in_browser(context)
    return context


def _employee_pages(demo_site) -> tuple[str, list[str], str, str]:
    base, app, passwords = demo_site
    number = ROLE_LOGINS["employee"]
    return base, pages_of(app, number, passwords[number], "zh-CN"), number, passwords[number]


def test_no_employee_page_scrolls_sideways_or_has_small_targets_at_360(browser, demo_site):
    base, urls, number, password = _employee_pages(demo_site)
    context = _phone(browser)
    page = context.new_page()
    wide, small = {}, {}
    try:
        sign_in(page, base, number, password)
        for url in urls:
            page.goto(base + url)
            overflow = page.evaluate(WIDER_THAN_SCREEN)
            if overflow > 0:
                wide[url] = overflow
            targets = page.evaluate(SMALL_TARGETS)
            if targets:
                small[url] = targets
    finally:
        context.close()
    assert len(urls) >= 10
    assert wide == {}, f"pages wider than the screen (px): {wide}"
    assert small == {}, "\n".join(f"{url}: {targets}" for url, targets in small.items())


def test_no_employee_page_scrolls_sideways_at_the_largest_text_size(browser, demo_site):
    base, urls, number, password = _employee_pages(demo_site)
    context = _phone(browser)
    page = context.new_page()
    wide = {}
    try:
        sign_in(page, base, number, password)
        page.goto(base + "/")
        page.click(".navbar-toggler")
        page.click("a.dropdown-toggle:has(svg)")  # the user menu (person icon)
        with page.expect_navigation():
            page.click("[data-testid=text-size] button[value=xlarge]")
        assert page.get_attribute("html", "class") == "text-size-xlarge"
        for url in urls:
            page.goto(base + url)
            overflow = page.evaluate(WIDER_THAN_SCREEN)
            if overflow > 0:
                wide[url] = overflow
        with page.expect_navigation():
            page.goto(base + "/")
        page.click(".navbar-toggler")
        page.click("a.dropdown-toggle:has(svg)")
        with page.expect_navigation():
            page.click("[data-testid=text-size] button[value=standard]")
    finally:
        context.close()
    assert wide == {}, f"pages wider than the screen at 特大 (px): {wide}"


def test_the_exam_page_at_200_percent_zoom_on_a_360_px_phone(browser, live_server, live_db, tmp_path):
    """200 % zoom on a 360 px screen leaves 180 CSS px: the exam page neither scrolls sideways nor lays its
    header, question and buttons over one another. The screenshot is kept (EXAM_ZOOM_SHOT=path.png)."""
    now = dt.datetime.now(dt.UTC)
    exam = exam_factories.exam(
        exam_factories.blueprint([exam_factories.question(t) for t in ("single", "matching", "fill")]),
        title="营业厅服务规范季度考试" + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=2),
    )
    user = exam_factories.candidate(exam, employee_no=f"Z{uuid.uuid4().hex[:8].upper()}")
    live_db.session.commit()
    context = _phone(browser, width=180, height=320, scale=4)
    page = context.new_page()
    try:
        sign_in(page, live_server, user.employee.employee_no, factories.PASSWORD)
        page.goto(f"{live_server}/exams/{exam.id}")
        with page.expect_navigation():
            page.click("button:has-text('开始作答')")
        page.wait_for_url(re.compile(r".*/exams/attempts/\d+$"))
        page.check("#q1-1")
        page.screenshot(
            path=os.environ.get("EXAM_ZOOM_SHOT") or str(tmp_path / "exam-200.png"), full_page=True
        )
        assert page.evaluate(WIDER_THAN_SCREEN) <= 0
        overlaps = page.evaluate(
            """() => {
              const parts = ['#exam-title', '#save-state', '[role=timer]', '#toggle-mode', '#submit-btn',
                             '#q1-head', '#q1 .stem', '#q1 [role=radiogroup]', '#q1 .next'];
              const boxes = parts.map(s => [s, document.querySelector(s).getBoundingClientRect()]);
              const hits = [];
              for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const [a, p] = boxes[i], [b, q] = boxes[j];
                if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
                  hits.push(a + ' / ' + b);
              }
              return hits;
            }"""
        )
        assert overlaps == []
    finally:
        context.close()


def test_the_reports_at_200_percent_zoom_on_a_360_px_phone(browser, demo_site, tmp_path):
    """HR's report pages (the readiness dashboard with its SVG trends, the people behind it, the assessment
    sheets and one sheet) at 200 % zoom on a 360 px screen (180 CSS px): nothing scrolls sideways. The
    screenshots are kept (REPORT_ZOOM_SHOTS=folder)."""
    base, app, passwords = demo_site
    number = ROLE_LOGINS["hr"]
    with app.app_context():
        me = db.session.scalar(sa.select(Employee.id).where(Employee.employee_no == number))
    urls = [
        "/reports/readiness",
        "/reports/readiness/people",
        "/reports/sheets",
        f"/reports/people/{me}/sheet",
    ]
    folder = os.environ.get("REPORT_ZOOM_SHOTS") or str(tmp_path)
    context = _phone(browser, width=180, height=320, scale=2)
    page = context.new_page()
    wide = {}
    try:
        sign_in(page, base, number, passwords[number])
        for url in urls:
            page.goto(base + url)
            page.screenshot(path=f"{folder}/{re.sub(r'[^a-z0-9]+', '-', url).strip('-')}.png", full_page=True)
            overflow = page.evaluate(WIDER_THAN_SCREEN)
            if overflow > 0:
                wide[url] = overflow
    finally:
        context.close()
    assert wide == {}, f"report pages wider than the screen at 200 % zoom (px): {wide}"
