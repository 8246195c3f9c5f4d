"""Answer text in comparable form, shared with exams' grading: fill-in-the-blank comparison, stem duplicate
keys and plain text for search.

Rules (issue 3): trim, full-width → half-width (NFKC), collapse inner whitespace, case-fold unless the key
is case-sensitive, and drop punctuation (ASCII and CJK) when the key says ``ignore_punctuation``.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


# Punctuation and symbols (ASCII and CJK): every character that is neither a letter nor a digit.
_PUNCTUATION = re.compile(r"[\W_]+")


def normalise_answer(
    text: str | None, *, ignore_punctuation: bool = True, case_sensitive: bool = False
) -> str:
    """A blank's answer in comparable form: NFKC (full-width → half-width), trimmed, single spaces,
    case-folded unless ``case_sensitive``, punctuation removed when ``ignore_punctuation``."""
    value = unicodedata.normalize("NFKC", text or "")
    if ignore_punctuation:
        value = _PUNCTUATION.sub(" ", value)
    value = _SPACE.sub(" ", value).strip()
    if not case_sensitive:
        value = value.casefold()
    return value


def fill_blank_correct(given: str | None, accepted: Sequence[str], key: dict) -> bool:
    """True when ``given`` matches one of the ``accepted`` answers for one blank under ``key``'s rules."""
    ignore = bool(key.get("ignore_punctuation", True))
    case = bool(key.get("case_sensitive", False))
    answer = normalise_answer(given, ignore_punctuation=ignore, case_sensitive=case)
    if not answer:
        return False
    return any(
        answer == normalise_answer(a, ignore_punctuation=ignore, case_sensitive=case) for a in accepted
    )


def unordered_groups(key: dict) -> list[list[int]]:
    """The key's any-order groups as lists of 0-based blank indexes (stored 1-based, as the stem numbers
    its blanks ``{{1}}``, ``{{2}}`` …); malformed entries are ignored."""
    groups = []
    for group in key.get("unordered") or []:
        if isinstance(group, list):
            indexes = [n - 1 for n in group if isinstance(n, int) and not isinstance(n, bool) and n >= 1]
            if len(indexes) >= 2:
                groups.append(indexes)
    return groups


def _group_right(given: Sequence[str], blanks: Sequence[Sequence[str]], group: list[int], key: dict) -> int:
    """Right answers in an any-order group: the largest matching of the words given in the group's blanks to
    the group's blanks, each distinct word counted once (writing one right word twice scores it once)."""
    ignore = bool(key.get("ignore_punctuation", True))
    case = bool(key.get("case_sensitive", False))
    words: list[str] = []
    seen: set[str] = set()
    for index in group:
        value = given[index] if index < len(given) else ""
        norm = normalise_answer(value, ignore_punctuation=ignore, case_sensitive=case)
        if norm and norm not in seen:
            seen.add(norm)
            words.append(value)
    targets = [j for j in group if j < len(blanks)]
    fits = [[j for j in targets if fill_blank_correct(word, blanks[j], key)] for word in words]
    owner: dict[int, int] = {}

    def place(word: int, tried: set[int]) -> bool:  # augmenting path (groups are small)
        for blank in fits[word]:
            if blank not in tried:
                tried.add(blank)
                if blank not in owner or place(owner[blank], tried):
                    owner[blank] = word
                    return True
        return False

    return sum(1 for word in range(len(words)) if place(word, set()))


def fill_blanks_score(given: Sequence[str], key: dict) -> tuple[int, int]:
    """(blanks right, blanks total) for a fill-in question's answers in blank order. Blanks of an
    any-order group (``key["unordered"]``) take the group's right words in any order, each word once."""
    blanks = key.get("blanks") or []
    grouped = {index for group in unordered_groups(key) for index in group}
    right = sum(_group_right(given, blanks, group, key) for group in unordered_groups(key))
    for index, accepted in enumerate(blanks):
        if index in grouped:
            continue
        value = given[index] if index < len(given) else ""
        if fill_blank_correct(value, accepted, key):
            right += 1
    return right, len(blanks)


def plain_text(stem_html: str) -> str:
    """The visible text of a stem: tags removed, entities decoded, whitespace collapsed."""
    text = html.unescape(_TAG.sub(" ", stem_html or ""))
    text = re.sub(r"\{\{\d+\}\}", "___", text)
    return _SPACE.sub(" ", text).strip()


def stem_search_text(stem_html: str) -> str:
    """The stem as stored in ``Question.stem_text``: plain text, NFKC, case-folded (for LIKE search)."""
    return unicodedata.normalize("NFKC", plain_text(stem_html)).casefold()


def duplicate_key(stem_html: str) -> str:
    """A hash of the stem with tags, width, whitespace, punctuation and case removed: equal keys = duplicates."""
    text = normalise_answer(plain_text(stem_html).replace("___", ""), ignore_punctuation=True)
    text = text.replace(" ", "")
    if not text:
        return ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
