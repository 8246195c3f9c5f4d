"""Every page a role can reach on the demo organisation reads in its language.

The demo organisation (``flask seed-demo``'s seeders) is built and committed once for this module, and both
checks crawl it (``tests/page_crawl.py``): each demo login opens every GET page without URL arguments and the
same-site links found on the pages (a bounded crawl).
- In zh_CN, the visible text of each page is checked for English words and for half-year, quarter, rule,
  rating and audit-action codes shown without their words.
- In English, no Chinese outside the organisation's own data (names, titles, question texts … as stored) and
  the deliberate glosses marked ``lang="zh"`` in templates.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from drills.compliance import RULES
from drills.labels import RATING_LABELS
from tests.page_crawl import ROLE_LOGINS, around, build_demo, by_word, crawl, remove_demo

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

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
        "Word",  # the Word (.docx) import
        "docx",
        "English",  # the language chooser names each language in its own words
    )
}

# Known exceptions, each with its reason (keep this short).
ALLOWED_TEXT: list[tuple[str, str]] = []

# Templates that mark raw data with translate="no" (the crawl does not read inside it), each with its reason.
RAW_DATA_TEMPLATES = {
    "incentives/_macros.html": "an avatar's initial: the first character of the person's name",
    "accounts/admin/audit.html": "an audit entry's details: the recorded field names and values, as stored",
    "reports/deliveries.html": "a failed report delivery's error, as the mail server or the code worded it",
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


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


def chinese_in(text: str, data_runs: frozenset[str]) -> list[str]:
    """The runs of Chinese in an English page's ``text`` that are not runs of the organisation's stored data
    (``data_runs``: every run of Chinese in a stored text; a shortened one counts from four characters)."""
    found = []
    for run in _CJK.findall(text):
        if run in data_runs or len(run) >= 4 and any(run in d for d in data_runs if len(d) > len(run)):
            continue
        found.append(run)
    return found


# Chinese an English page shows on purpose, each with its reason (keep this short).
ALLOWED_TEXT_EN: list[tuple[str, str]] = [
    ("e.g. 答出2小时（1分）", "the rubric syntax people type: a line ends with its points as （N分）"),
    ("e.g. （2分）", "the same rubric syntax, in the message refusing a line without it"),
    ("commas or 、", "the Chinese enumeration comma is accepted between knowledge points"),
    ("Separate with 、", "the same separator, on the question form"),
]


@pytest.fixture(scope="module")
def demo(app):
    """The demo organisation, committed: (工号 → password of the demo logins, record codes, data runs)."""
    passwords, codes, texts = build_demo(app)
    runs = frozenset(run for text in texts for run in _CJK.findall(text))
    yield passwords, codes, runs
    remove_demo(app)


def _check_chinese(app, codes):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        rule_titles = {rule.code: str(rule.title) for rule in RULES}
        rating_words = {code: str(label) for code, label in RATING_LABELS.items()}

    def check(text: str) -> list[str]:
        for allowed, _reason in ALLOWED_TEXT:
            text = text.replace(allowed, " ")
        found = problems_in(text, rule_titles, rating_words, codes)
        return sorted({f"{word} «{around(text, word)}»" for word in found})

    return check


@pytest.mark.parametrize("role", list(ROLE_LOGINS))
def test_every_page_reads_chinese(app, demo, role):
    started = time.monotonic()
    passwords, codes, _runs = demo
    employee_no = ROLE_LOGINS[role]
    problems, failures, opened = crawl(
        app, employee_no, passwords[employee_no], "zh-CN", _check_chinese(app, codes)
    )
    print(f"{role}: {opened} pages in {time.monotonic() - started:.1f} s")
    assert failures == []
    found = by_word(problems)
    assert not found, "\n".join(f"{word}: {pages}" for word, pages in found.items())
    assert opened >= 10


@pytest.mark.parametrize("role", list(ROLE_LOGINS))
def test_every_page_reads_english(app, demo, role):
    started = time.monotonic()
    passwords, _codes, runs = demo
    employee_no = ROLE_LOGINS[role]

    def check(text: str) -> list[str]:
        for allowed, _reason in ALLOWED_TEXT_EN:
            text = text.replace(allowed, " ")
        return sorted({f"{run} «{around(text, run)}»" for run in chinese_in(text, runs)})

    problems, failures, opened = crawl(app, employee_no, passwords[employee_no], "en", check)
    print(f"{role}: {opened} pages in {time.monotonic() - started:.1f} s")
    assert failures == []
    found = by_word(problems)
    assert not found, "\n".join(f"{word}: {pages}" for word, pages in found.items())
    assert opened >= 10


def test_the_english_check_sees_chinese_outside_data():
    data = frozenset({"张伟", "大面积停电应急演练", "客服中心"})
    assert chinese_in("Drill 大面积停电应急演练 by 张伟", data) == []
    assert chinese_in("Tier: 良好", data) == ["良好"]
    assert chinese_in("Drill 大面积停电应急… (shortened)", data) == []
    assert chinese_in("Unit 客服", data) == ["客服"]


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
