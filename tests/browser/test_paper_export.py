"""Paper exams (issue 15 §6) in the browser: a trainer opens an exam's print page, it passes axe and fits a
360 px phone, and the download buttons hand over the files (the key, the zip)."""

from __future__ import annotations

import uuid

import pytest

from tests import factories
from tests.browser.conftest import _after_load_assets_in_browser
from tests.browser.test_accessibility import FAILING, scan
from tests.exams import factories as exam_factories

pytestmark = pytest.mark.browser


def _setting(live_db):
    """An exam of each item type and its owning trainer, committed on the live server."""
    questions = [exam_factories.question(t) for t in ("single", "multiple", "truefalse", "fill", "essay")]
    exam = exam_factories.exam(exam_factories.blueprint(questions), title="纸质考试" + uuid.uuid4().hex[:4])
    trainer = factories.user(grants=[("trainer", None)], employee_no=f"P{uuid.uuid4().hex[:8].upper()}")
    live_db.session.commit()
    return exam.id, exam.blueprint_id, trainer.employee.employee_no


def _signed_in(browser, base, number, **options):
    context = browser.new_context(
        **{"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options}
    )
    _after_load_assets_in_browser(context)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    with page.expect_navigation():
        page.click("#submit")
    return context, page


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_print_page_and_the_sample_pass_axe_and_fit_a_phone(browser, live_server, live_db, locale):
    exam_id, blueprint_id, number = _setting(live_db)
    for viewport in ({"width": 1280, "height": 900}, {"width": 360, "height": 740}):
        context, page = _signed_in(browser, live_server, number, locale=locale, viewport=viewport)
        try:
            for url in (
                f"/exams/manage/{exam_id}/paper",
                f"/exams/manage/blueprints/{blueprint_id}/preview?seed=5",
            ):
                page.goto(live_server + url)
                if "preview" in url:
                    page.locator("details summary").first.click()
                serious = [v["id"] for v in scan(page) if v["impact"] in FAILING]
                assert serious == [], (url, viewport, serious)
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], url
        finally:
            context.close()


def test_a_trainer_downloads_the_key_and_the_zip(browser, live_server, live_db):
    exam_id, _blueprint_id, number = _setting(live_db)
    context, page = _signed_in(browser, live_server, number, accept_downloads=True)
    try:
        page.goto(live_server + f"/exams/manage/{exam_id}")
        with page.expect_navigation():
            page.get_by_role("link", name="打印纸质试卷").click()
        page.get_by_label("试卷卷别").select_option("B")
        with page.expect_download() as download:
            page.get_by_role("button", name="PDF · 参考答案及评分标准").click()
        name = download.value.suggested_filename
        assert name.startswith(f"E{exam_id}-B-") and name.endswith("-key.pdf")
        with open(download.value.path(), "rb") as fh:
            assert fh.read(5) == b"%PDF-"
        with page.expect_download() as bundle:
            page.get_by_role("button", name="三份全部下载（PDF 和 Word，压缩包）").click()
        assert bundle.value.suggested_filename.endswith(".zip")
    finally:
        context.close()
