"""The 考试专用 flag (reserved for certification, never in practice) travels with a question through every
import and export: the xlsx column 考试专用, and ``"exam_only": true`` in the GridReady extension of GIFT and
Moodle XML. A value that is neither yes nor no names the row (or question) and imports nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.models import utcnow
from question_bank import importing
from question_bank.errors import ImportRejected
from question_bank.formats import gift, moodlexml, xlsx
from question_bank.models import Question
from tests.question_bank import factories
from tests.question_bank.test_xlsx import BLANK, workbook


def _row(stem: str, flag) -> list:
    return ["判断", stem, *BLANK, "正确", "", 1, 1, 3, "响应时限", "服务保障", "§3.3", "", "", flag]


def test_xlsx_reads_yes_no_and_empty_in_the_usual_spellings(app):
    rows = [_row(f"第{i}题", flag) for i, flag in enumerate(["是", "Y", "√", "TRUE", 1, "否", "n", "", None])]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = xlsx.parse_workbook(workbook(*rows))
    assert parsed.problems == []
    assert [q.exam_only for q in parsed.questions] == [True] * 5 + [False] * 4


def test_a_file_without_the_column_imports_nothing_reserved(app):
    header = xlsx.HEADERS[:-1]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = xlsx.parse_workbook(workbook(_row("第1题", "")[:-1], header=header))
    assert parsed.problems == [] and parsed.questions[0].exam_only is False


def test_a_messy_flag_names_its_row_and_changes_nothing(app, db, client, login):
    rows = [_row("好的一行", "是"), _row("乱写的一行", "考试用吧"), _row("另一好行", "")]
    data = workbook(*rows)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = importing.parse_file(data, "xlsx")
        assert [(p.where, p.column) for p in parsed.problems] == [("row 3", "考试专用")]
        assert "考试用吧" in parsed.problems[0].reason and "是 or 否" in parsed.problems[0].reason
        with pytest.raises(ImportRejected):
            importing.run_import(parsed, None, utcnow())
    login("admin")
    response = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(data), "q.xlsx"), "format": "", "category_id": "0"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-testid="import-errors"' in page
    assert "考试专用" in page and "考试用吧" in page and 'name="token"' not in page
    assert db.session.scalar(select(func.count(Question.id))) == 0


@pytest.mark.parametrize("fmt", ["xlsx", "gift", "moodlexml"])
def test_export_then_import_keeps_the_flag(app, db, fmt):
    reserved = factories.question(data=factories.single_data("认证专用的题"))
    reserved.exam_only = True
    factories.question(data=factories.single_data("练习可用的题"))
    db.session.flush()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        exported = importing.export_questions(fmt)
        parsed = importing.parse_file(exported, fmt)
        assert parsed.problems == []
        flags = {q.stem_html: q.exam_only for q in parsed.questions}
        assert flags == {"认证专用的题": True, "练习可用的题": False}
        db.session.execute(Question.__table__.update().values(stem_key=""))  # import them again beside
        summary = importing.run_import(parsed, None, utcnow(), base_path="再导入")
    assert summary["created"] == 2
    imported = db.session.scalars(select(Question).where(Question.id > reserved.id + 1)).all()
    stored = {q.stem_text: q.exam_only for q in imported}
    assert stored == {"认证专用的题": True, "练习可用的题": False}


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("gift", '::A:: 热线号码是95598。{T}\n// gridready: {"exam_only": "是"}\n'),
        (
            "moodlexml",
            '<?xml version="1.0"?><quiz><question type="truefalse"><name><text>A</text></name>'
            '<questiontext format="html"><text>热线号码是95598。</text></questiontext>'
            '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
            '<gridready>{"exam_only": 1}</gridready></question></quiz>',
        ),
    ],
)
def test_a_moodle_file_with_a_bad_flag_names_the_question(app, fmt, text):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = (gift.parse if fmt == "gift" else moodlexml.parse)(text.encode())
    assert parsed.questions == []
    assert len(parsed.problems) == 1 and "exam_only" in parsed.problems[0].reason
    assert "A" in parsed.problems[0].where
