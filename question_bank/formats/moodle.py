"""What GIFT and Moodle XML share: Moodle's question kinds mapped onto GridReady's, text formats, grades,
category paths and the GridReady extension block (fields Moodle has no place for).

Mapping decisions:
- multichoice → single (Moodle ``single``) or multiple; truefalse, essay, numerical, description as is;
  match/matching → matching; shortanswer → a one-blank fill-in question: the blank is where GIFT's
  missing-word ``_____`` stood, else at the end of the stem; answers worth 100% are the accepted answers,
  every answer (with its fraction and feedback, including ``*``) is kept in ``key["answers"]``.
- Moodle's general feedback is GridReady's explanation (解析); it is also kept in ``general_feedback``.
- cloze/multianswer, calculated*, drag-and-drop, gapselect, random* and any other kind are rejected,
  naming the question.
- Extension: GridReady writes chapter, difficulty, source, multi-blank keys and essay rubrics as JSON in a
  GIFT comment ``// gridready: {...}`` or a ``<gridready>`` element; Moodle ignores both. A question reserved
  for certification (考试专用) carries ``"exam_only": true`` there (written only when set; any value but
  true or false is a problem naming the question). Not a tag: tags are knowledge points.
"""

from __future__ import annotations

import contextlib
import json
import re
from decimal import Decimal

from core.i18n import gettext as _
from question_bank.content import QuestionData, decimal_str, moodle_fraction, sanitise_html, text_to_html
from question_bank.formats import ImportProblem
from question_bank.models import QuestionType

UNSUPPORTED = {
    "cloze": "cloze",
    "multianswer": "cloze",
    "calculated": "calculated",
    "calculatedsimple": "calculated",
    "calculatedmulti": "calculated",
    "ddwtos": "drag and drop into text",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "gapselect": "select missing words",
    "randomsamatch": "random short-answer matching",
    "random": "random",
    "ordering": "ordering",
}
_CONTEXT_PREFIX = re.compile(r"^\$[a-z0-9]+\$/?", re.I)
_HAS_TAG = re.compile(r"<[a-zA-Z/][^>]*>")


def category_names(text: str) -> list[str]:
    """``$course$/top/A/B`` or ``$module$/A//B`` → the names below the context (Moodle's ``//`` is a
    literal slash inside a name; a leading ``top`` is the context's own root)."""
    text = _CONTEXT_PREFIX.sub("", (text or "").strip())
    text = text.replace("//", "\x00")
    names = [part.replace("\x00", "/").strip() for part in text.split("/") if part.strip()]
    if names and names[0].lower() == "top":
        names = names[1:]
    return names


def export_category(names: list[str]) -> str:
    return "$course$/top/" + "/".join(n.replace("/", "//") for n in names)


def to_html(text: str, fmt: str) -> str:
    """Moodle text in one of its formats as sanitised HTML (moodle_auto_format keeps HTML it contains)."""
    text = (text or "").strip()
    fmt = (fmt or "moodle").lower()
    if fmt == "html" or (fmt in {"moodle", "moodle_auto_format"} and _HAS_TAG.search(text)):
        return sanitise_html(text)
    return text_to_html(text)


def check_grades(
    data: QuestionData, fractions: list[Decimal], problems: list[ImportProblem], where: str
) -> bool:
    """Moodle accepts only grades from its fixed list; any other makes it reject the file."""
    invalid = [f for f in fractions if moodle_fraction(f) is None]
    if invalid:
        problems.append(
            ImportProblem(
                where,
                "",
                _("Invalid grade(s): %(grades)s.", grades=", ".join(decimal_str(f) for f in invalid)),
            )
        )
        return False
    return True


def fraction_str(value: Decimal) -> str:
    snapped = moodle_fraction(value)
    return decimal_str(snapped if snapped is not None else value)


def choice_data(data: QuestionData, single: bool, answers: list[tuple[str, Decimal, str]]) -> None:
    """Fill options and key of a Moodle multichoice from (html, fraction, feedback html) triples."""
    data.type = QuestionType.SINGLE if single else QuestionType.MULTIPLE
    data.options = [
        {"id": chr(ord("A") + i), "html": html, "fraction": fraction_str(f), "feedback": feedback}
        for i, (html, f, feedback) in enumerate(answers)
    ]
    if single:
        best = max((f for _h, f, _fb in answers), default=Decimal(0))
        correct = [
            o["id"] for o, (_h, f, _fb) in zip(data.options, answers, strict=True) if f == best and f > 0
        ][:1]
    else:
        correct = [o["id"] for o, (_h, f, _fb) in zip(data.options, answers, strict=True) if f > 0]
    data.key = {"correct": correct}


