"""Every page the every-page language check opens (``tests/page_crawl.py``), for each demo role, in Chinese
and in English, has no critical or serious violation of WCAG 2.1 A/AA (and axe's best practices) as
axe-core sees it in Chromium. axe-core comes bundled with the ``axe-playwright-python`` package.

The demo organisation is built on a live server of its own (``demo_site`` in the browser conftest), the
pages are listed by the language check's crawl (the test client, same links, same bounds) and each is then
opened in the browser and scanned. Pages a person reaches only through a form (a practice run's question and
its feedback, the exam page, a practice run's end) are opened by scripted steps as the demo employee.

Set ``AXE_REPORT=path.json`` to write every violation found (all impacts) there. To check a few pages while
working on them, ``GRIDREADY_A11Y_PAGES=regex`` keeps only the URLs it matches (``re.search``), and pytest's
``-k`` picks the role and language: ``-k "hr and zh"``. docs/accessibility.md shows the commands."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from core.extensions import db
from exams.models import Exam
from tests.browser.conftest import _after_load_assets_in_browser, pages_of, sign_in
from tests.page_crawl import ROLE_LOGINS

pytestmark = pytest.mark.browser

# The rules run: WCAG 2.0/2.1 level A and AA, and axe's best practices (landmarks, heading order …).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
FAILING = {"critical", "serious"}
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}
# Only the pages whose URL this matches (a regular expression), e.g. "^/reports/" or "heatmap|sheet".
ONLY = re.compile(os.environ["GRIDREADY_A11Y_PAGES"]) if os.environ.get("GRIDREADY_A11Y_PAGES") else None


AXE = Axe()
PRACTICE_EXAM = "应急处置知识练习"  # exams/seed.py: open to the whole company, five attempts


def scan(page) -> list[dict]:
    """axe-core's violations on the page loaded in ``page``."""
    return AXE.run(page, options=AXE_OPTIONS).response["violations"]


def chosen(url: str) -> bool:
    return ONLY is None or bool(ONLY.search(url))


def _report(found: list[tuple[str, dict]]) -> None:
    path = os.environ.get("AXE_REPORT")
    if not path:
        return
    earlier = json.loads(Path(path).read_text(encoding="utf-8")) if os.path.exists(path) else []
    earlier += [
        {
            "url": url,
            "rule": v["id"],
            "impact": v["impact"],
            "nodes": [{"target": n["target"], "html": n["html"][:200]} for n in v["nodes"]],
        }
        for url, v in found
    ]
    Path(path).write_text(json.dumps(earlier, ensure_ascii=False, indent=1), encoding="utf-8")


def _judge(label: str, pages: int, found: list[tuple[str, dict]]) -> None:
    """Report the findings and fail on any critical or serious one."""
    _report(found)
    by_impact = Counter(v["impact"] for _url, v in found for _node in v["nodes"])
    print(f"\n{label}: {pages} pages, elements by impact {dict(by_impact)}")
    failing = Counter()
    examples = {}
    for url, violation in found:
        if violation["impact"] in FAILING:
            failing[violation["id"]] += len(violation["nodes"])
            examples.setdefault(violation["id"], f"{url} {violation['nodes'][0]['html'][:160]}")
    assert not failing, "\n".join(
        f"{rule}: {n} elements, e.g. {examples[rule]}" for rule, n in failing.items()
    )


def _signed_in(browser, demo_site, role: str, language: str):
    base, _app, passwords = demo_site
    employee_no = ROLE_LOGINS[role]
    context = browser.new_context(locale=LANGUAGES[language], viewport={"width": 1280, "height": 900})
    _after_load_assets_in_browser(context)
    page = context.new_page()
    sign_in(page, base, employee_no, passwords[employee_no])
    return context, page


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("role", list(ROLE_LOGINS))
def test_every_page_passes_axe(browser, demo_site, role, language):
    base, app, passwords = demo_site
    employee_no = ROLE_LOGINS[role]
    urls = pages_of(app, employee_no, passwords[employee_no], LANGUAGES[language])
    assert len(urls) >= 10
    urls = [url for url in urls if chosen(url)]
    if not urls:
        pytest.skip(f"GRIDREADY_A11Y_PAGES matches none of the {role}'s pages")
    context, page = _signed_in(browser, demo_site, role, language)
    found: list[tuple[str, dict]] = []
    try:
        for url in urls:
            page.goto(base + url)
            found += [(url, violation) for violation in scan(page)]
    finally:
        context.close()
    _judge(f"{role}/{language}", len(urls), found)


def _answer_something(page) -> None:
    """Answer the practice question on the screen, whatever its type (right or wrong does not matter)."""
    choice = page.locator("#practice-form input[type=radio], #practice-form input[type=checkbox]")
    if choice.count():
        choice.first.check()
    for box in page.locator("#practice-form input[type=text], #practice-form textarea").all():
        box.fill("1")
    for menu in page.locator("#practice-form select").all():
        menu.select_option(index=1)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_pages_reached_through_a_form_pass_axe(browser, demo_site, language):
    """The crawl follows links only; these pages open after a form is sent: a practice run (its question, the
    feedback on an answer, its end) and the exam page of the demo practice exam (then its result)."""
    base, app, _passwords = demo_site
    with app.app_context():
        exam_id = db.session.scalar(sa.select(Exam.id).where(Exam.title == PRACTICE_EXAM))
    assert exam_id is not None, "the demo has no practice exam"
    context, page = _signed_in(browser, demo_site, "employee", language)
    found: list[tuple[str, dict]] = []
    opened = 0

    def scan_here(state: str) -> None:
        nonlocal found, opened
        url = page.url.removeprefix(base) + f" ({state})"
        if chosen(url):
            opened += 1
            found += [(url, violation) for violation in scan(page)]

    try:
        page.goto(base + "/practice/")
        with page.expect_navigation():
            page.locator("form[action$='/practice/start'] button[type=submit]").click()
        assert re.search(r"/practice/runs/\d+$", page.url), page.url
        scan_here("question")
        _answer_something(page)
        page.click("#practice-submit")
        page.locator("#practice-feedback [data-correct]").wait_for()
        scan_here("feedback")
        with page.expect_navigation():
            page.locator("form[action$='/finish'] button[type=submit]").click()
        scan_here("end")

        page.goto(f"{base}/exams/{exam_id}")
        with page.expect_navigation():
            page.locator(f"form[action$='/exams/{exam_id}/start'] button[type=submit]").click()
        assert re.search(r"/exams/attempts/\d+$", page.url), page.url
        scan_here("exam page")
        page.on("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            page.click("#submit-btn")
        scan_here("after submitting")
    finally:
        context.close()
    if not opened:
        pytest.skip("GRIDREADY_A11Y_PAGES matches none of the pages reached through a form")
    _judge(f"employee/{language}, through forms", opened, found)
