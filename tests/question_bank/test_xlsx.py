"""The xlsx template importer: the starter bank, answer styles, every error kind, limits, export safety."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from core.models import utcnow
from core.spreadsheets import SpreadsheetError, read_upload
from question_bank import importing, starter
from question_bank.formats import xlsx
from question_bank.models import Category, Question, QuestionVersion
from tests.question_bank import factories

BLANK = [""] * 8


def workbook(*rows, header=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "题库"
    sheet.append(header or xlsx.HEADERS)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(qtype, stem, options=(), answer="", explanation="解析", points=1, difficulty=2, chapter=3, tags="响应时限",
        category="服务保障", source="§3.3", rubric=""):  # fmt: skip
    opts = list(options) + BLANK[len(options) :]
    return [
        qtype,
        stem,
        *opts,
        answer,
        explanation,
        points,
        difficulty,
        chapter,
        tags,
        category,
        source,
        rubric,
    ]


def problems_of(data: bytes) -> list[str]:
    return [str(p) for p in xlsx.parse_workbook(data).problems]


def test_starter_bank_imports_every_type_with_guide_facts(db, app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = xlsx.parse_rows(starter.bank_rows(starter.bank_entries()))
        assert parsed.problems == []
        summary = importing.run_import(parsed, None, utcnow())
    assert summary["created"] == 310
    assert set(summary["counts"]) == {
        "single",
        "multiple",
        "truefalse",
        "fill",
        "essay",
        "matching",
        "numerical",
        "description",
    }
    by_chapter = dict(
        db.session.execute(select(Question.chapter, func.count()).group_by(Question.chapter)).all()
    )
    assert by_chapter[3] >= 50 and by_chapter[6] >= 50 and by_chapter[7] >= 50
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.source_ref == "")) == 0
    fill = db.session.scalar(
        select(QuestionVersion).where(QuestionVersion.stem_html.like("%一般故障的响应时间不超过{{1}}%"))
    )
    assert (
        fill.key["blanks"][0][:2] == ["2小时", "2h"]
        and fill.key["blanks"][1][0] == "4小时"
        and fill.key["blanks"][2][0] == "8小时"
    )
    assert (
        db.session.scalar(select(Category).where(Category.name == "持证上岗与培训")).parent.name == "服务保障"
    )
    assert (
        db.session.scalar(select(func.count()).select_from(Question).where(Question.status == "published"))
        == 310
    )


def test_answer_styles_people_write(app):
    data = workbook(
        row("多选", "甲", ["a", "b", "c", "d"], "A、C、D"),
        row("多选题", "乙", ["a", "b", "c", "d"], "a c d"),
        row("multiple", "丙", ["a", "b", "c", "d"], "ＡＣＤ"),
        row("多选", "丁", ["a", "b", "c", "d"], "A,C,D"),
        row("判断", "戊", [], "√"),
        row("判断题", "己", [], "错"),
        row("判断", "庚", [], "F"),
        row("数值", "辛", [], "4+-0.5"),
        row("数值题", "壬", [], "72"),
        row("单选题", "癸", ["x", "y"], "b"),
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = xlsx.parse_workbook(data)
    assert parsed.problems == []
    keys = [q.key for q in parsed.questions]
    assert all(k == {"correct": ["A", "C", "D"]} for k in keys[:4])
    assert (
        parsed.questions[0].options[0]["fraction"] == "0.3333333"
        and parsed.questions[0].options[1]["fraction"] == "0"
    )
    assert [k["answer"] for k in keys[4:7]] == [True, False, False]
    assert keys[7]["answers"][0]["value"] == "4" and keys[7]["answers"][0]["tolerance"] == "0.5"
    assert keys[8]["answers"][0] == {"value": "72", "tolerance": "0", "fraction": "1", "feedback": ""}
    assert keys[9] == {"correct": ["B"]}


def test_weighted_multiple_answer_keeps_fractions(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = xlsx.parse_workbook(workbook(row("多选", "甲", ["a", "b", "c"], "A=50%,C=50%,B=-100%")))
    assert parsed.problems == []
    assert [o["fraction"] for o in parsed.questions[0].options] == ["0.5", "-1", "0.5"]


@pytest.mark.parametrize(
    ("bad_row", "column", "fragment"),
    [
        (row("选择", "甲", ["a", "b"], "A"), "题型", "Unknown question type"),
        (row("单选", "", ["a", "b"], "A"), "题干", "stem is empty"),
        (row("单选", "甲", ["a", "", "c"], "A"), "选项B", "Empty option"),
        (row("单选", "甲", ["a"], "A"), "选项A", "at least two options"),
        (row("单选", "甲", ["a", "b"], "E"), "答案", "cell is empty"),
        (row("单选", "甲", ["a", "b"], "AB"), "答案", "exactly one correct"),
        (row("多选", "甲", ["a", "b"], "甲乙"), "答案", "letters"),
        (row("多选", "甲", ["a", "b"], ""), "答案", "letters"),
        (row("判断", "甲", [], "也许"), "答案", "正确/错误"),
        (row("填空", "甲___乙___", [], "一"), "答案", "2 blanks"),
        (row("填空", "没有空", [], "一"), "题干", "at least one blank"),
        (row("填空", "甲___", [], ""), "答案", "accepted answers"),
        (row("数值", "甲", [], "九十"), "答案", "number"),
        (row("匹配", "甲", ["一 = 1", "二"], ""), "选项B", "left = right"),
        (row("匹配", "甲", ["一 = 1"], ""), "答案", "two pairs"),
        (row("简答", "甲", [], "参考", rubric="答出要点"), "评分要点", "（2分）"),
        (row("单选", "甲", ["a", "b"], "A", points="两分"), "分值", "points"),
        (row("单选", "甲", ["a", "b"], "A", points=-1), "分值", "points"),
        (row("单选", "甲", ["a", "b"], "A", difficulty=6), "难度", "1 to 5"),
        (row("单选", "甲", ["a", "b"], "A", chapter=9), "章节", "1 to 8"),
        (row("单选", "甲", ["a", "b"], "A", chapter="3.5"), "章节", "1 to 8"),
    ],
)
def test_every_xlsx_error_names_row_column_reason(app, bad_row, column, fragment):
    good = row("单选", "好题", ["a", "b"], "A")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = xlsx.parse_workbook(workbook(good, bad_row))
    assert parsed.problems, "the bad row must be reported"
    problem = parsed.problems[0]
    assert problem.where == "row 3"
    assert problem.column == column
    assert fragment in problem.reason


def test_missing_header_rejects_file(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        problems = problems_of(workbook(["单选", "甲"], header=["类型", "题目"]))
    assert len(problems) == 1 and "题型" in problems[0] and "row 1" in problems[0]


def test_rejected_file_imports_nothing(db, app):
    data = workbook(row("单选", "好题一", ["a", "b"], "A"), row("单选", "坏题", ["a", "b"], "Z"))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = importing.parse_file(data, "xlsx")
        with pytest.raises(importing.ImportRejected):
            importing.run_import(parsed, None, utcnow())
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_not_a_workbook_and_zip_bomb_and_oversize(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "not a valid .xlsx" in str(importing.parse_file(b"PK\x03\x04 broken", "xlsx").problems[0])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
        assert "zip bomb" in str(importing.parse_file(out.getvalue(), "xlsx").problems[0])
        # Oversize without a suspicious ratio: 101 parts of exactly 1 MB (the ratio check starts above
        # 1 MB per part) unpack to more than the 100 MB limit.
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for n in range(101):
                archive.writestr(f"xl/media/part{n}.bin", b"\0" * (1024 * 1024))
        assert "unpacks to more than 100 MB" in str(importing.parse_file(out.getvalue(), "xlsx").problems[0])


def test_oversized_upload_is_refused(client, login, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 1000)
    login("trainer")
    response = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(b"x" * 2000), "big.gift"), "format": "gift", "category_id": "0"},
    )
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)


def test_export_neutralises_formulas(db, app):
    data = factories.single_data('=HYPERLINK("http://evil")')
    data.options[0]["html"], data.options[1]["html"] = "+1", "@SUM(A1)"
    data.explanation = "-2+3"
    factories.question(data=data)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        exported = importing.export_questions("xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).worksheets[0]
    values = [c.value for c in sheet[2]]
    assert values[1] == '\'=HYPERLINK("http://evil")' and values[2] == "'+1" and values[3] == "'@SUM(A1)"
    assert values[11] == "'-2+3"


def test_template_download_parses_back(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = xlsx.parse_workbook(xlsx.write_workbook(xlsx.template_rows()))
    assert parsed.problems == []
    assert len({q.type for q in parsed.questions}) == 8


def test_spreadsheet_error_for_empty_upload(app):
    with pytest.raises(SpreadsheetError):
        read_upload(io.BytesIO(b""), 10)
