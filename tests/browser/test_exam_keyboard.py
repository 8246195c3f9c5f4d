"""Journey: a candidate takes a whole exam of every question type with the keyboard alone (Tab, Shift+Tab,
Space, arrow keys, Enter, typing) and submits it; what a screen reader hears along the way is checked too:
each answer group is named by its question, the focus moves to the new question on 下一题 / 上一题, the
navigator says each question's state in words, the time left and the save state are announced politely."""

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from exams.models import Attempt, AttemptItem
from tests import factories
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser

TYPES = ["single", "multiple", "truefalse", "fill", "numerical", "matching", "essay"]


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {id: e.id, tag: e.tagName, type: e.type || '', cls: e.className || '',
                           section: e.closest('section.q') ? e.closest('section.q').id : ''}; }"""
    )


def tab_to(page, test, limit: int = 25, back: bool = False) -> dict:
    """Press Tab (Shift+Tab when ``back``) until the focused element passes ``test``; fails if it never does."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = _focused(page)
        if test(focused):
            return focused
    raise AssertionError(f"Tab never reached the element (last: {focused})")


def next_question(page, number: int) -> None:
    """下一题 by keyboard: the focus lands on the next question's heading."""
    tab_to(page, lambda f: "next" in f["cls"] and f["section"] == f"q{number}")
    page.keyboard.press("Enter")
    expect(page.locator(f"#q{number + 1}-head")).to_be_focused()


def _group_name(page, position: int) -> str:
    return page.evaluate(
        f"""() => {{ const g = document.querySelector('#q{position} [role=radiogroup], #q{position} [role=group]');
                    return g.getAttribute('aria-labelledby').split(' ')
                            .map(id => document.getElementById(id).textContent.trim()).join(' '); }}"""
    )


