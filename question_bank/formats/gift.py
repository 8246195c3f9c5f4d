"""GIFT, read and written as Moodle's ``qformat_gift`` does.

Encoding decision: GIFT must be UTF-8 (with or without BOM). Any other encoding (GBK, Windows-1252 ...) is
rejected with a message saying the file must be saved as UTF-8 and at which byte decoding failed; we do not
guess, because a wrong guess silently corrupts Chinese text.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from core.i18n import gettext as _
from question_bank.answer_text import plain_text
from question_bank.content import QuestionData, decimal_str, validate
from question_bank.errors import FormatError
from question_bank.formats import ImportProblem, ParseResult
from question_bank.formats.moodle import (
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

# Moodle's escapedchar_pre: escaped control characters become placeholders while the question is parsed.
_ESCAPES = {"\\\\": "\x10", "\\:": "\x11", "\\#": "\x12", "\\=": "\x13", "\\{": "\x14", "\\}": "\x15",
            "\\~": "\x16", "\\n": "\x17"}  # fmt: skip
_RESTORE = {
    "\x10": "\\",
    "\x11": ":",
    "\x12": "#",
    "\x13": "=",
    "\x14": "{",
    "\x15": "}",
    "\x16": "~",
    "\x17": "\n",
}
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT = re.compile(r"^%(-?[0-9]{1,3}(?:\.[0-9]*)?)%")
_ID = re.compile(r"\[id:((?:\\.|[^\]\\])*)\]")
_TAG = re.compile(r"\[tag:((?:\\.|[^\]\\])*)\]")


def decode(data: bytes) -> str:
    """The file as text; not UTF-8 → FormatError naming the byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(
            _(
                "The GIFT file is not UTF-8 (invalid byte at offset %(offset)d). Save it as UTF-8 and import it again.",
                offset=exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0),
            )
        ) from exc


