"""The documented shape of a candidate's answer for each question type (docs/exams.md): what a save accepts."""

from __future__ import annotations

from core.i18n import gettext as _
from exams.errors import BadAnswer

MAX_TEXT = 20_000  # characters in one essay or blank
MAX_BLANKS = 50


def validate_response(qtype: str, response) -> dict:
    """The response reduced to its documented shape; BadAnswer when it does not fit the question type."""
    if not isinstance(response, dict):
        raise BadAnswer(_("The answer must be a JSON object."))
    if qtype in ("single", "multiple"):
        choice = response.get("choice", [])
        if not isinstance(choice, list) or not all(isinstance(c, str) and len(c) <= 10 for c in choice):
            raise BadAnswer(_("A choice answer is a list of option ids."))
        if qtype == "single" and len(choice) > 1:
            raise BadAnswer(_("A single-choice question takes one option."))
        return {"choice": sorted(set(choice))}
    if qtype == "truefalse":
        value = response.get("answer")
        if value is not None and not isinstance(value, bool):
            raise BadAnswer(_("A true/false answer is true, false or null."))
        return {"answer": value}
    if qtype == "fill":
        blanks = response.get("blanks", [])
        if not isinstance(blanks, list) or len(blanks) > MAX_BLANKS:
            raise BadAnswer(_("A fill-in answer is a list of texts, one per blank."))
        if not all(isinstance(b, str) and len(b) <= 500 for b in blanks):
            raise BadAnswer(_("Each blank holds a text of at most 500 characters."))
        return {"blanks": blanks}
    if qtype == "numerical":
        value = response.get("value", "")
        if not isinstance(value, str | int) or len(str(value)) > 60:
            raise BadAnswer(_("A numerical answer is a number of at most 60 characters."))
        return {"value": str(value)}
    if qtype == "matching":
        pairs = response.get("pairs", [])
        if not isinstance(pairs, list) or len(pairs) > 100:
            raise BadAnswer(_("A matching answer is a list with one choice per item."))
        if not all(p is None or (isinstance(p, str) and len(p) <= 1000) for p in pairs):
            raise BadAnswer(_("Each matching choice is a text or null."))
        return {"pairs": pairs}
    if qtype == "essay":
        text = response.get("text", "")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise BadAnswer(_("An essay answer is a text of at most %(n)d characters.", n=MAX_TEXT))
        return {"text": text}
    raise BadAnswer(_("This item takes no answer."))
