"""The xlsx template (sheet 题库): one question per row, Chinese headers, the answer styles people use.

Columns: 题型 | 题干 | 选项A..选项H | 答案 | 解析 | 分值 | 难度 | 章节 | 知识点 | 分类 | 出处 | 评分要点 | 不分顺序 |
考试专用.
不分顺序 (fill-in only) names the blanks whose answers may come in any order: ``1,2`` or, for two groups,
``1,2;4,5,6`` (blank numbers count from 1 in stem order).
考试专用 (optional) reserves the question for certification, so practice never shows it: 是 (also Y, yes, true, 1,
√) or empty / 否 (N, no, false, 0, ×); any other value is a problem naming the row, and the file imports
nothing. Export writes 是 for a reserved question and leaves the cell empty otherwise.
Columns are found by header name, so their order may vary; 题型, 题干 and 答案 are required headers.

Decisions: a 题干 or 选项 cell that starts with an HTML tag is read as HTML (sanitised), anything else as
plain text. 多选 answers may carry Moodle weights, ``A=50%,C=50%,D=-100%``; without weights the correct
options share 100% equally. Option feedback and true/false feedback have no column (GIFT/XML keep them).
"""

from __future__ import annotations

import re
from decimal import Decimal

from core.i18n import gettext as _
from core.spreadsheets import write_xlsx
from question_bank.content import (
    OPTION_IDS,
    QuestionData,
    cell_html,
    cell_text,
    choice_options,
    decimal_str,
    parse_decimal,
    validate_fields,
)
from question_bank.formats import ImportProblem, ParseResult
from question_bank.formats.sheet import read_first_sheet
from question_bank.models import QuestionType

SHEET_TITLE = "题库"
OPTION_HEADERS = [f"选项{letter}" for letter in OPTION_IDS]
HEADERS = [
    "题型",
    "题干",
    *OPTION_HEADERS,
    "答案",
    "解析",
    "分值",
    "难度",
    "章节",
    "知识点",
    "分类",
    "出处",
    "评分要点",
    "不分顺序",
    "考试专用",
]
REQUIRED_HEADERS = ("题型", "题干", "答案")
MAX_ROWS = 20000

TYPE_NAMES = {
    QuestionType.SINGLE: ("单选", "单选题", "single", "single choice", "multichoice"),
    QuestionType.MULTIPLE: ("多选", "多选题", "multiple", "multiple choice", "multi"),
    QuestionType.TRUEFALSE: ("判断", "判断题", "truefalse", "true/false", "true false", "tf"),
    QuestionType.FILL: ("填空", "填空题", "fill", "fill in the blank", "blank"),
    QuestionType.ESSAY: ("简答", "简答题", "问答", "问答题", "essay", "short answer"),
    QuestionType.MATCHING: ("匹配", "匹配题", "matching", "match"),
    QuestionType.NUMERICAL: ("数值", "数值题", "numerical", "number"),
    QuestionType.DESCRIPTION: ("描述", "说明", "description"),
}
TYPE_BY_NAME = {name.lower(): qtype for qtype, names in TYPE_NAMES.items() for name in names}
EXPORT_TYPE_NAME = {qtype: names[0] for qtype, names in TYPE_NAMES.items()}