def shortanswer_data(
    data: QuestionData, answers: list[tuple[str, Decimal, str]], case_sensitive: bool
) -> None:
    """A Moodle short-answer question as a one-blank fill-in question."""
    data.type = QuestionType.FILL
    if "{{1}}" not in data.stem_html:
        if "_____" in data.stem_html:
            data.stem_html = data.stem_html.replace("_____", "{{1}}", 1)
        else:
            data.stem_html = data.stem_html + "{{1}}"
    accepted = [text for text, fraction, _fb in answers if fraction == 1 and text != "*"]
    data.key = {
        "blanks": [accepted],
        "case_sensitive": case_sensitive,
        "ignore_punctuation": False,
        "answers": [
            {"text": text, "fraction": fraction_str(fraction), "feedback": feedback}
            for text, fraction, feedback in answers
        ],
    }


def apply_extension(data: QuestionData, raw: str) -> list[str]:
    """Read GridReady's own fields from the extension JSON (unknown or broken JSON is ignored); returns the
    problems that must stop the question (a 考试专用 flag that is neither true nor false)."""
    try:
        extra = json.loads(raw)
    except (ValueError, TypeError):
        return []
    if not isinstance(extra, dict):
        return []
    if "exam_only" in extra:
        if not isinstance(extra["exam_only"], bool):
            return [_("“exam_only” must be true or false, not “%(value)s”.", value=extra["exam_only"])]
        data.exam_only = extra["exam_only"]
    if isinstance(extra.get("chapter"), int):
        data.chapter = extra["chapter"]
    if isinstance(extra.get("difficulty"), int):
        data.difficulty = extra["difficulty"]
    if isinstance(extra.get("source_ref"), str):
        data.source_ref = extra["source_ref"][:60]
    if isinstance(extra.get("points"), str):
        with contextlib.suppress(ArithmeticError):
            data.points = Decimal(extra["points"])
    if isinstance(extra.get("key"), dict) and data.type in {QuestionType.FILL, QuestionType.ESSAY}:
        # Only the fields GridReady itself writes; their HTML is sanitised when the question is stored.
        allowed = {
            QuestionType.FILL: {"blanks", "case_sensitive", "ignore_punctuation", "unordered"},
            QuestionType.ESSAY: {"reference_html", "rubric"},
        }[data.type]
        data.key = {**data.key, **{k: v for k, v in extra["key"].items() if k in allowed}}
    if isinstance(extra.get("stem_html"), str) and data.type == QuestionType.FILL:
        data.stem_html = sanitise_html(extra["stem_html"])
    return []


def extension_for(question, version) -> dict:
    """The GridReady fields to carry in a Moodle file for ``version``."""
    extra: dict = {
        "points": decimal_str(Decimal(version.points)),
        "difficulty": version.difficulty,
        "chapter": version.chapter,
        "source_ref": version.source_ref,
    }
    if question.exam_only:
        extra["exam_only"] = True
    if version.type == QuestionType.FILL:
        key = dict(version.key)
        extra["key"] = {
            k: key[k] for k in ("blanks", "case_sensitive", "ignore_punctuation", "unordered") if k in key
        }
        if len(key.get("blanks", [])) > 1:
            extra["stem_html"] = version.stem_html
    if version.type == QuestionType.ESSAY:
        extra["key"] = {
            "reference_html": version.key.get("reference_html", ""),
            "rubric": version.key.get("rubric", []),
        }
    return extra


def shortanswer_answers(version) -> list[tuple[str, Decimal, str]]:
    """A fill-in question's first blank as Moodle short answers (keeping imported fractions)."""
    key = version.key
    if key.get("answers"):
        return [(a["text"], Decimal(a["fraction"]), a.get("feedback", "")) for a in key["answers"]]
    blanks = key.get("blanks") or [[]]
    return [(text, Decimal(1), "") for text in blanks[0]]
