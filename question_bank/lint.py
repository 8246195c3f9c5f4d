"""Item-writing lint: the cues that let a test-wise candidate answer without knowing the content.

The rules and where they come from are described for trainers in docs/item-writing.md. This module works on
plain ``LintItem`` values, so the same checks run on stored questions (the bank's lint page and
``flask questions lint``), on a parsed import file (the import check page) and on an exported bank (the
starter bank's acceptance test).

Bank-level figures (``bank_figures``) measure how far a guesser gets with one cue across many items; item
findings (``lint_items``) name each item that shows a cue, with a severity.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import User
from core.extensions import db
from question_bank.answer_text import normalise_answer, plain_text
from question_bank.categories import visible_category_clause
from question_bank.models import Category, Question, QuestionStatus

# Absolute words (绝对词) that test-wise candidates take for "this statement is false".
ABSOLUTE_WORDS = ("只", "仅", "无需", "不需", "一律", "所有", "全部", "任何", "绝对", "完全", "一切", "总是",
                  "从不", "必然", "一定", "唯一", "均", "无论", "不得", "都")  # fmt: skip
# Options that cover the other options instead of stating a fact (Haladyna et al. 2002, guideline 25).
COVER_ALL = ("以上都对", "以上都不对", "以上均正确", "以上均不正确", "以上全对", "以上都是", "以上都不是",
             "以上皆是", "以上皆非", "all of the above", "none of the above")  # fmt: skip
MIN_LEAK_CHARS = 3  # a key text shorter than this (after compacting) is too common to count as a leak

# Severities, most serious first.
ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

# Finding codes (the page and docs/item-writing.md describe each).
LONGEST_KEY = "longest_key"
ABSOLUTE_WORD = "absolute_word"
POSITION_BIAS = "position_bias"
MOST_OPTIONS_RIGHT = "most_options_right"
KEY_LEAK = "key_leak"
NEAR_DUPLICATE = "near_duplicate"
COVER_ALL_OPTION = "cover_all_option"
CODES = (LONGEST_KEY, ABSOLUTE_WORD, POSITION_BIAS, MOST_OPTIONS_RIGHT, KEY_LEAK, NEAR_DUPLICATE,
         COVER_ALL_OPTION)  # fmt: skip


@dataclass
class LintItem:
    """What the lint needs to know about one question."""

    ref: str  # how a finding names it: the question id, or "row 5" in a file
    type: str
    stem_html: str
    options: list[dict] = field(default_factory=list)
    key: dict = field(default_factory=dict)
    category: str = ""
    question_id: int | None = None

    @property
    def stem(self) -> str:
        return plain_text(self.stem_html)

    def option_text(self, option: dict) -> str:
        return plain_text(option.get("html", ""))

    def correct_ids(self) -> list[str]:
        return list(self.key.get("correct") or [])


@dataclass
class Finding:
    """One cue shown by one item (or, for ``position_bias``, by a category): ``detail`` holds the facts a
    page or script words (``labels.lint_message``); ``other_refs`` the items it concerns besides ``ref``."""

    ref: str
    code: str
    severity: str
    detail: dict = field(default_factory=dict)
    question_id: int | None = None
    other_refs: list[str] = field(default_factory=list)
    other_question_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "ref": self.ref,
            "question_id": self.question_id,
            "code": self.code,
            "severity": self.severity,
            "detail": self.detail,
            "others": self.other_refs,
            "other_question_ids": self.other_question_ids,
        }


def _compact(text: str) -> str:
    """Text for substring comparison: NFKC, case-folded, punctuation and spaces removed."""
    return normalise_answer(unicodedata.normalize("NFKC", text), ignore_punctuation=True).replace(" ", "")


def _length(text: str) -> int:
    return len(_compact(text))


# ---------------------------------------------------------------- single cues


def longest_option(item: LintItem) -> str | None:
    """The id of the one strictly longest option, or None when two or more share the greatest length."""
    lengths = [(_length(item.option_text(o)), o.get("id")) for o in item.options]
    if len(lengths) < 2:
        return None
    lengths.sort(reverse=True)
    return lengths[0][1] if lengths[0][0] > lengths[1][0] else None


def absolute_words(text: str) -> list[str]:
    return [word for word in ABSOLUTE_WORDS if word in text]


def marks_most(item: LintItem) -> bool:
    """A multiple-choice key marking more than half of the options right."""
    return bool(item.options) and len(item.correct_ids()) * 2 > len(item.options)


def key_needles(item: LintItem) -> list[tuple[str, ...]]:
    """What would print an item's key if it stood in another item's stem: for single choice the right
    option's text; for multiple choice all the right options' texts together (one printed option gives no
    answer away); for fill-in each blank's first accepted answer. Texts are compacted; too short ones
    (``MIN_LEAK_CHARS``, after compacting: 服务, 一般 …) are everywhere and do not count."""
    if item.type in ("single", "multiple"):
        correct = set(item.correct_ids())
        texts = tuple(_compact(item.option_text(o)) for o in item.options if o.get("id") in correct)
        if not texts or sum(len(t) for t in texts) < MIN_LEAK_CHARS or not all(texts):
            return []
        return [texts] if item.type == "multiple" else [(t,) for t in texts if len(t) >= MIN_LEAK_CHARS]
    if item.type == "fill":
        answers = (_compact(blank[0]) for blank in item.key.get("blanks") or [] if blank)
        return [(a,) for a in answers if len(a) >= MIN_LEAK_CHARS]
    return []


def printed_text(item: LintItem) -> str:
    """What the paper prints for an item and a reader can see without answering it: the stem."""
    return _compact(item.stem)


def leaks_into(item: LintItem, stem: str) -> bool:
    """Whether ``stem`` (compacted) prints the key of ``item``."""
    return any(all(text in stem for text in needle) for needle in key_needles(item))


def _stems_holding(text: str, joined: str, starts: list[int]) -> set[int]:
    """Indexes of the stems (joined with NUL, starting at ``starts``) that contain ``text``."""
    found: set[int] = set()
    position = joined.find(text)
    while position != -1:
        index = bisect.bisect_right(starts, position) - 1
        found.add(index)
        position = joined.find(text, starts[index + 1] if index + 1 < len(starts) else len(joined))
    return found


def leaks(items: Sequence[LintItem]) -> dict[int, list[int]]:
    """Index of an item → indexes of the other items whose printed stem holds its key."""
    printed = [printed_text(item) for item in items]
    joined = "\x00".join(printed)
    starts, offset = [], 0
    for stem in printed:
        starts.append(offset)
        offset += len(stem) + 1
    found: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        others: set[int] = set()
        for needle in key_needles(item):
            candidates = _stems_holding(needle[0], joined, starts)
            others |= {j for j in candidates if all(text in printed[j] for text in needle[1:])}
        others.discard(index)
        if others:
            found[index] = sorted(others)
    return found


def cover_all(item: LintItem) -> bool:
    return any(_compact(item.option_text(o)) in {_compact(c) for c in COVER_ALL} for o in item.options)


def _bigrams(text: str) -> set[str]:
    compact = _compact(text)
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


NEAR_DUPLICATE_LIMIT = 5000  # above this many items the pairwise comparison is skipped (it grows with n²)


def near_duplicates(items: Sequence[LintItem], threshold: float = 0.8) -> list[tuple[int, int]]:
    """Pairs of items whose stems share at least ``threshold`` of their character bigrams (Jaccard); nothing
    for more than ``NEAR_DUPLICATE_LIMIT`` items."""
    if len(items) > NEAR_DUPLICATE_LIMIT:
        return []
    grams = [_bigrams(item.stem) for item in items]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            index[gram].append(i)
    pairs = []
    for i, g in enumerate(grams):
        if len(g) < 4:
            continue
        shared: Counter = Counter()
        for gram in g:
            for j in index[gram]:
                if j > i:
                    shared[j] += 1
        for j, common in shared.items():
            union = len(g) + len(grams[j]) - common
            if union and common / union >= threshold:
                pairs.append((i, j))
    return pairs


# ---------------------------------------------------------------- bank figures


@dataclass
class BankFigures:
    """How far one cue takes a guesser over a set of items (shares from 0 to 1; None when nothing to measure)."""

    single_count: int = 0
    longest_is_key: float | None = None  # of single-choice items with one longest option
    truefalse_count: int = 0
    absolute_rule: float | None = None  # best of "absolute word → false" and its reverse
    truefalse_true_share: float | None = None
    key_letter_share: dict[str, dict[str, float]] = field(default_factory=dict)  # type → letter → share
    multiple_count: int = 0
    most_marked: float | None = None
    key_in_other_stem: float | None = None  # of single-choice items

    def max_letter_share(self, qtype: str) -> float:
        return max(self.key_letter_share.get(qtype, {}).values(), default=0.0)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _letter_shares(items: Iterable[LintItem]) -> dict[str, float]:
    letters: Counter = Counter()
    for item in items:
        letters.update(item.correct_ids())
    total = sum(letters.values())
    return {letter: count / total for letter, count in sorted(letters.items())} if total else {}


def bank_figures(items: Sequence[LintItem]) -> BankFigures:
    """The figures of issue 15 §1 over ``items``."""
    figures = BankFigures()
    singles = [i for i in items if i.type == "single"]
    figures.single_count = len(singles)
    with_longest = [(i, longest_option(i)) for i in singles]
    with_longest = [(i, longest) for i, longest in with_longest if longest is not None]
    figures.longest_is_key = _share(
        sum(1 for i, lo in with_longest if lo in i.correct_ids()), len(with_longest)
    )
    tfs = [i for i in items if i.type == "truefalse"]
    figures.truefalse_count = len(tfs)
    rule_right = sum(1 for i in tfs if bool(absolute_words(i.stem)) != bool(i.key.get("answer")))
    rule = _share(rule_right, len(tfs))
    figures.absolute_rule = max(rule, 1 - rule) if rule is not None else None
    figures.truefalse_true_share = _share(sum(1 for i in tfs if i.key.get("answer")), len(tfs))
    multiples = [i for i in items if i.type == "multiple"]
    figures.multiple_count = len(multiples)
    figures.key_letter_share = {"single": _letter_shares(singles), "multiple": _letter_shares(multiples)}
    figures.most_marked = _share(sum(1 for i in multiples if marks_most(i)), len(multiples))
    leaked = leaks(items)
    single_indexes = [n for n, i in enumerate(items) if i.type == "single"]
    figures.key_in_other_stem = _share(sum(1 for n in single_indexes if n in leaked), len(single_indexes))
    return figures


# ---------------------------------------------------------------- item findings


def _position_bias(items: Sequence[LintItem], limit: float = 0.35, minimum: int = 8) -> list[Finding]:
    """One finding per category and choice type whose keys sit on one letter more than ``limit`` of the time."""
    groups: dict[tuple[str, str], list[LintItem]] = defaultdict(list)
    for item in items:
        if item.type in ("single", "multiple"):
            groups[(item.category, item.type)].append(item)
    findings = []
    for (category, qtype), members in sorted(groups.items()):
        if len(members) < minimum:
            continue
        shares = _letter_shares(members)
        letter, share = max(shares.items(), key=lambda kv: kv[1], default=("", 0.0))
        if share > limit:
            findings.append(
                Finding(
                    ref=category or "-",
                    code=POSITION_BIAS,
                    severity=INFO,
                    detail={
                        "type": qtype,
                        "letter": letter,
                        "percent": round(share * 100),
                        "items": len(members),
                    },
                    other_refs=[m.ref for m in members if letter in m.correct_ids()],
                    other_question_ids=[
                        m.question_id for m in members if letter in m.correct_ids() and m.question_id
                    ],
                )
            )
    return findings


def _item_findings(item: LintItem) -> list[Finding]:
    found = []

    def add(code: str, severity: str, **detail) -> None:
        found.append(Finding(item.ref, code, severity, detail, item.question_id))

    if item.type == "single" and longest_option(item) in item.correct_ids():
        add(LONGEST_KEY, WARNING, option=longest_option(item))
    if item.type == "truefalse":
        words = absolute_words(item.stem)
        if words and not item.key.get("answer"):
            add(ABSOLUTE_WORD, WARNING, words="、".join(words))
    if item.type == "multiple" and marks_most(item):
        add(MOST_OPTIONS_RIGHT, INFO, right=len(item.correct_ids()), options=len(item.options))
    if item.type in ("single", "multiple") and cover_all(item):
        add(COVER_ALL_OPTION, WARNING)
    return found


def lint_items(items: Sequence[LintItem]) -> list[Finding]:
    """Every finding over ``items``, most serious first, then in item order."""
    findings: list[Finding] = []
    for item in items:
        findings.extend(_item_findings(item))
    for index, others in leaks(items).items():
        item = items[index]
        findings.append(
            Finding(
                item.ref,
                KEY_LEAK,
                ERROR,
                {},
                item.question_id,
                [items[j].ref for j in others],
                [items[j].question_id for j in others if items[j].question_id],
            )
        )
    for i, j in near_duplicates(items):
        findings.append(
            Finding(
                items[i].ref,
                NEAR_DUPLICATE,
                WARNING,
                "",
                items[i].question_id,
                [items[j].ref],
                [items[j].question_id] if items[j].question_id else [],
            )  # fmt: skip
        )
    findings.extend(_position_bias(items))
    order = {item.ref: n for n, item in enumerate(items)}
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], order.get(f.ref, len(order)), f.code))
    return findings


# ---------------------------------------------------------------- building items


def parsed_items(questions) -> list[LintItem]:
    """Lint items for the questions of a parsed import file (named by their row or name)."""
    return [
        LintItem(
            ref=q.label(),
            type=q.type,
            stem_html=q.stem_html,
            options=q.options,
            key=q.key,
            category="/".join(q.category_path),
        )  # fmt: skip
        for q in questions
    ]


def stored_items(questions) -> list[LintItem]:
    """Lint items for stored questions (their current versions), named ``#id``."""
    return [
        LintItem(
            ref=f"#{q.id}",
            type=q.current_version.type,
            stem_html=q.current_version.stem_html,
            options=q.current_version.options or [],
            key=q.current_version.key or {},
            category=q.category.name if q.category else "",
            question_id=q.id,
        )  # fmt: skip
        for q in questions
        if q.current_version is not None
    ]


def bank_items(user: User | None = None) -> list[LintItem]:
    """The bank's drafts and published questions (those ``user`` may edit; all without a user), in id order."""
    query = (
        select(Question)
        .options(selectinload(Question.current_version), selectinload(Question.category))
        .where(Question.status != QuestionStatus.RETIRED, Question.type != "description")
        .order_by(Question.id)
    )
    if user is not None:
        query = query.join(Category, Question.category_id == Category.id).where(visible_category_clause(user))
    return stored_items(db.session.scalars(query))
