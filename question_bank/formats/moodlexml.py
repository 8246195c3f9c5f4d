"""Moodle XML, read (through defusedxml: no DTDs, entities or external references) and written.

Follows Moodle's ``qformat_xml``: ``<question type="category">`` switches the category (``$course$/`` or
``$module$/`` prefixes, nested paths create the tree, ``info`` becomes the description, idnumber kept);
empty ``<idnumber>`` is NULL; fractions are percentages checked against Moodle's grade list.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 — used only to WRITE xml; parsing goes through defusedxml
from decimal import Decimal, InvalidOperation

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from core.i18n import gettext as _
from question_bank.answer_text import plain_text
from question_bank.content import QuestionData, decimal_str, parse_decimal, validate
from question_bank.errors import FormatError
from question_bank.formats import ImportProblem, ParseResult
from question_bank.formats.moodle import (
    UNSUPPORTED,
    apply_extension,
    category_names,
    check_grades,
    choice_data,
    export_category,
    extension_for,
    shortanswer_answers,
    shortanswer_data,
    to_html,
)
from question_bank.models import QuestionType


def _path(node, *names) -> ET.Element | None:
    for name in names:
        if node is None:
            return None
        node = node.find(name)
    return node


def _text(node, *names, default: str = "") -> str:
    found = _path(node, *names)
    if found is None or found.text is None:
        return default
    return found.text


def _formatted(node, name: str, default_format: str = "html") -> str:
    """The HTML of a ``<name format="..."><text>...</text></name>`` element."""
    element = node.find(name)
    if element is None:
        return ""
    return to_html(_text(element, "text"), element.get("format", default_format))


def _fraction(value: str | None) -> Decimal | None:
    try:
        return Decimal((value or "0").strip()) / 100
    except InvalidOperation:
        return None


def parse(data: bytes) -> ParseResult:
    """Every question in a Moodle XML file, with the problems that would make Moodle reject it."""
    try:
        root = DET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FormatError(
            _("The XML file declares a DTD or entities, which are refused for safety.")
        ) from exc
    except ET.ParseError as exc:
        raise FormatError(_("The file is not well-formed XML: %(error)s.", error=str(exc))) from exc
    if root.tag != "quiz":
        raise FormatError(_("This is not a Moodle XML question file (no <quiz> element)."))
    result = ParseResult()
    category: list[str] = []
    for number, node in enumerate(root.findall("question"), start=1):
        qtype = (node.get("type") or "").strip().lower()
        if qtype == "category":
            category = category_names(_text(node, "category", "text"))
            if category:
                result.categories.append(category)
                info = _text(node, "info", "text").strip()
                if info:
                    result.category_info[tuple(category)] = info
                idnumber = _text(node, "idnumber").strip()
                if idnumber:
                    result.category_idnumbers[tuple(category)] = idnumber
            continue
        name = _text(node, "name", "text").strip()
        where = _("question “%(name)s”", name=name or str(number))
        if qtype in UNSUPPORTED or qtype not in _READERS:
            kind = UNSUPPORTED.get(qtype, qtype or "?")
            result.problems.append(
                ImportProblem(
                    where, "", _("Question type “%(type)s” is not supported by GridReady.", type=kind)
                )
            )
            continue
        data = QuestionData(
            type="",
            stem_html=_formatted(node, "questiontext"),
            name=name,
            ref=where,
            category_path=list(category),
            idnumber=_text(node, "idnumber").strip() or None,
            tags=[t.text.strip() for t in node.findall("tags/tag/text") if t.text and t.text.strip()],
        )
        data.explanation = data.general_feedback = _formatted(node, "generalfeedback")
        grade = parse_decimal(_text(node, "defaultgrade", default="1"))
        data.points = grade if grade is not None else Decimal(1)
        problems: list[ImportProblem] = []
        _READERS[qtype](node, data, problems, where)
        extension = node.find("gridready")
        if extension is not None and extension.text:
            problems += [ImportProblem(where, "", reason) for reason in apply_extension(data, extension.text)]
        if not problems:
            problems += [ImportProblem(where, "", reason) for reason in validate(data)]
        result.problems += problems
        if not problems:
            result.questions.append(data)
    return result


def _answers(node, problems, where) -> list[tuple[str, Decimal, str, ET.Element]] | None:
    answers = []
    for answer in node.findall("answer"):
        fraction = _fraction(answer.get("fraction"))
        if fraction is None:
            problems.append(ImportProblem(where, "", _("A grade is not a number.")))
            return None
        html = to_html(_text(answer, "text"), answer.get("format", "html"))
        answers.append((html, fraction, _formatted(answer, "feedback"), answer))
    return answers


def _multichoice(node, data, problems, where) -> None:
    answers = _answers(node, problems, where)
    if answers is None:
        return
    if check_grades(data, [a[1] for a in answers], problems, where):
        single = _text(node, "single", default="true").strip().lower() in {"true", "1"}
        choice_data(data, single, [(h, f, fb) for h, f, fb, _n in answers])


def _truefalse(node, data, problems, where) -> None:
    answer_value, feedback, count = None, {"true": "", "false": ""}, 0
    for index, answer in enumerate(node.findall("answer")):
        text = _text(answer, "text").strip().lower()
        if text not in {"true", "false"}:
            text = "true" if index == 0 else "false"  # old files: true first, then false
        count += 1
        fraction = _fraction(answer.get("fraction")) or Decimal(0)
        feedback[text] = _formatted(answer, "feedback")
        if text == "true":
            answer_value = fraction == 1
        elif answer_value is None:
            answer_value = fraction != 1
    if count != 2:
        problems.append(ImportProblem(where, "", _("A true/false question needs exactly two answers.")))
        return
    data.type = QuestionType.TRUEFALSE
    data.key = {
        "answer": bool(answer_value),
        "true_feedback": feedback["true"],
        "false_feedback": feedback["false"],
    }


def _shortanswer(node, data, problems, where) -> None:
    answers = []
    for answer in node.findall("answer"):
        fraction = _fraction(answer.get("fraction"))
        if fraction is None:
            problems.append(ImportProblem(where, "", _("A grade is not a number.")))
            return
        answers.append((_text(answer, "text").strip(), fraction, _formatted(answer, "feedback")))
    if not any(f == 1 for _t, f, _fb in answers):
        problems.append(ImportProblem(where, "", _("One of the answers must be worth 100%.")))
        return
    if check_grades(data, [a[1] for a in answers], problems, where):
        case_sensitive = _text(node, "usecase", default="0").strip() == "1"
        shortanswer_data(data, answers, case_sensitive)


def _numerical(node, data, problems, where) -> None:
    answers = []
    for answer in node.findall("answer"):
        fraction = _fraction(answer.get("fraction"))
        value = _text(answer, "text").strip()
        tolerance = _text(answer, "tolerance", default="0").strip() or "0"
        if (
            fraction is None
            or (value != "*" and parse_decimal(value) is None)
            or parse_decimal(tolerance) is None
        ):
            problems.append(ImportProblem(where, "", _("“%(value)s” is not a number.", value=value)))
            return
        answers.append(
            {
                "value": value if value == "*" else decimal_str(Decimal(value)),
                "tolerance": "" if value == "*" else decimal_str(Decimal(tolerance)),
                "fraction": decimal_str(fraction),
                "feedback": _formatted(answer, "feedback"),
            }
        )
    if check_grades(data, [Decimal(a["fraction"]) for a in answers], problems, where):
        units = [
            u
            for u in node.findall("units/unit")
            if _text(u, "multiplier", default="1").strip() in {"1", "1.0"}
        ]
        data.type = QuestionType.NUMERICAL
        data.key = {"answers": answers, "unit": _text(units[0], "unit_name").strip() if units else ""}


def _matching(node, data, problems, where) -> None:
    pairs, distractors = [], []
    for sub in node.findall("subquestion"):
        left = plain_text(to_html(_text(sub, "text"), sub.get("format", "html")))
        right = _text(sub, "answer", "text").strip()
        if left:
            pairs.append({"left": left, "right": right})
        elif right:
            distractors.append(right)
    data.type = QuestionType.MATCHING
    data.key = {"pairs": pairs, "distractors": distractors}


def _essay(node, data, problems, where) -> None:
    data.type = QuestionType.ESSAY
    data.key = {"reference_html": _formatted(node, "graderinfo"), "rubric": []}


def _description(node, data, problems, where) -> None:
    data.type = QuestionType.DESCRIPTION
    data.points = Decimal(0)


_READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "match": _matching,
    "essay": _essay,
    "description": _description,
}


# ---------------------------------------------------------------- export


def _add_text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag)
    if fmt:
        element.set("format", fmt)
    ET.SubElement(element, "text").text = text or ""
    return element


def _pct(fraction: str | Decimal) -> str:
    return decimal_str(Decimal(fraction) * 100)


def export(items) -> bytes:
    """Questions as Moodle XML: ``items`` are (question, version, category names) in category order."""
    quiz = ET.Element("quiz")
    current: list[str] | None = None
    for question, version, names in items:
        if names != current:
            quiz.append(ET.Comment(" question: 0  "))
            category = ET.SubElement(quiz, "question", type="category")
            _add_text(category, "category", export_category(names), None)
            ET.SubElement(category, "idnumber")
            current = names
        quiz.append(ET.Comment(f" question: {question.id}  "))
        quiz.append(_question(question, version))
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8") + b"\n"


_MOODLE_TYPE = {
    QuestionType.SINGLE: "multichoice",
    QuestionType.MULTIPLE: "multichoice",
    QuestionType.TRUEFALSE: "truefalse",
    QuestionType.FILL: "shortanswer",
    QuestionType.ESSAY: "essay",
    QuestionType.MATCHING: "matching",
    QuestionType.NUMERICAL: "numerical",
    QuestionType.DESCRIPTION: "description",
}


def _question(question, version) -> ET.Element:
    qtype = version.type
    node = ET.Element("question", type=_MOODLE_TYPE[QuestionType(qtype)])
    _add_text(node, "name", version.name, None)
    stem = version.stem_html
    if qtype == QuestionType.FILL and len(version.key.get("blanks", [])) == 1:
        stem = stem.replace("{{1}}", "_____")  # Moodle's missing-word marker; read back as the blank
    _add_text(node, "questiontext", stem)
    _add_text(node, "generalfeedback", version.explanation)
    ET.SubElement(node, "defaultgrade").text = decimal_str(Decimal(version.points))
    ET.SubElement(node, "hidden").text = "0"
    ET.SubElement(node, "idnumber").text = question.idnumber or None
    if qtype in {QuestionType.SINGLE, QuestionType.MULTIPLE}:
        ET.SubElement(node, "single").text = "true" if qtype == QuestionType.SINGLE else "false"
        ET.SubElement(node, "shuffleanswers").text = "true"
        ET.SubElement(node, "answernumbering").text = "ABCD"
        for option in version.options:
            answer = _add_text(node, "answer", option["html"])
            answer.set("fraction", _pct(option.get("fraction", "0")))
            _add_text(answer, "feedback", option.get("feedback", ""))
    elif qtype == QuestionType.TRUEFALSE:
        truth = bool(version.key.get("answer"))
        for text, right in (("true", truth), ("false", not truth)):
            answer = _add_text(node, "answer", text, "moodle_auto_format")
            answer.set("fraction", "100" if right else "0")
            _add_text(answer, "feedback", version.key.get(f"{text}_feedback", ""))
    elif qtype == QuestionType.FILL:
        ET.SubElement(node, "usecase").text = "1" if version.key.get("case_sensitive") else "0"
        for text, fraction, feedback in shortanswer_answers(version):
            answer = _add_text(node, "answer", text, "moodle_auto_format")
            answer.set("fraction", _pct(fraction))
            _add_text(answer, "feedback", feedback)
    elif qtype == QuestionType.MATCHING:
        ET.SubElement(node, "shuffleanswers").text = "true"
        pairs = [(p["left"], p["right"]) for p in version.key.get("pairs", [])]
        pairs += [("", d) for d in version.key.get("distractors", [])]
        for left, right in pairs:
            sub = _add_text(node, "subquestion", left, "plain_text")
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = right
    elif qtype == QuestionType.NUMERICAL:
        for item in version.key.get("answers", []):
            answer = _add_text(node, "answer", item["value"], "moodle_auto_format")
            answer.set("fraction", _pct(item.get("fraction", "0")))
            ET.SubElement(answer, "tolerance").text = item.get("tolerance") or "0"
            _add_text(answer, "feedback", item.get("feedback", ""))
        if version.key.get("unit"):
            unit = ET.SubElement(ET.SubElement(node, "units"), "unit")
            ET.SubElement(unit, "multiplier").text = "1"
            ET.SubElement(unit, "unit_name").text = version.key["unit"]
    elif qtype == QuestionType.ESSAY:
        ET.SubElement(node, "responseformat").text = "editor"
        _add_text(node, "graderinfo", version.key.get("reference_html", ""))
    if question.tags:
        tags = ET.SubElement(node, "tags")
        for tag in question.tags:
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag.name
    ET.SubElement(node, "gridready").text = json.dumps(extension_for(question, version), ensure_ascii=False)
    return node
