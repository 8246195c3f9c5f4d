"""Journey: a candidate sits an exam on a phone through static/exams/runtime.js.

One question per screen with a navigator; each answer autosaves and the badge says so; with the network
gone, answers stay on the device (localStorage), the badge says how many are unsaved, and they are sent
when the network returns; a reload while saves keep failing restores the unsaved answer from the
device; the submit asks for confirmation and lands on the result, graded with what was saved."""

import datetime as dt
import json
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from exams.models import Attempt, AttemptItem
from tests import factories
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser


def _items(live_db, attempt_id: int) -> dict[int, dict | None]:
    live_db.session.expire_all()
    rows = live_db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
    return {row.position: row.response for row in rows}


def _badge(phone) -> str:
    return phone.get_attribute("#save-state", "class")


def test_phone_autosave_offline_retry_and_submit(live_server, live_db, phone):
    now = dt.datetime.now(dt.UTC)
    single = exam_factories.question("single")
    truefalse = exam_factories.question("truefalse")
    fill = exam_factories.question("fill")
    exam = exam_factories.exam(
        exam_factories.blueprint([single, truefalse, fill]),
        title="浏览器考试" + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=2),
    )
    user = exam_factories.candidate(exam, employee_no=f"X{uuid.uuid4().hex[:8].upper()}")
    number = user.employee.employee_no
    live_db.session.commit()

    phone.goto(live_server + "/login")
    phone.fill("#employee_no", number)
    phone.fill("#password", factories.PASSWORD)
    phone.click("#submit")
    phone.wait_for_url(live_server + "/")
    phone.goto(f"{live_server}/exams/{exam.id}")
    phone.click("button:has-text('开始作答')")
    phone.wait_for_url(re.compile(r".*/exams/attempts/\d+$"))
    attempt_id = int(phone.url.rsplit("/", 1)[1])

    # A phone gets one question per screen; the others are hidden until the navigator or "next".
    assert phone.is_visible("#q1") and not phone.is_visible("#q2")
    assert phone.locator("#navigator button").count() == 3

    # An answer autosaves: the badge turns green and the server holds it.
    phone.check("#q1-1")
    expect(phone.locator("#save-state")).to_have_class(re.compile(r"\bbg-success\b"))
    expect(phone.locator("#navigator button").first).not_to_have_class(re.compile(r"\bbtn-warning\b"))
    assert _items(live_db, attempt_id)[1] == {"choice": ["A"]}
    assert phone.inner_text("#save-state") == "答案已全部保存"

    # Offline: the answer is kept on the device and the badge counts it as unsaved.
    phone.context.set_offline(True)
    phone.click("#q1 .next")
    assert phone.is_visible("#q2") and not phone.is_visible("#q1")
    phone.check("#q2 input[value='true']")
    expect(phone.locator("#save-state")).to_have_class(re.compile(r"\bbg-warning\b"))
    assert "1" in phone.inner_text("#save-state")
    assert "btn-warning" in phone.get_attribute("#navigator button:nth-child(2)", "class")
    stored = json.loads(phone.evaluate(f"localStorage.getItem('gridready-exam-{attempt_id}')"))
    assert stored["2"]["response"] == {"answer": True}
    assert _items(live_db, attempt_id)[2] is None

    # The network returns: the pending answer is sent and the badge turns green again.
    phone.context.set_offline(False)
    expect(phone.locator("#save-state")).to_have_class(re.compile(r"\bbg-success\b"), timeout=15000)
    assert _items(live_db, attempt_id)[2] == {"answer": True}

    # Saves keep failing (the server is unreachable for PUTs) and the page is reloaded: the unsaved
    # answer comes back from the device, still marked unsaved, and is sent once saves work again.
    phone.route("**/api/exams/attempts/*/answers/*", lambda route: route.abort())
    phone.click("[data-bs-target='#navigator']")  # the navigator folds away on a phone
    phone.click("#navigator button:nth-child(3)")
    assert phone.is_visible("#q3") and not phone.is_visible("#q2")
    phone.fill("#q3 .blank[data-blank='0']", "2小时")
    expect(phone.locator("#save-state")).to_have_class(re.compile(r"\bbg-warning\b"))
    assert _items(live_db, attempt_id)[3] is None
    phone.reload()
    assert phone.input_value("#q3 .blank[data-blank='0']") == "2小时"
    assert "bg-warning" in _badge(phone)
    phone.unroute("**/api/exams/attempts/*/answers/*")
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("#save-state")).to_have_class(re.compile(r"\bbg-success\b"), timeout=15000)
    assert _items(live_db, attempt_id)[3] == {"blanks": ["2小时", ""]}

    # Submitting asks first (one blank is still empty, but every question has an answer) and then
    # shows the result, graded on what the server saved.
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    phone.on("dialog", accept)
    phone.click("#submit-btn")
    phone.wait_for_url(f"{live_server}/exams/attempts/{attempt_id}/result")
    assert messages == ["现在交卷吗？交卷后不能再修改答案。"]
    live_db.session.expire_all()
    attempt = live_db.session.get(Attempt, attempt_id)
    assert attempt.status == "graded"
    # single (2 points) right, true/false (2) right, fill: one blank of two right = 1 point.
    assert attempt.score == 5
    assert phone.evaluate(f"localStorage.getItem('gridready-exam-{attempt_id}')") is None


