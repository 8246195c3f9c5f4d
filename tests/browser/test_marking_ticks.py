"""Journey: a trainer marks an essay; ticking rubric items fills the points with their sum
(static/exams/marking.js), the trainer can still change the figure, and the mark is saved."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from exams import runtime
from exams.models import Attempt
from tests import factories
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser

RUBRIC = {
    "reference_html": "<p>参考</p>",
    "rubric": [{"text": "分级响应", "points": "3"}, {"text": "及时报告", "points": "2.5"}],
}


def test_rubric_ticks_fill_the_points(live_server, live_db, page):
    now = dt.datetime.now(dt.UTC)
    exam = exam_factories.exam(
        exam_factories.blueprint([exam_factories.question("essay", points="10", key=RUBRIC)]),
        title="阅卷" + uuid.uuid4().hex[:4],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=2),
    )
    writer = exam_factories.candidate(exam, employee_no=f"X{uuid.uuid4().hex[:8].upper()}")
    attempt = runtime.start_attempt(exam, writer.employee, now)
    runtime.save_answer(attempt.id, writer.employee_id, 1, 1, {"text": "分级响应，及时报告"}, now)
    runtime.submit_attempt(attempt, now)
    item = runtime.load_items(attempt)[0]
    trainer = factories.user(grants=[("trainer", None)], employee_no=f"T{uuid.uuid4().hex[:8].upper()}")
    number, attempt_id, item_id, url = (
        trainer.employee.employee_no,
        attempt.id,
        item.id,
        f"{live_server}/exams/manage/{exam.id}/grading/{item.version_id}",
    )
    live_db.session.commit()

    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    page.goto(url)
    points = page.locator(f"#item-{item_id} input[name=points]")
    page.check(f"#r{item_id}-0")
    assert points.input_value() == "3"
    page.check(f"#r{item_id}-1")
    assert points.input_value() == "5.5"
    points.fill("5")  # the marker adjusts
    with page.expect_navigation():
        page.click(f"#item-{item_id} button[type=submit]")
    live_db.session.expire_all()
    assert live_db.session.get(Attempt, attempt_id).score == Decimal("5.00")
