"""A question's content independent of storage (``QuestionData``), its validation and HTML sanitising.

Every way in (form, xlsx, GIFT, Moodle XML) builds ``QuestionData`` and calls ``validate``; services store
it. Fractions are Moodle weights (-1..1) kept as ``Decimal`` and stored as strings (docs/question-contract.md).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import nh3

from core.i18n import gettext as _
from question_bank.models import QuestionType

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "span", "div", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "img", "a", "code", "pre", "blockquote", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "width", "height"},
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "span": {"style"},
    "p": {"style"},
}
# Images only from this site's own uploads (no outside URLs, no data: blobs in stems).
_LOCAL_IMG = re.compile(r"^/question-bank/media/[0-9a-f]{32}\.(png|jpe?g|gif|webp)$")
_BLANK = re.compile(r"\{\{(\d+)\}\}")
OPTION_IDS = "ABCDEFGH"
MAX_OPTIONS = 8

# Moodle's fixed list of grade fractions (question_bank::fraction_options_full): a file with any other
# weight is rejected, as Moodle's importer does ("Invalid grade(s)").
MOODLE_FRACTIONS = [
    Decimal(v)
    for v in (
        "1", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4", "0.3333333",
        "0.3", "0.25", "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111", "0.1", "0.05", "0",
    )
]  # fmt: skip


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if _LOCAL_IMG.match(value) else None
    if attr == "style":
        # Keep only harmless text styling.
        kept = [
            part
            for part in value.split(";")
            if part.strip().split(":")[0].strip().lower() in {"text-align", "font-style", "font-weight"}
        ]
        return ";".join(kept) or None
    return value


def sanitise_html(value: str) -> str:
    """Stem or option HTML with scripts, event handlers, outside images and unknown tags removed."""
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


def text_to_html(value: str) -> str:
    """Plain text (an xlsx cell, a GIFT plain answer) as safe HTML: escaped, line breaks kept."""
    return html.escape(value or "", quote=False).replace("\r\n", "\n").replace("\n", "<br>")


_HTML_TAG = re.compile(
    r"</?(p|div|span|b|strong|i|em|u|s|sub|sup|br|img|table|tr|td|ul|ol|li|a|code|pre|h\d)\b[^>]*>", re.I
)


def cell_html(value: str) -> str:
    """Typed text as stored HTML: text containing an HTML tag is sanitised HTML, anything else is
    escaped plain text (line breaks kept)."""
    return sanitise_html(value) if _HTML_TAG.search(value or "") else text_to_html(value or "")


def cell_text(value_html: str) -> str:
    """Stored HTML back to what a trainer types: plain text when it was plain text, else the HTML."""
    if not value_html:
        return ""
    text = html.unescape(value_html.replace("<br>", "\n"))
    return text if text_to_html(text) == value_html else value_html


def decimal_str(value: Decimal) -> str:
    """A Decimal as the contract's string: no exponent, no trailing zeros ("0.5", "1", "-0.3333333")."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def parse_decimal(value) -> Decimal | None:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def moodle_fraction(value: Decimal) -> Decimal | None:
    """The matching grade from Moodle's list (sign kept), or None when it is not one of them."""
    for option in MOODLE_FRACTIONS:
        if abs(abs(value) - option) < Decimal("0.00001"):
            return option.copy_sign(value) if option else Decimal(0)
    return None


@dataclass
class QuestionData:
    """One question as read from a form or file, before it is stored."""

    type: str
    stem_html: str
    options: list[dict] = field(default_factory=list)
    key: dict = field(default_factory=dict)
    name: str = ""
    explanation: str = ""
    general_feedback: str = ""
    points: Decimal = Decimal(1)
    difficulty: int = 3
    chapter: int | None = None
    source_ref: str = ""
    tags: list[str] = field(default_factory=list)
    category_path: list[str] = field(default_factory=list)
    idnumber: str | None = None
    exam_only: bool = False  # 考试专用: reserved for certification, never in practice (the question's flag)
    ref: str = ""  # where it came from, for messages: "row 5" or "question «Q2»"

    def label(self) -> str:
        return self.ref or self.name or self.stem_html[:40]


def blank_count(stem_html: str) -> int:
    numbers = [int(n) for n in _BLANK.findall(stem_html or "")]
    return max(numbers) if numbers else 0