def test_a_whole_exam_by_keyboard(live_server, live_db, page):
    now = dt.datetime.now(dt.UTC)
    questions = [exam_factories.question(t) for t in TYPES]
    exam = exam_factories.exam(
        exam_factories.blueprint(questions),
        title="键盘考试" + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(minutes=20),
    )
    user = exam_factories.candidate(exam, employee_no=f"K{uuid.uuid4().hex[:8].upper()}")
    live_db.session.commit()

    page.goto(live_server + "/login")
    tab_to(page, lambda f: f["id"] == "employee_no")
    page.keyboard.type(user.employee.employee_no)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server}/exams/{exam.id}")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["type"] == "submit" and "btn-lg" in f["cls"], limit=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])

    # The time left is announced when the page opens, politely; the visible clock is a timer, not read
    # every second (then at 30, 15, 5 and 1 minutes left).
    expect(page.locator("#exam-announce")).to_have_text(re.compile(r"^还剩 (20|19|18) 分钟$"))
    assert page.get_attribute("#exam-announce", "aria-live") == "polite"
    assert page.locator("[role=timer] #timer").count() == 1

    # One question per screen, chosen with the keyboard (the page opens with the whole paper on a desktop).
    tab_to(page, lambda f: f["id"] == "toggle-mode")
    page.keyboard.press("Enter")
    assert page.is_visible("#q1") and not page.is_visible("#q2")

    # 1 single choice: the options are a radio group named by the question; Space picks A.
    assert "第 1 题" in _group_name(page, 1) and "题目" in _group_name(page, 1)
    tab_to(page, lambda f: f["section"] == "q1" and f["type"] == "radio")
    page.keyboard.press("Space")
    expect(page.locator("#q1-1")).to_be_checked()
    expect(page.locator("#exam-announce")).to_have_text("答案已全部保存", timeout=15000)
    next_question(page, 1)

    # 2 multiple choice: a group of checkboxes; Tab from one to the next, Space ticks A and B.
    assert page.get_attribute("#q2 [role=group]", "aria-labelledby") == "q2-head q2-stem"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#q2-1")).to_be_checked()
    expect(page.locator("#q2-2")).to_be_checked()

    # 上一题 takes the focus back to question 1's heading, and its answer is still there.
    tab_to(page, lambda f: "prev" in f["cls"] and f["section"] == "q2")
    page.keyboard.press("Enter")
    expect(page.locator("#q1-head")).to_be_focused()
    expect(page.locator("#q1-1")).to_be_checked()
    next_question(page, 1)
    next_question(page, 2)

    # 3 true / false: a radio group; the arrow keys move within it and pick.
    assert page.get_attribute("#q3 [role=radiogroup]", "aria-labelledby") == "q3-head q3-stem"
    tab_to(page, lambda f: f["section"] == "q3" and f["type"] == "radio")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#q3 input[value='true']")).to_be_checked()
    next_question(page, 3)

    # 4 fill-in: the blanks inside the sentence are reached by Tab, in reading order.
    focused = tab_to(page, lambda f: "blank" in f["cls"])
    assert focused["section"] == "q4"
    page.keyboard.type("2小时")
    page.keyboard.press("Tab")
    page.keyboard.type("4小时")
    next_question(page, 4)

    # 5 numerical.
    tab_to(page, lambda f: "numeric" in f["cls"])
    page.keyboard.type("95.8")
    next_question(page, 5)

    # 6 matching: one labelled select per left item; the arrow keys choose without a mouse.
    for index, wanted in enumerate(["2小时", "4小时"], start=1):
        focused = tab_to(page, lambda f, i=index: f["id"] == f"q6-m{i}")
        label = page.evaluate(f"document.querySelector('label[for=q6-m{index}]').textContent")
        assert label == ["一般故障", "重大故障"][index - 1]
        for _ in range(5):
            if page.input_value(f"#q6-m{index}") == wanted:
                break
            page.keyboard.press("ArrowDown")
        assert page.input_value(f"#q6-m{index}") == wanted
    next_question(page, 6)

    # 7 essay.
    tab_to(page, lambda f: f["tag"] == "TEXTAREA")
    page.keyboard.type("先安抚客户，再登记工单。")
    # the badge may still be green from the answer before, until the essay's own save starts: wait for the
    # essay itself to be saved (its navigator button says so), then for the badge
    expect(page.locator("#navigator button").nth(6)).to_have_attribute(
        "aria-label", "第 7 题: 已作答", timeout=15000
    )
    expect(page.locator("#save-state")).to_have_class(re.compile(r"\bbg-success\b"), timeout=15000)

    # The navigator says each question's state in words and marks it, not by its colour alone.
    tab_to(
        page,
        lambda f: (
            f["tag"] == "BUTTON"
            and "collapse" in page.evaluate("document.activeElement.dataset.bsToggle || ''")
        ),
        back=True,
        limit=40,
    )
    page.keyboard.press("Enter")
    buttons = page.locator("#navigator button")
    expect(buttons.first).to_be_visible()
    assert buttons.count() == 7
    for n in range(1, 8):  # leaving the essay saves it once more: wait for that save, do not race it
        expect(buttons.nth(n - 1)).to_have_attribute("aria-label", f"第 {n} 题: 已作答", timeout=15000)
    assert buttons.nth(6).get_attribute("aria-current") == "step"
    assert all("✓" in buttons.nth(i).inner_text() for i in range(7))

    # Submit with Enter, confirm the dialog, and land on the result.
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    tab_to(page, lambda f: f["id"] == "submit-btn", back=True, limit=40)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/exams/attempts/{attempt_id}/result")
    assert messages == ["现在交卷吗？交卷后不能再修改答案。"]

    live_db.session.expire_all()
    assert live_db.session.get(Attempt, attempt_id).status != "open"
    rows = live_db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
    responses = {row.position: row.response for row in rows}
    assert responses == {
        1: {"choice": ["A"]},
        2: {"choice": ["A", "B"]},
        3: {"answer": True},
        4: {"blanks": ["2小时", "4小时"]},
        5: {"value": "95.8"},
        6: {"pairs": ["2小时", "4小时"]},
        7: {"text": "先安抚客户，再登记工单。"},
    }
