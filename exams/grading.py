"""Automatic grading of one answer: pure functions over the question's key and the candidate's response.

Arithmetic is exact: fractions are ``Decimal`` (or integer ratios) and a question's mark is
``points × fraction`` quantised to 0.01 with ROUND_HALF_UP, once per question. The attempt total is the
sum of those per-question marks, so the total shown always equals the sum of the marks shown.

Response shapes (what the runtime saves, see docs/exams.md):
- single / multiple: ``{"choice": ["A", "C"]}`` (original option ids, whatever order they were shown in)
- truefalse: ``{"answer": true}``
- fill: ``{"blanks": ["2小时", "..."]}`` in blank order
- numerical: ``{"value": "95.8"}``
- matching: ``{"pairs": ["right text or null", ...]}`` one entry per left item in key order
- essay: ``{"text": "..."}`` (graded by hand: ``grade_response`` returns None)
"""

from __future__ import annotations

import enum
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from question_bank.answer_text import fill_blanks_score, normalise_answer

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

MANUAL_TYPES = frozenset({"essay"})
UNSCORED_TYPES = frozenset({"description"})


class MultipleRule(enum.StrEnum):
    """How a multiple-choice question is scored (chosen per exam)."""

    ALL_OR_NOTHING = "all_or_nothing"  # 全对才得分
    PARTIAL_NO_WRONG = "partial_no_wrong"  # 少选得部分分、错选不得分
    FRACTIONS = "fractions"  # Moodle per-option weights, floored at 0, capped at 1


def quantise(value: Decimal) -> Decimal:
    """A mark rounded to 0.01, halves away from zero (the rounding rule for every question mark)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(text, default: Decimal = ZERO) -> Decimal:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError, TypeError):
        return default


def _choices(response: dict | None) -> list[str]:
    raw = (response or {}).get("choice") or []
    if isinstance(raw, str):
        raw = [raw]
    return [str(c) for c in raw if isinstance(c, str | int)]


def fraction_single(key: dict, response: dict | None) -> Decimal:
    """Single choice: 1 when exactly the right option is chosen, else 0."""
    chosen = set(_choices(response))
    correct = set(key.get("correct") or [])
    return ONE if chosen and chosen == correct else ZERO


def fraction_multiple(key: dict, options: list[dict], response: dict | None, rule: str) -> Decimal:
    """Multiple choice under ``rule`` (see ``MultipleRule``)."""
    chosen = set(_choices(response))
    correct = set(key.get("correct") or [])
    if not chosen or not correct:
        return ZERO
    if rule == MultipleRule.ALL_OR_NOTHING:
        return ONE if chosen == correct else ZERO
    if rule == MultipleRule.PARTIAL_NO_WRONG:
        if chosen - correct:
            return ZERO
        return Decimal(len(chosen & correct)) / Decimal(len(correct))
    if rule == MultipleRule.FRACTIONS:
        weights = {str(o.get("id")): _dec(o.get("fraction")) for o in options}
        total = sum((weights.get(c, ZERO) for c in chosen), ZERO)
        return min(ONE, max(ZERO, total))
    raise ValueError(f"unknown multiple-choice rule {rule!r}")


def fraction_truefalse(key: dict, response: dict | None) -> Decimal:
    """True/false: 1 when the answer given equals the key, else 0 (no answer scores 0)."""
    given = (response or {}).get("answer")
    if not isinstance(given, bool):
        return ZERO
    return ONE if given == bool(key.get("answer")) else ZERO


def fraction_fill(key: dict, response: dict | None) -> Decimal:
    """Fill in the blank: the share of blanks answered right (question_bank's comparison rules)."""
    given = (response or {}).get("blanks") or []
    given = [g if isinstance(g, str) else "" for g in given]
    right, total = fill_blanks_score(given, key)
    if total == 0:
        return ZERO
    return Decimal(right) / Decimal(total)


def parse_number(text, unit: str = "") -> Decimal | None:
    """A number typed by a candidate: full-width digits allowed, spaces and thousands commas ignored,
    an optional trailing unit (the key's) stripped. None when it is not a number."""
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace(" ", "")
    if unit:
        norm_unit = unicodedata.normalize("NFKC", unit).replace(" ", "")
        if norm_unit and value.lower().endswith(norm_unit.lower()):
            value = value[: -len(norm_unit)]
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def fraction_numerical(key: dict, response: dict | None) -> Decimal:
    """Numerical: the best fraction among the key's answers whose tolerance covers the value given."""
    number = parse_number((response or {}).get("value"), key.get("unit") or "")
    if number is None:
        return ZERO
    best = ZERO
    for answer in key.get("answers") or []:
        target = _dec(answer.get("value"), None)
        if target is None:
            continue
        tolerance = abs(_dec(answer.get("tolerance")))
        if abs(number - target) <= tolerance:
            best = max(best, _dec(answer.get("fraction"), ONE))
    return min(ONE, best)


def fraction_matching(key: dict, response: dict | None) -> Decimal:
    """Matching: the share of pairs matched right (each pair weighs the same)."""
    pairs = key.get("pairs") or []
    if not pairs:
        return ZERO
    given = (response or {}).get("pairs") or []
    right = 0
    for index, pair in enumerate(pairs):
        value = given[index] if index < len(given) else None
        if isinstance(value, str) and normalise_answer(value, ignore_punctuation=False) == normalise_answer(
            pair.get("right", ""), ignore_punctuation=False
        ):
            right += 1
    return Decimal(right) / Decimal(len(pairs))


def answer_fraction(qtype: str, key: dict, options: list[dict], response: dict | None, rule: str) -> Decimal:
    """The fraction (0..1) of the points an answer earns; raises for types graded by hand."""
    if qtype == "single":
        return fraction_single(key, response)
    if qtype == "multiple":
        return fraction_multiple(key, options, response, rule)
    if qtype == "truefalse":
        return fraction_truefalse(key, response)
    if qtype == "fill":
        return fraction_fill(key, response)
    if qtype == "numerical":
        return fraction_numerical(key, response)
    if qtype == "matching":
        return fraction_matching(key, response)
    raise ValueError(f"question type {qtype!r} is not graded automatically")


def grade_response(
    qtype: str,
    key: dict,
    options: list[dict],
    response: dict | None,
    points: Decimal,
    rule: str = MultipleRule.ALL_OR_NOTHING,
) -> Decimal | None:
    """The mark an answer earns out of ``points``; None when it needs a human (essays)."""
    if qtype in UNSCORED_TYPES:
        return ZERO
    if qtype in MANUAL_TYPES:
        return None
    return quantise(Decimal(points) * answer_fraction(qtype, key, options or [], response, rule))


def is_answered(qtype: str, response: dict | None) -> bool:
    """Whether a response holds an answer at all (for the navigator and the results table)."""
    if not response:
        return False
    if qtype in ("single", "multiple"):
        return bool(_choices(response))
    if qtype == "truefalse":
        return isinstance(response.get("answer"), bool)
    if qtype == "fill":
        return any(isinstance(b, str) and b.strip() for b in response.get("blanks") or [])
    if qtype == "numerical":
        return bool(str(response.get("value") or "").strip())
    if qtype == "matching":
        return any(p for p in response.get("pairs") or [])
    if qtype == "essay":
        return bool(str(response.get("text") or "").strip())
    return False