def validate(data: QuestionData) -> list[str]:
    """Every problem with ``data`` (empty list: valid). Messages are for the person who wrote it."""
    return [message for _field, message in validate_fields(data)]


def validate_fields(data: QuestionData) -> list[tuple[str, str]]:
    """Every problem with ``data`` as (field, message); field is stem, options, key, points, difficulty
    or chapter."""
    try:
        qtype = QuestionType(data.type)
    except ValueError:
        return [("type", _("Unknown question type “%(type)s”.", type=data.type))]
    problems = _validate_common(data)
    if qtype in {QuestionType.SINGLE, QuestionType.MULTIPLE}:
        problems += _validate_choice(qtype, data)
    elif qtype in _TYPE_CHECKS:
        problems += _TYPE_CHECKS[qtype](data)
    return problems


def _validate_common(data: QuestionData) -> list[tuple[str, str]]:
    """Problems any type can have: an empty stem, difficulty, chapter or points out of range."""
    problems = []
    if not data.stem_html.strip():
        problems.append(("stem", _("The stem is empty.")))
    if not 1 <= data.difficulty <= 5:
        problems.append(("difficulty", _("Difficulty must be 1 to 5.")))
    if data.chapter is not None and not 1 <= data.chapter <= 8:
        problems.append(("chapter", _("Chapter must be 1 to 8.")))
    if data.points < 0:
        problems.append(("points", _("Points cannot be negative.")))
    return problems


def _validate_truefalse(data: QuestionData) -> list[tuple[str, str]]:
    if not isinstance(data.key.get("answer"), bool):
        return [("key", _("A true/false question needs the answer true or false."))]
    return []


def _validate_fill(data: QuestionData) -> list[tuple[str, str]]:
    problems = []
    blanks = data.key.get("blanks") or []
    count = blank_count(data.stem_html)
    if count == 0:
        problems.append(("stem", _("A fill-in question needs at least one blank (___) in the stem.")))
    elif len(blanks) != count:
        problems.append(
            (
                "key",
                _(
                    "The stem has %(stem)d blanks but the answer gives %(key)d.",
                    stem=count,
                    key=len(blanks),
                ),
            )
        )
    if any(not [a for a in accepted if a.strip()] for accepted in blanks):
        problems.append(("key", _("Every blank needs at least one accepted answer.")))
    problems += _validate_unordered(data.key.get("unordered"), len(blanks))
    return problems


def _validate_unordered(groups, count: int) -> list[tuple[str, str]]:
    """Any-order groups: lists of at least two blank numbers (1..count), no blank in two groups."""
    if groups is None:
        return []
    numbers = [n for g in groups if isinstance(g, list) for n in g] if isinstance(groups, list) else []
    well_formed = (
        isinstance(groups, list)
        and all(isinstance(g, list) and len(g) >= 2 for g in groups)
        and all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= count for n in numbers)
        and len(numbers) == len(set(numbers))
    )
    if well_formed:
        return []
    return [
        (
            "key",
            _(
                "Blanks in any order: each group names at least two of the blanks 1–%(count)d, and no blank is "
                "in two groups.",
                count=count,
            ),
        )
    ]


def _validate_matching(data: QuestionData) -> list[tuple[str, str]]:
    problems = []
    pairs = data.key.get("pairs") or []
    if len(pairs) < 2:
        problems.append(("key", _("A matching question needs at least two pairs.")))
    if any(not p.get("left", "").strip() or not p.get("right", "").strip() for p in pairs):
        problems.append(("key", _("Every pair needs both sides.")))
    return problems


def _validate_numerical(data: QuestionData) -> list[tuple[str, str]]:
    problems = []
    answers = data.key.get("answers") or []
    if not [a for a in answers if a.get("value") != "*"]:
        problems.append(("key", _("A numerical question needs a numeric answer.")))
    for answer in answers:
        if answer.get("value") != "*" and parse_decimal(answer.get("value")) is None:
            problems.append(("key", _("“%(value)s” is not a number.", value=answer.get("value"))))
        tolerance = parse_decimal(answer.get("tolerance", "0") or "0")
        if tolerance is None or tolerance < 0:
            problems.append(("key", _("The tolerance must be a number of zero or more.")))
    return problems


def _validate_essay(data: QuestionData) -> list[tuple[str, str]]:
    problems = []
    for point in data.key.get("rubric") or []:
        value = parse_decimal(point.get("points"))
        if value is None or value < 0:
            problems.append(
                ("key", _("Rubric point “%(text)s” has no valid points.", text=point.get("text", "")))
            )
    return problems


