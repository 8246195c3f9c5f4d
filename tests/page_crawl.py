"""The every-page language checks' shared machinery: the demo organisation built once per test module, a
bounded crawl of the pages one demo login reaches in a given language, and the text a reader sees on a page.

Used by ``tests/test_pages_read_chinese.py`` (zh_CN: no English words, no bare codes) and its English
counterpart in the same module (en: no Chinese outside the organisation's own data and marked glosses)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

from core.cli import run_content
from core.extensions import db as _db
from core.seeding import content_parts, seeders
from tests.conftest import empty_tables

# The demo logins, one per role (accounts/seed.py DEMO_LOGINS).
ROLE_LOGINS = {"employee": "E0001", "trainer": "T0001", "hr": "H0001", "admin": "A0001"}
MAX_PAGES_PER_ROLE = 300
MAX_SAME_SHAPE = 2  # pages of one shape (/people/<n>?page=…) opened per role

# Never opened: files, calendars, JSON, sign-out, and pages that change the session's language.
SKIP = re.compile(
    r"(\.(pdf|xlsx|csv|ics|json|xml|txt|gift|png|jpg|svg)$)|^/(static|bootstrap|api)/|/logout|/healthz"
    r"|/attachment|/media/|/scans/|/materials/\d+$|/export|/language|/checkin/"
)


class VisibleText(HTMLParser):
    """The text a reader sees (no scripts, styles or templates), plus placeholders and tooltips; and the links.
    Not read: elements marked translate="no" (raw data) and deliberate Chinese glosses marked lang="zh…"."""

    HIDDEN = {"script", "style", "template", "noscript"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._raw: list[str] = []  # open elements marked translate="no" or lang="zh" (a gloss)

    def _unread(self, tag: str, attrs: dict) -> bool:
        gloss = tag != "html" and (attrs.get("lang") or "").startswith("zh")
        return tag not in self.VOID and (attrs.get("translate") == "no" or gloss)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if self._raw and tag == self._raw[-1] and tag not in self.VOID or self._unread(tag, attrs):
            self._raw.append(tag)
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        if self._raw:
            return
        for name in ("placeholder", "title", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if self._raw and tag == self._raw[-1]:
            self._raw.pop()

    def handle_data(self, data):
        if not self._hidden and not self._raw and data.strip():
            self.parts.append(data.strip())


def around(text: str, word: str) -> str:
    at = text.find(word)
    return " ".join(text[max(at - 25, 0) : at + len(word) + 25].split())


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def _same_site(base: str, href: str) -> str | None:
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin("http://localhost" + base, href))
    if parts.netloc not in ("", "localhost") or SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _start_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not SKIP.search(rule.rule):
            urls.append(rule.rule)
    return sorted(urls)


def record_codes() -> frozenset[str]:
    """The pieces of every code the demo organisation gave its records (HY-KF-1, CSR, COMPLAINT …): shown
    beside a record's name as its tag, they are data, not English."""
    pieces = set()
    for table in _db.metadata.sorted_tables:
        if "code" in table.columns:
            for (code,) in _db.session.execute(sa.select(table.c.code)):
                pieces |= set(re.split(r"[^A-Za-z]+", code or ""))
    return frozenset(pieces - {""})


def stored_texts() -> list[str]:
    """Every text value stored in the database: the organisation's own data (names, titles, questions …),
    including the strings inside JSON columns (a question's options and key)."""
    texts = []
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
        if columns:
            for row in _db.session.execute(sa.select(*columns)):
                for value in row:
                    texts += _strings(value)
    return texts


def _strings(value) -> list[str]:
    """The non-empty strings in a stored value (a JSON value's, at any depth)."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def build_demo(app, *, content: bool = False) -> tuple[dict[str, str], frozenset[str], list[str]]:
    """Seed and commit the demo organisation; returns (工号 → password of the demo logins, the record codes,
    the stored texts). ``empty_tables()`` undoes it. With ``content`` the guide's starter content (questions,
    courses, plans, point rules) goes in first, as ``flask seed-demo`` does: the demo then has exams, a
    practice bank and the pages that need them."""
    with app.app_context():
        if content:
            run_content(content_parts(app), echo=lambda _line: None)
        lines: list[str] = []
        for seeder in seeders(app):
            seeder.run(lines.append)
            _db.session.flush()
        _db.session.commit()
        _db.session.remove()
        codes, texts = record_codes(), stored_texts()
    passwords = {}
    for line in lines:
        fields = line.split()
        if fields and fields[0] in ROLE_LOGINS.values():
            passwords[fields[0]] = fields[1]
    return passwords, codes, texts


def remove_demo(app) -> None:
    with app.app_context():
        empty_tables()


def crawl(
    app,
    employee_no: str,
    password: str,
    language: str,
    check: Callable[[str], list[str]],
    html_pages: list[str] | None = None,
) -> tuple[dict[str, list[str]], list[str], int]:
    """Open the pages one login reaches with ``language`` as the browser's; ``check`` gives what is wrong in
    a page's visible text. Returns (url → problems, urls that failed, pages opened); the URL of each HTML
    page opened is appended to ``html_pages`` when given (the accessibility scan opens the same pages)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post("/login", data={"employee_no": employee_no, "password": password})
    assert response.status_code == 302, employee_no
    queue, seen, shapes = deque(_start_urls(app)), set(), {}
    problems: dict[str, list[str]] = {}
    failures: list[str] = []
    opened = 0
    while queue and opened < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        shape = _shape(url)
        if url in seen or shapes.get(shape, 0) >= MAX_SAME_SHAPE:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        opened += 1
        if response.status_code in (301, 302, 303):
            target = _same_site(url, response.headers["Location"])
            if target:
                queue.append(target)
            continue
        if response.status_code >= 500:
            failures.append(f"{url} → {response.status_code}")
        if response.mimetype != "text/html":
            continue
        if html_pages is not None:
            html_pages.append(url)
        page = VisibleText()
        page.feed(response.get_data(as_text=True))
        found = check("\n".join(page.parts))
        if found:
            problems[url] = found
        for href in page.links:
            target = _same_site(url, href)
            if target and target not in seen:
                queue.append(target)
    return problems, failures, opened


def by_word(problems: dict[str, list[str]]) -> dict[str, str]:
    """Each problem once, with how many pages show it and one of them."""
    pages: dict[str, list[str]] = {}
    for url, words in problems.items():
        for word in words:
            pages.setdefault(word, []).append(url)
    return {word: f"{len(urls)} pages, e.g. {urls[0]}" for word, urls in sorted(pages.items())}
