"""Journey: a trainer deletes a blueprint section; the confirmation comes from static/js/app.js
(data-confirm, no inline handler under the Content-Security-Policy). Dismissing it changes nothing."""

import uuid

import pytest
from sqlalchemy import select

from exams import papers
from exams.models import BlueprintSection
from tests import factories
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser


def test_delete_section_asks_first(live_server, live_db, page):
    blueprint = exam_factories.blueprint([exam_factories.question("single")])
    extra = papers.add_section(blueprint, "二、待删除" + uuid.uuid4().hex[:4])
    trainer = factories.user(grants=[("trainer", None)], employee_no=f"T{uuid.uuid4().hex[:8].upper()}")
    number, extra_id = trainer.employee.employee_no, extra.id
    live_db.session.commit()

    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/exams/manage/blueprints/{blueprint.id}")
    delete = page.locator(f"#section-{extra_id} button:has-text('删除大题')")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    delete.click()
    page.wait_for_timeout(300)
    assert asked == ["删除这个大题及其全部规则？"]
    live_db.session.expire_all()
    assert live_db.session.get(BlueprintSection, extra_id) is not None

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        delete.click()
    assert page.locator(f"#section-{extra_id}").count() == 0
    live_db.session.expire_all()
    assert live_db.session.scalar(select(BlueprintSection.id).where(BlueprintSection.id == extra_id)) is None
