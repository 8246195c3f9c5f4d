"""Word (.docx) import in the layout Chinese trainers keep their banks in.

    一、单项选择题                      ← a section heading sets the type of the questions below it
    1. 一般故障的响应时间不超过多少？      ← a numbered stem (typed "1." / "1、" or Word's own numbering)
    A. 1小时   B. 2小时                  ← option lines A.–F. (several on one line are split)
    C. 4小时
    D. 8小时
    答案：B                              ← required
    解析：§3.3 ……                        ← optional

Headings: 单选/单项选择, 多选/多项选择, 判断, 填空, 简答/问答 (with or without 题). Without a heading the type
is read from the question: options and several letters → multiple choice, options → single choice, 正确/错误
→ true/false, ___ in the stem → fill-in, otherwise short answer. Each question then goes through the xlsx
template's row parser, so answers are read the same way (``2小时|2h;4小时`` for blanks, √/× for true/false).

Decisions: at most six options (A–F, the layout's letters); a question without an 答案 line, with more
options, or with an unreadable answer is an item-level error naming its number, and any error rejects the
whole file (all or nothing, like the xlsx import). The archive is checked for size and zip bombs before
python-docx opens it (its XML parser resolves no entities).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

import docx
from docx.opc.exceptions import PackageNotFoundError

from core.i18n import gettext as _
from core.spreadsheets import MAX_UNPACKED_BYTES, SpreadsheetError, check_archive
from question_bank.formats import ImportProblem, ParseResult
from question_bank.formats.xlsx import EXPORT_TYPE_NAME, HEADERS, OPTION_HEADERS, parse_row, parse_truefalse
from question_bank.models import QuestionType

MAX_OPTIONS = 6  # A.–F.
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]\s*)?(单项选择|单选|多项选择|多选|判断|填空|简答|问答)题?"
    r"(?:\s*[（(].*[)）])?\s*$"
)
_HEADING_TYPES = {
    "单项选择": QuestionType.SINGLE, "单选": QuestionType.SINGLE, "多项选择": QuestionType.MULTIPLE,
    "多选": QuestionType.MULTIPLE, "判断": QuestionType.TRUEFALSE, "填空": QuestionType.FILL,
    "简答": QuestionType.ESSAY, "问答": QuestionType.ESSAY,
}  # fmt: skip
_STEM = re.compile(r"^\s*(\d{1,4})\s*[.、．)）]\s*(.+)$")
_OPTION = re.compile(r"^\s*([A-Za-z])\s*[.、．)）]\s*(.*)$")
_NEXT_OPTION = re.compile(r"\s+(?=[A-Za-z]\s*[.、．)）])")
_ANSWER = re.compile(r"^\s*[【\[]?(?:正确)?答案[】\]]?\s*[:：]?\s*(.*)$")
_EXPLANATION = re.compile(r"^\s*[【\[]?解析[】\]]?\s*[:：]?\s*(.*)$")
_BLANK = re.compile(r"_{3,}")


@dataclass
class _Item:
    number: str
    qtype: str | None
    stem: str
    options: list[tuple[str, str]] = field(default_factory=list)
    answer: str | None = None
    explanation: str = ""


def _numbered(paragraph) -> bool:
    """Whether Word numbers the paragraph itself (numbering on the paragraph or on its style)."""
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        return True
    style = paragraph.style
    while style is not None:
        s_pr = style.element.pPr
        if s_pr is not None and s_pr.numPr is not None:
            return True
        style = style.base_style
    return False


def _paragraphs(data: bytes) -> list[tuple[str, bool]]:
    """The document's paragraphs as (text, numbered by Word) — tables' cells included, in order."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    check_archive(archive, MAX_UNPACKED_BYTES)
    document = docx.Document(io.BytesIO(data))
    lines = []
    for paragraph in document.paragraphs:
        lines.append((paragraph.text.replace("\u3000", " ").strip(), _numbered(paragraph)))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend((p.text.strip(), False) for p in cell.paragraphs)
    return [(text, numbered) for text, numbered in lines if text]