TRUE_WORDS = {"正确", "对", "是", "√", "✓", "✔", "t", "true", "yes", "y"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "✘", "x", "f", "false", "no", "n"}
_BLANK_MARK = re.compile(r"_{3,}")
_LETTERS = re.compile(r"^[A-H]+$")
_WEIGHTED = re.compile(r"([A-H])\s*[=:：]\s*(-?\d+(?:\.\d+)?)\s*%")
_RUBRIC = re.compile(r"^(.*?)[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*[。.]?$")
_NUMERIC = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:(?:±|\+-|\+/-)\s*(\d+(?:\.\d+)?))?\s*$")
_TAG_SPLIT = re.compile(r"[、,，;；]")
YES_WORDS = {"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "考试专用"}
NO_WORDS = {"否", "n", "no", "false", "f", "0", "×", "✗", "✘"}


def _to_half_width(text: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def parse_letters(text: str) -> list[str] | None:
    """``ACD``, ``A,C,D``, ``A、C、D``, ``A C D``, ``a c d`` or full-width letters → ["A", "C", "D"]."""
    cleaned = re.sub(r"[\s,，、;；/]+", "", _to_half_width(text)).upper()
    if not cleaned or not _LETTERS.match(cleaned):
        return None
    letters: list[str] = []
    for letter in cleaned:
        if letter not in letters:
            letters.append(letter)
    return letters


def parse_truefalse(text: str) -> bool | None:
    value = _to_half_width(text).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None


def parse_flag(text: str) -> bool | None:
    """The 考试专用 cell: True (是), False (否 or empty), None when it is neither."""
    value = _to_half_width(text).strip().lower()
    if not value or value in NO_WORDS:
        return False
    if value in YES_WORDS:
        return True
    return None


def parse_numeric(text: str) -> list[dict] | None:
    """``95.8±0.05`` (also ``+-``), or a plain value (tolerance 0); several answers separated by ``;``."""
    answers = []
    for part in re.split(r"[;；]", _to_half_width(text)):
        if not part.strip():
            continue
        match = _NUMERIC.match(part)
        if not match:
            return None
        answers.append(
            {
                "value": decimal_str(Decimal(match.group(1))),
                "tolerance": decimal_str(Decimal(match.group(2) or "0")),
                "fraction": "1",
                "feedback": "",
            }
        )
    return answers or None


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def parse_workbook(data: bytes, filename: str = "questions.xlsx") -> ParseResult:
    """Read the template; every problem names the row, the column and the reason."""
    return parse_rows(read_first_sheet(data))


def parse_rows(rows: list[list[str]]) -> ParseResult:
    """The template's rows (row 1 the header) as questions; also used for the starter bank's text source."""
    result = ParseResult()
    if not rows:
        result.problems.append(ImportProblem(_("row %(n)d", n=1), "", _("The sheet is empty.")))
        return result
    header = [h.strip() for h in rows[0]]
    columns = {name: index for index, name in enumerate(header) if name}
    missing = [name for name in REQUIRED_HEADERS if name not in columns]
    if missing:
        result.problems.append(
            ImportProblem(
                _("row %(n)d", n=1),
                "",
                _("Missing column(s) %(names)s: use the template.", names="、".join(missing)),
            )
        )
        return result
    if len(rows) - 1 > MAX_ROWS:
        result.problems.append(ImportProblem("", "", _("At most %(n)d questions per file.", n=MAX_ROWS)))
        return result
    row_label = _("row %(n)d")  # translated once, formatted per row
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        question, problems = parse_row(row, columns, number, row_label % {"n": number})
        result.problems.extend(problems)
        if question is not None and not problems:
            result.questions.append(question)
    return result


def parse_row(
    row: list[str], columns: dict[str, int], number: int, where: str = ""
) -> tuple[QuestionData | None, list[ImportProblem]]:
    """One row as a question, or the problems that stop it."""
    where = where or _("row %(n)d", n=number)
    problems: list[ImportProblem] = []

    def problem(column: str, reason: str) -> None:
        problems.append(ImportProblem(where, column, reason))

    type_text = _cell(row, columns, "题型")
    qtype = TYPE_BY_NAME.get(type_text.lower())
    if qtype is None:
        problem("题型", _("Unknown question type “%(type)s”.", type=type_text) if type_text else _("Empty."))
        return None, problems
    stem = _cell(row, columns, "题干")
    if not stem:
        problem("题干", _("The stem is empty."))
    answer = _cell(row, columns, "答案")
    option_cells = _option_cells(row, columns, problem)
    points = _points(_cell(row, columns, "分值"), qtype, problem)
    difficulty = _int_cell(_cell(row, columns, "难度"), 3, 1, 5, "难度", problem)
    chapter = _int_cell(_cell(row, columns, "章节"), None, 1, 8, "章节", problem)
    exam_only = parse_flag(_cell(row, columns, "考试专用"))
    if exam_only is None:
        problem(
            "考试专用",
            _("Write 是 or 否 (or leave it empty), not “%(value)s”.", value=_cell(row, columns, "考试专用")),
        )

    data = QuestionData(
        type=qtype,
        stem_html=cell_html(stem),
        points=points,
        difficulty=difficulty,
        chapter=chapter,
        explanation=cell_html(_cell(row, columns, "解析")),
        source_ref=_cell(row, columns, "出处")[:60],
        tags=[t.strip() for t in _TAG_SPLIT.split(_cell(row, columns, "知识点")) if t.strip()],
        category_path=[p.strip() for p in _cell(row, columns, "分类").split("/") if p.strip()],
        exam_only=bool(exam_only),
        ref=where,
    )
    if qtype in {QuestionType.SINGLE, QuestionType.MULTIPLE}:
        _choice(data, qtype, option_cells, answer, problem)
    elif qtype == QuestionType.TRUEFALSE:
        _truefalse(data, answer, problem)
    elif qtype == QuestionType.FILL:
        _fill(data, stem, answer, problem)
        _unordered(data, _cell(row, columns, "不分顺序"), problem)
    elif qtype == QuestionType.ESSAY:
        _essay(data, answer, _cell(row, columns, "评分要点"), problem)
    elif qtype == QuestionType.MATCHING:
        _matching(data, option_cells, problem)
    elif qtype == QuestionType.NUMERICAL:
        _numerical(data, answer, problem)
    if problems:
        return None, problems
    for field_name, reason in validate_fields(data):
        problem(_COLUMN_OF_FIELD.get(field_name, "答案"), reason)
    return (None if problems else data), problems


_COLUMN_OF_FIELD = {
    "stem": "题干",
    "options": "选项A",
    "points": "分值",
    "difficulty": "难度",
    "chapter": "章节",
}


def _option_cells(row: list[str], columns: dict[str, int], problem) -> list[str]:
    """The option cells up to the last filled one; an empty one before it is a problem."""
    option_cells = [_cell(row, columns, name) for name in OPTION_HEADERS]
    while option_cells and not option_cells[-1]:
        option_cells.pop()
    for index, text in enumerate(option_cells):
        if not text:
            problem(OPTION_HEADERS[index], _("Empty option between filled options."))
    return option_cells


def _points(points_text: str, qtype: str, problem) -> Decimal:
    """The 分值 cell (empty: 1, or 0 for a description); out of 0–1000 it is a problem."""
    default_points = Decimal(0) if qtype == QuestionType.DESCRIPTION else Decimal(1)
    points = parse_decimal(points_text) if points_text else default_points
    if points is None or points < 0 or points > 1000:
        problem("分值", _("“%(value)s” is not a valid number of points.", value=points_text))
        points = default_points
    return points


def _truefalse(data: QuestionData, answer: str, problem) -> None:
    value = parse_truefalse(answer)
    if value is None:
        problem("答案", _("Write 正确/错误, 对/错, √/× or T/F, not “%(value)s”.", value=answer))
    data.key = {"answer": bool(value)}


def _numerical(data: QuestionData, answer: str, problem) -> None:
    answers = parse_numeric(answer)
    if answers is None:
        problem(
            "答案",
            _("Write a number, optionally ±tolerance (e.g. 95.8±0.05), not “%(value)s”.", value=answer),
        )
    data.key = {"answers": answers or [], "unit": ""}


def _int_cell(text: str, default, low: int, high: int, column: str, problem) -> int | None:
    if not text:
        return default
    try:
        value = int(Decimal(text))
        if Decimal(text) != value:
            raise ValueError
    except (ValueError, ArithmeticError):
        value = None
    if value is None or not low <= value <= high:
        problem(
            column,
            _(
                "Must be a whole number from %(low)d to %(high)d, not “%(value)s”.",
                low=low,
                high=high,
                value=text,
            ),
        )
        return default
    return value


def _choice(data: QuestionData, qtype: str, option_cells: list[str], answer: str, problem) -> None:
    if len(option_cells) < 2:
        problem("选项A", _("A choice question needs at least two options."))
        return
    weighted = _WEIGHTED.findall(_to_half_width(answer).upper()) if "%" in answer else []
    if weighted:
        weights = {letter: Decimal(value) / 100 for letter, value in weighted}
        correct = [letter for letter, w in weights.items() if w > 0]
    else:
        letters = parse_letters(answer)
        if letters is None:
            problem(
                "答案",
                _("Write the letters of the correct options (e.g. A or ACD), not “%(value)s”.", value=answer),
            )
            return
        correct, weights = letters, None
    ids = OPTION_IDS[: len(option_cells)]
    unknown = [c for c in correct if c not in ids]
    if unknown:
        problem(
            "答案", _("Option %(ids)s is named in the answer but its cell is empty.", ids=",".join(unknown))
        )
        return
    if qtype == QuestionType.SINGLE and len(correct) != 1:
        problem(
            "答案",
            _(
                "A single-choice question has exactly one correct option; the answer gives %(n)d.",
                n=len(correct),
            ),
        )
        return
    data.options = [
        {**option, "html": cell_html(option_cells[i])}
        for i, option in enumerate(choice_options(option_cells, correct, qtype))
    ]
    if weights:
        for option in data.options:
            option["fraction"] = decimal_str(weights.get(option["id"], Decimal(0)))
    data.key = {"correct": correct}


def _fill(data: QuestionData, stem: str, answer: str, problem) -> None:
    counter = iter(range(1, 100))
    # Private-use characters mark the blanks while the cell is sanitised (nh3 drops control characters).
    stem_marked = _BLANK_MARK.sub(lambda _m: "\ue000" + str(next(counter)) + "\ue001", stem)
    html = cell_html(stem_marked).replace("\ue000", "{{").replace("\ue001", "}}")
    data.stem_html = html
    if not answer:
        problem("答案", _("Give the accepted answers of every blank."))
        return
    blanks = [[alt.strip() for alt in part.split("|") if alt.strip()] for part in re.split(r"[;；]", answer)]
    data.key = {"blanks": blanks, "case_sensitive": False, "ignore_punctuation": True}


_GROUP_NUMBERS = re.compile(r"[,，、\s]+")


def parse_unordered(text: str) -> list[list[int]] | None:
    """``1,2`` or ``1,2;4,5,6`` (also 、 and full-width punctuation) → [[1, 2], [4, 5, 6]]; None when unreadable."""
    groups = []
    for part in re.split(r"[;；]", _to_half_width(text)):
        numbers = [n for n in _GROUP_NUMBERS.split(part.strip()) if n]
        if not numbers:
            continue
        if not all(n.isdigit() for n in numbers):
            return None
        groups.append([int(n) for n in numbers])
    return groups


def unordered_text(key: dict) -> str:
    """The key's any-order groups as the 不分顺序 cell."""
    return ";".join(",".join(str(n) for n in group) for group in key.get("unordered") or [])


def _unordered(data: QuestionData, text: str, problem) -> None:
    if not text or "blanks" not in data.key:
        return
    groups = parse_unordered(text)
    if groups is None:
        problem("不分顺序", _("Write the blank numbers of each group, e.g. 1,2 or 1,2;4,5."))
        return
    if groups:
        data.key["unordered"] = groups


def _essay(data: QuestionData, answer: str, rubric_text: str, problem) -> None:
    rubric = []
    for line in rubric_text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _RUBRIC.match(line)
        if not match:
            problem(
                "评分要点", _("Rubric line “%(line)s” must end with its points, e.g. （2分）.", line=line)
            )
            continue
        rubric.append({"text": match.group(1).strip(), "points": decimal_str(Decimal(match.group(2)))})
    data.key = {"reference_html": cell_html(answer) if answer else "", "rubric": rubric}


def _matching(data: QuestionData, option_cells: list[str], problem) -> None:
    pairs, distractors = [], []
    for index, cell in enumerate(option_cells):
        left, sep, right = cell.partition("=")
        if not sep or not right.strip():
            problem(OPTION_HEADERS[index], _("Write a pair as “left = right”, not “%(value)s”.", value=cell))
            continue
        if left.strip():
            pairs.append({"left": left.strip(), "right": right.strip()})
        else:
            distractors.append(right.strip())
    data.key = {"pairs": pairs, "distractors": distractors}


# ---------------------------------------------------------------- export


def export_row(qtype: str, version, tags: list[str], category: str, *, exam_only: bool = False) -> list:
    """One question version as a template row (``exam_only``: the question's 考试专用 flag)."""
    options = [""] * len(OPTION_IDS)
    answer = ""
    rubric = ""
    unordered = ""
    stem = version.stem_html
    if qtype == QuestionType.FILL:
        stem = re.sub(r"\{\{\d+\}\}", "___", stem)
        answer = ";".join("|".join(alts) for alts in version.key.get("blanks", []))
        unordered = unordered_text(version.key)
    if qtype in {QuestionType.SINGLE, QuestionType.MULTIPLE}:
        for index, option in enumerate(version.options[: len(OPTION_IDS)]):
            options[index] = cell_text(option["html"])
        correct = list(version.key.get("correct", []))
        default = {
            o["id"]: o["fraction"] for o in choice_options(["x"] * len(version.options), correct, qtype)
        }
        if any(default.get(o["id"]) != o.get("fraction", "0") for o in version.options):
            answer = ",".join(
                f"{o['id']}={decimal_str(Decimal(o['fraction']) * 100)}%"
                for o in version.options
                if Decimal(o.get("fraction", "0")) != 0
            )
        else:
            answer = "".join(correct)
    elif qtype == QuestionType.TRUEFALSE:
        answer = "正确" if version.key.get("answer") else "错误"
    elif qtype == QuestionType.ESSAY:
        answer = cell_text(version.key.get("reference_html", ""))
        rubric = "\n".join(f"{p['text']}（{p['points']}分）" for p in version.key.get("rubric", []))
    elif qtype == QuestionType.MATCHING:
        cells = [f"{p['left']} = {p['right']}" for p in version.key.get("pairs", [])]
        cells += [f" = {d}" for d in version.key.get("distractors", [])]
        for index, cell in enumerate(cells[: len(OPTION_IDS)]):
            options[index] = cell
    elif qtype == QuestionType.NUMERICAL:
        answer = ";".join(
            f"{a['value']}±{a.get('tolerance') or '0'}"
            for a in version.key.get("answers", [])
            if a.get("value") != "*"
        )
    return [
        EXPORT_TYPE_NAME[QuestionType(qtype)],
        cell_text(stem),
        *options,
        answer,
        cell_text(version.explanation),
        decimal_str(Decimal(version.points)),
        version.difficulty,
        version.chapter or "",
        "、".join(tags),
        category,
        version.source_ref,
        rubric,
        unordered,
        "是" if exam_only else "",
    ]


def write_workbook(rows) -> bytes:
    """The template (or an export) as xlsx bytes; formula-like cells are neutralised by core."""
    widths = [8, 50, *([16] * len(OPTION_IDS)), 14, 40, 6, 6, 6, 16, 20, 8, 30, 10, 8]
    return write_xlsx(HEADERS, rows, title=SHEET_TITLE, widths=widths)


def template_rows() -> list[list]:
    """Example rows for the downloadable template, one per type."""
    blank = [""] * len(OPTION_IDS)

    def opts(*cells):
        return [*cells, *blank[len(cells) :]]

    return [
        ["单选", "一般故障的响应时间不超过多少？", *opts("1小时", "2小时", "4小时", "8小时"), "B", "§3.3：一般故障≤2小时。", 1, 1, 3, "响应时限", "服务保障/渠道与响应", "§3.3", ""],
        ["多选", "演练内容包括哪些？", *opts("模拟突发事件", "应急响应演练", "客户沟通演练", "年终总结"), "A、B、C", "§6.4", 2, 2, 6, "应急演练", "应急管理/演练", "§6.4", ""],
        ["判断", "应急演练应至少每半年组织一次。", *blank, "正确", "§6.4", 1, 1, 6, "应急演练", "应急管理/演练", "§6.4", ""],
        ["填空", "重大故障响应时间不超过___。", *blank, "4小时|4h", "§3.3", 1, 2, 3, "响应时限", "服务保障/渠道与响应", "§3.3", ""],
        ["填空", "三级供电保障体系为“___”“___”“保重要用户”。", *blank, "保命线;保民生", "§6.2", 2, 2, 6, "供电保障", "应急管理/保障措施", "§6.2", "", "1,2"],
        ["简答", "简述应急响应的五个步骤。", *blank, "事件发现与报告；事件评估与分级；启动应急响应；应急处置与协调；应急恢复与总结。", "§6.3", 5, 3, 6, "应急响应流程", "应急管理/响应", "§6.3", "答出事件发现与报告（1分）\n答出事件评估与分级（1分）"],
        ["匹配", "将故障类型与响应时限匹配。", *opts("一般故障 = 2小时", "重大故障 = 4小时", "特殊故障 = 8小时"), "", "§3.3", 3, 2, 3, "响应时限", "服务保障/渠道与响应", "§3.3", ""],
        ["数值", "2023年信息安全培训覆盖率是多少（%）？", *blank, "95.8±0.05", "§3.4", 1, 2, 3, "信息安全", "服务保障/安全保密", "§3.4", ""],
        ["描述", "以下为第六章试题。", *blank, "", "", 0, 1, 6, "", "应急管理", "", ""],
    ]  # fmt: skip
