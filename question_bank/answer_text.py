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


def fill_blanks_score(given: Sequence[str], key: dict) -> tuple[int, int]:
    """(blanks right, blanks total) for a fill-in question's answers in blank order."""
    blanks = key.get("blanks") or []
    right = 0
    for index, accepted in enumerate(blanks):
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