def _split_options(text: str) -> list[tuple[str, str]]:
    options = []
    for part in _NEXT_OPTION.split(text):
        match = _OPTION.match(part)
        if match:
            options.append((match.group(1).upper(), match.group(2).strip()))
    return options


def _items(lines: list[tuple[str, bool]]) -> list[_Item]:
    items: list[_Item] = []
    qtype: str | None = None
    auto = 0
    for text, numbered in lines:
        heading = _HEADING.match(text)
        if heading:
            qtype = _HEADING_TYPES[heading.group(1)]
            continue
        current = items[-1] if items else None
        if current is not None and (answer := _ANSWER.match(text)) and current.answer is None:
            current.answer = answer.group(1).strip()
        elif current is not None and (explanation := _EXPLANATION.match(text)):
            current.explanation = explanation.group(1).strip()
        elif current is not None and current.answer is None and _OPTION.match(text):
            current.options.extend(_split_options(text))
        elif stem := _STEM.match(text):
            items.append(_Item(stem.group(1), qtype, stem.group(2).strip()))
        elif numbered:
            auto += 1
            items.append(_Item(str(auto), qtype, text))
        elif current is not None and current.answer is None and not current.options:
            current.stem += "\n" + text  # a stem running over several paragraphs
        elif current is not None and current.explanation:
            current.explanation += "\n" + text
    return items


def _infer_type(item: _Item) -> str:
    if item.qtype:
        return item.qtype
    letters = re.sub(r"[^A-Za-z]", "", item.answer or "")
    if item.options:
        return QuestionType.MULTIPLE if len(set(letters.upper())) > 1 else QuestionType.SINGLE
    if parse_truefalse(item.answer or "") is not None:
        return QuestionType.TRUEFALSE
    if _BLANK.search(item.stem):
        return QuestionType.FILL
    return QuestionType.ESSAY


def _row(item: _Item, qtype: str) -> list[str]:
    cells = dict.fromkeys(HEADERS, "")
    cells["题型"] = EXPORT_TYPE_NAME[QuestionType(qtype)]
    cells["题干"] = item.stem
    for header, (_letter, text) in zip(OPTION_HEADERS, item.options, strict=False):
        cells[header] = text
    cells["答案"] = item.answer or ""
    cells["解析"] = item.explanation
    return [cells[h] for h in HEADERS]


def _check(item: _Item, where: str) -> list[ImportProblem]:
    problems = []
    if item.answer is None:
        problems.append(ImportProblem(where, "答案", _("No 答案 line: write the answer below the question.")))
    letters = [letter for letter, _text in item.options]
    if len(letters) > MAX_OPTIONS:
        problems.append(
            ImportProblem(where, _("Options"), _("%(n)d options: at most six (A–F).", n=len(letters)))
        )
    elif letters and letters != [chr(65 + i) for i in range(len(letters))]:
        problems.append(
            ImportProblem(where, _("Options"), _("Options must run A, B, C … without gaps or repeats."))
        )
    return problems


def parse(data: bytes) -> ParseResult:
    """Read a Word bank; every problem names the question (by its number) and what is wrong."""
    result = ParseResult()
    try:
        lines = _paragraphs(data)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SpreadsheetError) as exc:
        message = str(exc) if isinstance(exc, SpreadsheetError) else ""
        result.problems.append(
            ImportProblem("", "", message or _("The file is not a readable Word (.docx) document."))
        )
        return result
    items = _items(lines)
    if not items:
        result.problems.append(
            ImportProblem(
                "", "", _("No questions found: number each stem (1. …) and put an 答案 line below it.")
            )
        )
        return result
    columns = {name: index for index, name in enumerate(HEADERS)}
    for position, item in enumerate(items, start=1):
        where = _("question %(n)s", n=item.number)
        problems = _check(item, where)
        if problems:
            result.problems.extend(problems)
            continue
        question, row_problems = parse_row(_row(item, _infer_type(item)), columns, position, where)
        result.problems.extend(row_problems)
        if question is not None and not row_problems:
            result.questions.append(question)
    return result