_TYPE_CHECKS = {
    QuestionType.TRUEFALSE: _validate_truefalse,
    QuestionType.FILL: _validate_fill,
    QuestionType.MATCHING: _validate_matching,
    QuestionType.NUMERICAL: _validate_numerical,
    QuestionType.ESSAY: _validate_essay,
}


def _validate_choice(qtype: QuestionType, data: QuestionData) -> list[tuple[str, str]]:
    problems = []
    options = data.options
    if len(options) < 2:
        problems.append(("options", _("A choice question needs at least two options.")))
    if len(options) > MAX_OPTIONS:
        problems.append(("options", _("At most %(n)d options.", n=MAX_OPTIONS)))
    if any(not (o.get("html") or "").strip() for o in options):
        problems.append(("options", _("An option is empty.")))
    ids = [o["id"] for o in options]
    correct = data.key.get("correct") or []
    unknown = [c for c in correct if c not in ids]
    if unknown:
        problems.append(
            ("key", _("The answer names option %(ids)s, which does not exist.", ids=",".join(unknown)))
        )
        return problems
    if not correct:
        problems.append(("key", _("Mark the correct option(s).")))
    if qtype == QuestionType.SINGLE and len(correct) > 1:
        problems.append(("key", _("A single-choice question has exactly one correct option.")))
    fractions = [parse_decimal(o.get("fraction", "0")) for o in options]
    if any(f is None or f < -1 or f > 1 for f in fractions):
        problems.append(("key", _("Option weights must lie between -100% and 100%.")))
        return problems
    if qtype == QuestionType.SINGLE and not any(f == 1 for f in fractions):
        problems.append(("key", _("One of the options must be worth 100%.")))
    if qtype == QuestionType.MULTIPLE:
        total = sum((f for f in fractions if f > 0), Decimal(0))
        if abs(total - 1) >= Decimal("0.005"):  # Moodle rounds the total to 2 decimals
            problems.append(
                (
                    "key",
                    _(
                        "The positive option weights add up to %(pct)s%%, not 100%%.",
                        pct=decimal_str(total * 100),
                    ),
                )
            )
    return problems


def choice_options(texts: list[str], correct: list[str], qtype: str, *, as_html: bool = False) -> list[dict]:
    """Options A.. for a choice question with Moodle fractions: single → 1 for the right one; multiple →
    the right ones share 1 equally (rounded to Moodle's grade list), wrong ones 0."""
    share = Decimal(1)
    if qtype == QuestionType.MULTIPLE and correct:
        share = moodle_fraction(Decimal(1) / len(correct)) or (Decimal(1) / len(correct)).quantize(
            Decimal("0.0000001")
        )
    options = []
    for index, text in enumerate(texts):
        option_id = OPTION_IDS[index]
        options.append(
            {
                "id": option_id,
                "html": sanitise_html(text) if as_html else text_to_html(text),
                "fraction": decimal_str(share) if option_id in correct else "0",
                "feedback": "",
            }
        )
    return options


def correct_from_fractions(options: list[dict]) -> list[str]:
    """The options counted correct: a positive weight."""
    return [o["id"] for o in options if (parse_decimal(o.get("fraction", "0")) or 0) > 0]


def sanitise_question(data: QuestionData) -> None:
    """Sanitise every HTML field of ``data`` in place, whatever file or form it came from: the pages
    render these fields as HTML (stem, options, feedback, explanation, reference answer)."""
    data.stem_html = sanitise_html(data.stem_html or "")
    data.explanation = sanitise_html(data.explanation or "")
    data.general_feedback = sanitise_html(data.general_feedback or "")
    for option in data.options or []:
        if isinstance(option, dict):
            option["html"] = sanitise_html(str(option.get("html") or ""))
            if option.get("feedback"):
                option["feedback"] = sanitise_html(str(option["feedback"]))
    key = data.key if isinstance(data.key, dict) else {}
    for name in ("reference_html", "true_feedback", "false_feedback"):
        if isinstance(key.get(name), str):
            key[name] = sanitise_html(key[name])
    for answer in key.get("answers") or []:
        if isinstance(answer, dict) and isinstance(answer.get("feedback"), str):
            answer["feedback"] = sanitise_html(answer["feedback"])
