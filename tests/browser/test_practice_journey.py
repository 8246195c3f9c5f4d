"""Self-practice on a phone (360 × 640): practise a chapter, get an item wrong (the answer sent while the network
is down arrives once it is back), find it in the mistake book, master it there, and see mastery change."""

from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from core.seeding import Outcome
from practice.models import PracticeOpening
from question_bank.knowledge import point_named, seed_knowledge_points
from tests import factories
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser
AXE = Axe()
AXE_OPTIONS = {  # as tests/browser/test_accessibility.py: WCAG 2.1 A/AA and axe's best practices
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def _answer(phone, option: str, *, offline: bool = False) -> bool:
    phone.check(f"#q_{option}")
    if offline:
        phone.context.set_offline(True)
    phone.click("#practice-submit")
    if offline:
        expect(phone.locator("#practice-alert")).to_contain_text("网络已断开")
        phone.context.set_offline(False)
    feedback = phone.locator("#practice-feedback [data-correct]")
    expect(feedback).to_be_visible()
    right = feedback.get_attribute("data-correct") == "true"
    expect(feedback).to_contain_text("答对了" if right else "答错了")
    expect(feedback).to_contain_text("一般故障2小时内到达现场")
    phone.click("#practice-next")
    return right


def _mastery_of(phone, live_server, name: str) -> str:
    phone.goto(f"{live_server}/practice/mastery")
    return phone.locator(f'svg g[data-point="{name}"]').get_attribute("data-value")


def test_practise_a_chapter_then_master_the_mistake(live_server, live_db, small_phone):
    seed_knowledge_points(Outcome("knowledge-points"))
    point = point_named("响应时限")
    category = exam_factories.category("练习" + uuid.uuid4().hex[:6])
    live_db.session.add(PracticeOpening(category_id=category.id, department_id=None))
    questions = []
    for _ in range(3):
        q = exam_factories.question(
            "single", cat=category, chapter=3, explanation="<p>一般故障2小时内到达现场。</p>"
        )
        q.tags = [point]
        questions.append(q)
    user = factories.user(employee_no=f"P{uuid.uuid4().hex[:8].upper()}")
    live_db.session.commit()

    phone = small_phone
    phone.goto(live_server + "/login")
    phone.fill("#employee_no", user.employee.employee_no)
    phone.fill("#password", factories.PASSWORD)
    phone.click("#submit")
    phone.wait_for_url(live_server + "/")

    # Practise chapter 3 in order: the first wrong (sent while offline), the other two right.
    phone.goto(f"{live_server}/practice/")
    phone.select_option("#chapter", "3")
    phone.click("button:has-text('开始练习')")
    phone.wait_for_url(re.compile(r".*/practice/runs/\d+$"))
    expect(phone.locator("body")).to_contain_text("第 1 题，共 3 题")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    assert phone.locator("#practice-submit").bounding_box()["height"] >= 44
    assert _answer(phone, "B", offline=True) is False
    assert _answer(phone, "A") is True
    assert _answer(phone, "A") is True
    expect(phone.locator("body")).to_contain_text("答对 2 题")

    # The end page links each answered question; the wrong one opens at its own address with the answer given.
    phone.click("a:has-text('第1题：答错')")
    phone.wait_for_url(re.compile(r".*/practice/runs/\d+/q/1$"))
    expect(phone.locator("[data-correct]")).to_contain_text("答错了")
    expect(phone.locator("#r_B")).to_be_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    serious = [v["id"] for v in AXE.run(phone, options=AXE_OPTIONS).response["violations"]
               if v["impact"] in ("critical", "serious")]  # fmt: skip
    assert serious == []
    assert _mastery_of(phone, live_server, "响应时限") == "0.67"

    # The wrong one is in the mistake book; two rights in a row there master it.
    phone.goto(f"{live_server}/practice/mistakes")
    expect(phone.locator(f'[data-mistake="{questions[0].id}"]')).to_be_visible()
    for _round in range(2):
        phone.goto(f"{live_server}/practice/mistakes")
        phone.click("button:has-text('练习这些错题')")
        phone.wait_for_url(re.compile(r".*/practice/runs/\d+$"))
        assert _answer(phone, "A") is True
    phone.goto(f"{live_server}/practice/mistakes")
    expect(phone.locator(f'[data-mistake="{questions[0].id}"]')).to_have_count(0)
    phone.click("a:has-text('已掌握')")
    expect(phone.locator(f'[data-mistake="{questions[0].id}"]')).to_contain_text("已掌握")

    # Mastery moved from 67 % to 80 %: now a strong point.
    assert _mastery_of(phone, live_server, "响应时限") == "0.80"
    expect(phone.locator("#strong-points")).to_contain_text("响应时限")
