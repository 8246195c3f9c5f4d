"""Every page a role can reach on the demo organisation reads Chinese: no English words, no raw codes.

The demo organisation (``flask seed-demo``'s seeders) is built and committed once for this module. Each demo
login then opens, in zh_CN, every GET page without URL arguments and the same-site links found on the pages
(a bounded crawl), and the visible text of each page is checked for English words and for half-year, quarter,
rule, rating and audit-action codes shown without their words.
"""

from __future__ import annotations

import re
import time
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from core.extensions import db as _db
from core.seeding import seeders
from drills.compliance import RULES
from drills.labels import RATING_LABELS
from tests.conftest import empty_tables

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# The demo logins, one per role (accounts/seed.py DEMO_LOGINS).
ROLE_LOGINS = {"employee": "E0001", "trainer": "T0001", "hr": "H0001", "admin": "A0001"}
MAX_PAGES_PER_ROLE = 300
MAX_SAME_SHAPE = 2  # pages of one shape (/people/<n>?page=…) opened per role

# Never opened: files, calendars, JSON, sign-out, and pages that change the session's language.
SKIP = re.compile(
    r"(\.(pdf|xlsx|csv|ics|json|xml|txt|gift|png|jpg|svg)$)|^/(static|bootstrap|api)/|/logout|/healthz"
    r"|/attachment|/media/|/scans/|/materials/\d+$|/export|/language|/checkin/"
)

# Words a Chinese page may show in Latin letters: acronyms people say as they are, file formats, units and
# product names (compared without case).
ALLOWED_WORDS = {
    word.upper()
    for word in (
        "GridReady",
        "QR",
        "PDF",
        "Excel",
        "xlsx",
        "GIFT",
        "Moodle",
        "XML",
        "CSV",
        "ID",
        "SMTP",
        "IP",
        "HTML",
        "JPEG",
        "PNG",
        "KB",
        "MB",
        "Office",
        "English",  # the language chooser names each language in its own words
    )
}

# Known exceptions, each with its reason (keep this short).
ALLOWED_TEXT: list[tuple[str, str]] = []

# Templates that mark raw data with translate="no" (the crawl does not read inside it), each with its reason.
RAW_DATA_TEMPLATES = {
    "accounts/admin/audit.html": "an audit entry's details: the recorded field names and values, as stored",
}

_STANDARD = re.compile(r"\b[A-Z]{1,4}/T\s?\d")  # a standard's number: GB/T 32134, DL/T 1470
_EXTENSION = re.compile(r"(?<![\w])\.(ics|xlsx|csv|pdf|xml|gift|txt)\b", re.I)
_URL = re.compile(r"https?://[A-Za-z0-9._/?=&%#:-]+|(?<![\w/])/[A-Za-z0-9._/?=&%#:-]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_FILE = re.compile(r"[\w.-]+\.(xlsx|xls|csv|pdf|xml|txt|gift|docx?|png|jpe?g|ics)\b", re.I)
_CODE_WITH_DIGITS = re.compile(r"\b(?=[\w-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b")
_WORD = re.compile(r"(?<![\w])[A-Za-z]{2,}(?![\w])")
_HALF_YEAR = re.compile(r"(?<![\w-])\d{4}\s*H[12](?![\w-])")
_QUARTER = re.compile(r"(?<![\w-])\d{4}(\s+|-)?Q[1-4](?![\w-])")
_RULE = re.compile(r"(?<![\w])R([1-5])(?![\w])")
_RATING = re.compile(r"(?<![\w])([PSMU])(?![\w])")
_AUDIT_CODE = re.compile(r"(?<![\w.])[a-z_]+\.[a-z_]+(?![\w.])")


class _VisibleText(HTMLParser):
    """The text a reader sees (no scripts, styles or templates), plus placeholders and tooltips; and the links."""

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
        self._raw: list[str] = []  # open elements marked translate="no" (see RAW_DATA_TEMPLATES)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if (
            self._raw
            and tag == self._raw[-1]
            and tag not in self.VOID
            or attrs.get("translate") == "no"
            and tag not in self.VOID
        ):
            self._raw.append(tag)
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
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


def _followed_by(text: str, end: int, words: str) -> bool:
    """Whether ``words`` (a number where they hold ``%(n)d``) come next in ``text`` after ``end``."""
    pattern = re.sub(r"%\\\(\w+\\\)d", r"\\d+", re.escape(words))
    return re.match(r"\s*" + pattern, text[end:]) is not None