def _pre(text: str) -> str:
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def _post(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text


def _text(raw: str, default_format: str = "moodle") -> tuple[str, str]:
    """(html, format) of a GIFT text with an optional [format] prefix."""
    match = _FORMAT.match(raw)
    fmt = default_format
    if match:
        fmt = match.group(1).lower()
        raw = raw[match.end() :]
    return to_html(_post(raw).strip(), fmt), fmt


def _comment(answer: str, fmt: str) -> tuple[str, str]:
    """Moodle's commentparser: (answer text, feedback html) split at the first ``#``."""
    text, sep, feedback = answer.partition("#")
    return _post(text).strip(), (_text(feedback, fmt)[0] if sep else "")


def _weight(answer: str, default: Decimal) -> tuple[Decimal, str]:
    match = _WEIGHT.match(answer)
    if not match:
        return default, answer
    return Decimal(match.group(1)) / 100, answer[match.end() :]


def parse(data: bytes) -> ParseResult:
    """Every question in a GIFT file, with the problems that would make Moodle reject it."""
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    result = ParseResult()
    category: list[str] = []
    block: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            category = _block(block, category, result) or category
            block = []
    return result


def _block(lines: list[str], category: list[str], result: ParseResult) -> list[str] | None:
    """Read one blank-line-separated block: a question (added to ``result``) or a ``$CATEGORY:`` line
    (returns the category path that follows)."""
    comments = [line.strip() for line in lines if line.strip().startswith("//")]
    text = _pre("\n".join(line for line in lines if not line.strip().startswith("//")).strip())
    if not text:
        return None
    if text.startswith("$CATEGORY:"):
        names = category_names(_post(text[len("$CATEGORY:") :].strip().split("\n")[0]))
        if names:
            result.categories.append(names)
        return names
    name, text = _split_name(text)
    where = _("question “%(name)s”", name=name or plain_text(_post(text))[:40])
    parts = _split_answer(text)
    if parts is None:
        result.problems.append(ImportProblem(where, "", _("Braces { } are not balanced.")))
        return None
    stem_raw, answer, general, description = parts
    stem_html, fmt = _text(stem_raw)
    data = QuestionData(type="", stem_html=stem_html, name=name or plain_text(stem_html)[:80], ref=where)
    data.category_path = list(category)
    data.explanation = data.general_feedback = _text(general, fmt)[0] if general else ""
    _read_id_and_tags(data, comments)
    problems: list[ImportProblem] = []
    if description:
        data.type, data.points = QuestionType.DESCRIPTION, Decimal(0)
    else:
        _read_answer(data, answer.replace("\n", " "), fmt, problems, where)
    for comment in comments:
        if comment.startswith("// gridready:"):
            problems += [
                ImportProblem(where, "", reason)
                for reason in apply_extension(data, comment[len("// gridready:") :].strip())
            ]
    if not problems:
        problems += [ImportProblem(where, "", reason) for reason in validate(data)]
    result.problems += problems
    if not problems:
        result.questions.append(data)
    return None


def _split_name(text: str) -> tuple[str, str]:
    """(name, rest) of a question that starts with ``::name::``; ("", text) without one."""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end != -1:
            return _post(text[2:end]).strip(), text[end + 2 :].strip()
    return "", text


def _split_answer(text: str) -> tuple[str, str, str, bool] | None:
    """(stem, answer, general feedback, is a description) of a question's text; None when its braces do
    not balance. An answer in the middle of the stem leaves a ``_____`` where it stood."""
    start, finish = text.find("{"), text.find("}")
    description = start == -1 and finish == -1
    if not description and (start == -1 or finish == -1 or finish < start):
        return None
    if description:
        stem_raw, answer = text, ""
    elif text.endswith("}"):
        stem_raw, answer = text[:start] + text[finish + 1 :], text[start + 1 : finish].strip()
    else:
        stem_raw, answer = text[:start] + "_____" + text[finish + 1 :], text[start + 1 : finish].strip()
    general = ""
    separator = answer.rfind("####")
    if separator != -1:
        general, answer = answer[separator + 4 :], answer[:separator].strip()
    return stem_raw, answer, general, description


def _read_id_and_tags(data: QuestionData, comments: list[str]) -> None:
    """Moodle's ``// [id:…] [tag:…]`` comments (not GridReady's own ``// gridready:`` extension lines)."""
    for comment in comments:
        if comment.startswith("// gridready:"):
            continue
        for match in _ID.finditer(comment):
            data.idnumber = match.group(1).replace("\\]", "]").strip() or None
        data.tags += [
            m.group(1).replace("\\]", "]").strip() for m in _TAG.finditer(comment) if m.group(1).strip()
        ]


def _read_answer(data: QuestionData, flat: str, fmt: str, problems: list[ImportProblem], where: str) -> None:
    """The type and key from the answer between the braces (on one line), as Moodle tells them apart."""
    if not flat:
        data.type, data.key = QuestionType.ESSAY, {"reference_html": "", "rubric": []}
    elif flat.startswith("#"):
        _numerical(data, flat[1:], fmt, problems, where)
    elif "~" in flat:
        _multichoice(data, flat, fmt, problems, where)
    elif "=" in flat and "->" in flat:
        _match(data, flat, fmt, problems, where)
    elif flat.split("#", 1)[0].strip() in {"T", "TRUE", "F", "FALSE"}:
        _truefalse(data, flat, fmt)
    else:
        _shortanswer(data, flat, fmt, problems, where)


def _truefalse(data: QuestionData, flat: str, fmt: str) -> None:
    """``T``/``TRUE``/``F``/``FALSE``, optionally ``#feedback when wrong#feedback when right``."""
    check = flat.split("#", 1)[0].strip()
    wrong_raw, _sep, right_raw = flat.partition("#")[2].partition("#")
    wrong, right = _text(wrong_raw, fmt)[0], _text(right_raw, fmt)[0]
    truth = check in {"T", "TRUE"}
    data.type = QuestionType.TRUEFALSE
    data.key = {
        "answer": truth,
        "true_feedback": right if truth else wrong,
        "false_feedback": wrong if truth else right,
    }


def _split(flat: str, separators: str) -> list[str]:
    parts, current = [], ""
    for char in flat:
        if char in separators and current.strip():
            parts.append(current.strip())
            current = ""
        current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _multichoice(data, flat, fmt, problems, where) -> None:
    single = "=" in flat
    answers = []
    for part in _split(flat, "~="):
        marker, body = part[0], part[1:].strip()
        if marker == "=":
            fraction = Decimal(1)
        else:
            fraction, body = _weight(body, Decimal(0))
        raw, sep, feedback_raw = body.partition("#")
        answers.append((_text(raw, fmt)[0], fraction, _text(feedback_raw, fmt)[0] if sep else ""))
    if len(answers) < 2:
        problems.append(ImportProblem(where, "", _("A choice question needs at least two answers.")))
        return
    if check_grades(data, [f for _h, f, _fb in answers], problems, where):
        choice_data(data, single, answers)


def _shortanswer(data, flat, fmt, problems, where) -> None:
    answers = []
    for part in _split(flat, "="):
        body = part[1:].strip() if part.startswith("=") else part
        fraction, body = _weight(body, Decimal(1))
        text, feedback = _comment(body, fmt)
        answers.append((text, fraction, feedback))
    if not answers:
        problems.append(ImportProblem(where, "", _("A short-answer question needs an answer.")))
        return
    if not any(f == 1 for _t, f, _fb in answers):
        problems.append(ImportProblem(where, "", _("One of the answers must be worth 100%.")))
        return
    if check_grades(data, [f for _t, f, _fb in answers], problems, where):
        shortanswer_data(data, answers, case_sensitive=False)


def _match(data, flat, fmt, problems, where) -> None:
    pairs, distractors = [], []
    for part in _split(flat, "="):
        body = part[1:] if part.startswith("=") else part
        if "->" not in body:
            problems.append(ImportProblem(where, "", _("Each matching answer needs “->”.")))
            return
        left, _sep, right = body.partition("->")
        left_html = _text(left.strip(), fmt)[0]
        right_text = _post(right).strip()
        if plain_text(left_html):
            pairs.append({"left": plain_text(left_html), "right": right_text})
        else:
            distractors.append(right_text)
    data.type = QuestionType.MATCHING
    data.key = {"pairs": pairs, "distractors": distractors}


def _numerical(data, flat, fmt, problems, where) -> None:
    wrong = ""
    if "~" in flat:
        flat, wrong = flat[: flat.index("~")], flat[flat.index("~") :]
    answers = []
    for part in _split(flat, "="):
        body = part[1:].strip() if part.startswith("=") else part.strip()
        fraction, body = _weight(body, Decimal(1))
        value_text, feedback = _comment(body, fmt)
        try:
            if ".." in value_text:
                low, high = (Decimal(v.strip()) for v in value_text.split("..", 1))
                value, tolerance = (low + high) / 2, (high - low) / 2
            elif ":" in value_text:
                value, tolerance = (Decimal(v.strip()) for v in value_text.split(":", 1))
            else:
                value, tolerance = Decimal(value_text), Decimal(0)
        except ArithmeticError:
            problems.append(ImportProblem(where, "", _("“%(value)s” is not a number.", value=value_text)))
            return
        answers.append(
            {"value": decimal_str(value), "tolerance": decimal_str(tolerance), "fraction": decimal_str(fraction),
             "feedback": feedback}
        )  # fmt: skip
    if wrong:
        answers.append(
            {"value": "*", "tolerance": "", "fraction": "0", "feedback": _comment(wrong[1:], fmt)[1]}
        )
    if check_grades(data, [Decimal(a["fraction"]) for a in answers], problems, where):
        data.type = QuestionType.NUMERICAL
        data.key = {"answers": answers, "unit": ""}


# ---------------------------------------------------------------- export


def escape(text: str) -> str:
    """Text safe inside GIFT: control characters escaped, newlines as ``\\n``."""
    for char in "\\~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _pct(fraction: str) -> str:
    return decimal_str(Decimal(fraction) * 100)


def export(items) -> str:
    """Questions as GIFT: ``items`` are (question, version, category names) in category order."""
    out: list[str] = []
    current: list[str] | None = None
    for question, version, names in items:
        if names != current:
            out.append(f"$CATEGORY: {export_category(names)}\n")
            current = names
        out.append(_question(question, version))
    return "\n".join(out)


def _question(question, version) -> str:
    """One question in GIFT: comment lines (id, tags, GridReady's extension), then the question."""
    lines = [f"// question: {question.id}  name: {version.name.replace(chr(10), ' ')}"]
    comment = []
    if question.idnumber:
        comment.append(f"[id:{question.idnumber.replace(']', chr(92) + ']')}]")
    comment += [f"[tag:{t.name.replace(']', chr(92) + ']')}]" for t in question.tags]
    if comment:
        lines.append("// " + " ".join(comment))
    lines.append("// gridready: " + json.dumps(extension_for(question, version), ensure_ascii=False))
    qtype = version.type
    stem = version.stem_html
    general = f"####[html]{escape(version.explanation)}" if version.explanation else ""
    head = f"::{escape(version.name)}::[html]"
    if qtype == QuestionType.DESCRIPTION:
        lines.append(head + escape(stem))
    elif qtype == QuestionType.FILL:
        before, _sep, after = stem.partition("{{1}}")
        answers = " ".join(
            f"=%{_pct(str(f))}%{escape(t)}" + (f"#[html]{escape(fb)}" if fb else "")
            for t, f, fb in shortanswer_answers(version)
        )
        lines.append(f"{head}{escape(before)}{{{answers}{general}}}{escape(after)}")
    else:
        body = _ANSWER_WRITERS[qtype](version) if qtype in _ANSWER_WRITERS else ""
        lines.append(f"{head}{escape(stem)}{{{body}{general}}}")
    return "\n".join(lines) + "\n"


def _choice_answers(version) -> str:
    qtype = version.type
    parts = []
    for option in version.options:
        fraction = Decimal(option.get("fraction", "0"))
        if qtype == QuestionType.SINGLE and fraction == 1:
            marker = "="
        elif fraction == 0 and qtype == QuestionType.SINGLE:
            marker = "~"
        else:
            marker = f"~%{_pct(option['fraction'])}%"
        feedback = f"#[html]{escape(option['feedback'])}" if option.get("feedback") else ""
        parts.append(f"\t{marker}[html]{escape(option['html'])}{feedback}")
    return "\n" + "\n".join(parts) + "\n"


def _truefalse_answer(version) -> str:
    truth = bool(version.key.get("answer"))
    true_fb, false_fb = version.key.get("true_feedback", ""), version.key.get("false_feedback", "")
    wrong, right = (false_fb, true_fb) if truth else (true_fb, false_fb)
    body = "TRUE" if truth else "FALSE"
    if wrong or right:
        body += f"#[html]{escape(wrong)}#[html]{escape(right)}"
    return body


def _matching_answers(version) -> str:
    parts = [f"\t={escape(p['left'])} -> {escape(p['right'])}" for p in version.key.get("pairs", [])]
    parts += [f"\t= -> {escape(d)}" for d in version.key.get("distractors", [])]
    return "\n" + "\n".join(parts) + "\n"


def _numerical_answers(version) -> str:
    parts = []
    for answer in version.key.get("answers", []):
        feedback = f"#[html]{escape(answer['feedback'])}" if answer.get("feedback") else ""
        if answer["value"] == "*":
            parts.append(f"\t~{feedback or '#'}")
        else:
            parts.append(
                f"\t=%{_pct(answer['fraction'])}%{answer['value']}:{answer.get('tolerance') or '0'}{feedback}"
            )
    return "#\n" + "\n".join(parts) + "\n"


# What goes between the braces, per type (an essay has nothing there).
_ANSWER_WRITERS = {
    QuestionType.SINGLE: _choice_answers,
    QuestionType.MULTIPLE: _choice_answers,
    QuestionType.TRUEFALSE: _truefalse_answer,
    QuestionType.MATCHING: _matching_answers,
    QuestionType.NUMERICAL: _numerical_answers,
}