def test_countdown_submits_at_the_window_close(live_server, live_db, page):
    """The deadline is the window's close here (it comes before start + duration); the page counts
    down on the server's clock and submits by itself, keeping the answer saved before."""
    now = dt.datetime.now(dt.UTC)
    exam = exam_factories.exam(
        exam_factories.blueprint([exam_factories.question("truefalse"), exam_factories.question("single")]),
        title="限时考试" + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(seconds=12),
    )
    user = exam_factories.candidate(exam, employee_no=f"X{uuid.uuid4().hex[:8].upper()}")
    number = user.employee.employee_no
    live_db.session.commit()

    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/exams/{exam.id}")
    page.click("button:has-text('开始作答')")
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    # A PC shows the whole paper; the timer shows the seconds left to the window's close.
    assert page.is_visible("#q1") and page.is_visible("#q2")
    assert re.fullmatch(r"00:(0\d|1[0-2])", page.inner_text("#timer"))
    page.check("#q1 input[value='true']")
    expect(page.locator("#save-state")).to_have_class(re.compile(r"\bbg-success\b"))
    page.wait_for_url(f"{live_server}/exams/attempts/{attempt_id}/result", timeout=30000)
    live_db.session.expire_all()
    attempt = live_db.session.get(Attempt, attempt_id)
    assert attempt.status == "graded"
    assert attempt.submitted_at <= exam.closes_at
    assert _items(live_db, attempt_id) == {1: {"answer": True}, 2: None}
    assert attempt.score == 2


def _sit(live_server, live_db, page, questions, title):
    now = dt.datetime.now(dt.UTC)
    exam = exam_factories.exam(
        exam_factories.blueprint(questions),
        title=title + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=2),
    )
    user = exam_factories.candidate(exam, employee_no=f"X{uuid.uuid4().hex[:8].upper()}")
    number = user.employee.employee_no
    live_db.session.commit()
    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/exams/{exam.id}")
    page.click("button:has-text('开始作答')")
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_submit_right_after_typing_saves_first_and_does_not_cry_network(live_server, live_db, page):
    """Typing into a blank and pressing 交卷 at once: the pending save is sent before the question is
    asked, so the dialog does not claim a network failure, and the typed answer is graded."""
    attempt_id = _sit(live_server, live_db, page, [exam_factories.question("fill")], "即时交卷")
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.fill("#q1 .blank[data-blank='0']", "2小时")
    page.fill("#q1 .blank[data-blank='1']", "4小时")
    page.click("#submit-btn")
    page.wait_for_url(f"{live_server}/exams/attempts/{attempt_id}/result")
    assert messages == ["现在交卷吗？交卷后不能再修改答案。"]
    assert _items(live_db, attempt_id)[1] == {"blanks": ["2小时", "4小时"]}


def test_submit_while_the_server_is_unreachable_says_so(live_server, live_db, page):
    """Only an answer that truly could not be sent is warned about, in words that name the cause."""
    attempt_id = _sit(live_server, live_db, page, [exam_factories.question("fill")], "断网交卷")
    page.route("**/api/exams/attempts/*/answers/*", lambda route: route.abort())
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.fill("#q1 .blank[data-blank='0']", "2小时")
    page.click("#submit-btn")
    expect(page.locator("#save-state")).to_have_class(re.compile(r"\bbg-warning\b"))
    page.wait_for_timeout(300)
    assert len(messages) == 1 and "无法连接服务器" in messages[0]
    assert _items(live_db, attempt_id)[1] is None