def problems_in(
    text: str, rule_titles: dict[str, str], rating_words: dict[str, str], codes: frozenset[str] = frozenset()
) -> list[str]:
    """What a Chinese reader would trip over in ``text``: English words and codes without their words.
    ``codes``: the record codes the organisation gave its data (department, position, rule codes), allowed."""
    found = [m.group(0) for m in _HALF_YEAR.finditer(text)]
    found += [m.group(0) for m in _QUARTER.finditer(text)]
    found += [
        m.group(0) for m in _RULE.finditer(text) if not _followed_by(text, m.end(), rule_titles[m.group(0)])
    ]
    found += [
        m.group(0)
        for m in _RATING.finditer(text)
        if not _followed_by(text, m.end(), rating_words[m.group(0)])
    ]
    found += [m.group(0) for m in _AUDIT_CODE.finditer(_FILE.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", text))))]
    plain = _EXTENSION.sub(" ", _FILE.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", _STANDARD.sub(" ", text)))))
    plain = _CODE_WITH_DIGITS.sub(" ", plain)
    found += [w for w in _WORD.findall(plain) if w.upper() not in ALLOWED_WORDS and w not in codes]
    return found


def _around(text: str, word: str) -> str:
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


def _record_codes() -> frozenset[str]:
    """The pieces of every code the demo organisation gave its records (HY-KF-1, CSR, COMPLAINT …): shown
    beside a record's name as its tag, they are data, not English."""
    pieces = set()
    for table in _db.metadata.sorted_tables:
        if "code" in table.columns:
            for (code,) in _db.session.execute(sa.select(table.c.code)):
                pieces |= set(re.split(r"[^A-Za-z]+", code or ""))
    return frozenset(pieces - {""})


@pytest.fixture(scope="module")
def demo(app):
    """The demo organisation, committed; returns (工号 → password of the demo logins, the record codes)."""
    with app.app_context():
        lines: list[str] = []
        for seeder in seeders(app):
            seeder.run(lines.append)
            _db.session.flush()
        _db.session.commit()
        _db.session.remove()
        codes = _record_codes()
    passwords = {}
    for line in lines:
        fields = line.split()
        if fields and fields[0] in ROLE_LOGINS.values():
            passwords[fields[0]] = fields[1]
    yield passwords, codes
    with app.app_context():
        empty_tables()


def crawl(
    app, employee_no: str, password: str, codes=frozenset()
) -> tuple[dict[str, list[str]], list[str], int]:
    """Open the pages one login reaches; returns (url → problems, urls that failed, pages opened)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = client.post("/login", data={"employee_no": employee_no, "password": password})
    assert response.status_code == 302, employee_no
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        rule_titles = {rule.code: str(rule.title) for rule in RULES}
        rating_words = {code: str(label) for code, label in RATING_LABELS.items()}
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
        page = _VisibleText()
        page.feed(response.get_data(as_text=True))
        text = "\n".join(page.parts)
        for allowed, _reason in ALLOWED_TEXT:
            text = text.replace(allowed, " ")
        found = problems_in(text, rule_titles, rating_words, codes)
        if found:
            problems[url] = sorted({f"{word} «{_around(text, word)}»" for word in found})
        for href in page.links:
            target = _same_site(url, href)
            if target and target not in seen:
                queue.append(target)
    return problems, failures, opened


@pytest.mark.parametrize("role", list(ROLE_LOGINS))
def test_every_page_reads_chinese(app, demo, role):
    started = time.monotonic()
    passwords, codes = demo
    problems, failures, opened = crawl(app, ROLE_LOGINS[role], passwords[ROLE_LOGINS[role]], codes)
    elapsed = time.monotonic() - started
    print(f"{role}: {opened} pages in {elapsed:.1f} s")
    assert failures == []
    by_word: dict[str, list[str]] = {}
    for url, words in problems.items():
        for word in words:
            by_word.setdefault(word, []).append(url)
    assert {word: f"{len(urls)} pages, e.g. {urls[0]}" for word, urls in sorted(by_word.items())} == {}
    assert opened >= 10


def test_raw_data_is_marked_only_where_listed():
    marked = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if 'translate="no"' in path.read_text(encoding="utf-8")
    }
    assert marked == set(RAW_DATA_TEMPLATES)


def test_the_check_sees_codes_and_english():
    rules = {"R3": "每半年覆盖四类演练内容", "R4": "%(days)d天内出具评估报告"}
    ratings = {"P": "顺利完成", "S": "基本完成", "M": "勉强完成", "U": "未能完成"}
    assert problems_in("2026H2 演练", rules, ratings) == ["2026H2"]
    assert problems_in("2026-Q3 排行", rules, ratings) == ["2026-Q3"]
    assert problems_in("2026 Q3 排行", rules, ratings) == ["2026 Q3"]
    assert problems_in("证书编号 FWZX-2026-Q3-00002", rules, ratings, frozenset({"FWZX"})) == []
    assert problems_in("尚未满足：R3。", rules, ratings) == ["R3"]
    assert problems_in("R3 每半年覆盖四类演练内容；R4 15天内出具评估报告", rules, ratings) == []
    assert problems_in("评级：S", rules, ratings) == ["S"]
    assert problems_in("评级：S 基本完成", rules, ratings) == []
    assert "user.update" in problems_in("操作 user.update", rules, ratings)
    assert problems_in("Save 保存", rules, ratings) == ["Save"]
    assert (
        problems_in("工号 KF0012，文件 题库.xlsx，网址 https://a.b/c，QR，(GB/T32134-2015)", rules, ratings)
        == []
    )
