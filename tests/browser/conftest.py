"""Browser journeys: a live server in a thread (its own SQLite file) and headless Chromium via Playwright."""

from __future__ import annotations

import contextlib
import mimetypes
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import flask_bootstrap
import pytest
from flask import Response
from flask_migrate import upgrade
from werkzeug.serving import make_server

from core import create_app
from core.extensions import db
from tests.conftest import TEST_CONFIG
from tests.page_crawl import build_demo, crawl, remove_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def app_in(folder):
    """An application on a SQLite file of its own in ``folder``, schema built by the migrations."""
    app = create_app(
        {
            **TEST_CONFIG,
            "SERVER_NAME": None,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/live.db",
            "INSTANCE_DIR": str(folder),
            "UPLOAD_DIR": str(folder / "uploads"),
        }
    )
    with app.app_context():
        upgrade()
    _static_from_memory(app)
    return app


@contextlib.contextmanager
def serving(app):
    """``app`` served in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    app = app_in(tmp_path_factory.mktemp("live"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _static_from_memory(app) -> None:
    """The live server answers static files from bytes read at once, never from an open file.

    Chromium fetches the favicon outside the page's network stack, where ``context.route`` cannot answer
    it; when a test leaves the page while werkzeug's development server is still sending that file, the
    server drops the response without closing it and the ResourceWarning (warnings are errors) fails
    whichever test runs when the file object is collected."""

    def from_memory(serve_file):
        def static(filename):
            response = serve_file(filename)
            response.direct_passthrough = False
            body = response.get_data()
            response.close()
            return Response(body, status=response.status_code, headers=response.headers)

        return static

    for endpoint in ("static", "bootstrap.static"):
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = from_memory(app.view_functions[endpoint])


@pytest.fixture(scope="session")
def live_server(live_app):
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make system-deps installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        new_context = browser.new_context

        def context_with_local_assets(*args, **kwargs):
            context = new_context(*args, **kwargs)
            _assets_in_browser(context)
            return context

        browser.new_context = context_with_local_assets  # every context, whichever test makes it
        yield browser
        browser.close()


# Static files (the app's and Bootstrap's) are answered by the browser itself from the same files on disk.
# When a test moves on or closes its page while one is still loading, werkzeug's development server (the
# live server) may leave that file open, and the ResourceWarning (warnings are errors) fails whichever test
# runs when the file object is collected. The journeys test the pages, not the static file server.
ASSET_ROOTS = {
    "/static/": Path(__file__).resolve().parents[2] / "static",
    "/bootstrap/static/": Path(flask_bootstrap.__file__).parent / "static",
}


def _serve_asset(route) -> None:
    path = urlsplit(route.request.url).path
    for prefix, root in ASSET_ROOTS.items():
        if path.startswith(prefix):
            file = (root / path[len(prefix) :]).resolve()
            if file.is_relative_to(root) and file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                route.fulfill(body=file.read_bytes(), content_type=kind)
                return
    route.continue_()


def _assets_in_browser(context) -> None:
    context.route("**/static/**", _serve_asset)


def _watch_csp(page) -> list[str]:
    """Console messages where the browser refused something under the Content-Security-Policy."""
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused = _watch_csp(page)
    yield page
    context.close()
    assert refused == [], "the page broke its Content-Security-Policy"


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    refused = _watch_csp(page)
    yield page
    context.close()
    assert refused == [], "the page broke its Content-Security-Policy"


@pytest.fixture
def live_db(live_app):
    """The live server's database (changes are committed; each test uses fresh employee numbers)."""
    with live_app.app_context():
        yield db
        db.session.remove()


# Chromium fetches these two after the load event, so a step that moves on at once aborts the request;
# werkzeug's server (the live server) may then leave the file open, and the ResourceWarning (warnings
# are errors) fails whichever test runs when the file is collected. The browser answers them itself
# with the same bytes; the journeys do not depend on them.
AFTER_LOAD = {
    "**/static/favicon.svg": Path(__file__).resolve().parents[2] / "static" / "favicon.svg",
    "**/bootstrap/static/icons/bootstrap-icons.svg": Path(flask_bootstrap.__file__).parent
    / "static/bootstrap5/icons/bootstrap-icons.svg",
}


def _answer(body: bytes):
    return lambda route: route.fulfill(body=body, content_type="image/svg+xml")


def _after_load_assets_in_browser(context):
    for pattern, path in AFTER_LOAD.items():
        context.route(pattern, _answer(path.read_bytes()))


def through(page, locator):
    """Click something that loads another page, and wait until that page has loaded (leaving it
    earlier aborts its scripts and styles: see AFTER_LOAD)."""
    with page.expect_navigation():
        locator.click()


@pytest.fixture(autouse=True)
def _quiet_after_load_assets(request):
    for name in ("page", "phone"):
        if name in request.fixturenames:
            _after_load_assets_in_browser(request.getfixturevalue(name).context)


@pytest.fixture
def new_page(browser):
    """More signed-in people at once: each page gets its own context (cookies), CSP watched as in
    the conftest's ``page``."""
    contexts = []
    refused: list[str] = []

    def make():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        _after_load_assets_in_browser(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert refused == [], "a page broke its Content-Security-Policy"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """A live server on the demo organisation as ``flask seed-demo`` makes it, starter content included (its
    own SQLite file, built once for the accessibility and phone checks): (base URL, app, 工号 → password of
    the demo logins)."""
    app = app_in(tmp_path_factory.mktemp("axe"))
    passwords, _codes, _texts = build_demo(app, content=True)
    with serving(app) as url:
        yield url, app, passwords
    remove_demo(app)
    with app.app_context():
        db.engine.dispose()


def pages_of(app, employee_no: str, password: str, language: str) -> list[str]:
    """The HTML pages the language check opens for this login in this language."""
    pages: list[str] = []
    _problems, failures, _opened = crawl(app, employee_no, password, language, lambda _text: [], pages)
    assert failures == []
    return pages


def sign_in(page, base: str, employee_no: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#employee_no", employee_no)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#submit")
