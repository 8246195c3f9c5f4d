"""Issue 15 §6: Word (.docx) import in the trainers' layout, all or nothing, with item-level errors."""

from __future__ import annotations

import io

import docx
import pytest

from question_bank import importing
from question_bank.formats import docx as word

GOOD = [
    "一、单项选择题",
    "1. 一般故障的响应时间不超过多少？",
    "A. 1小时    B. 2小时",
    "C. 4小时",
    "D. 8小时",
    "答案：B",
    "解析：§3.3：一般故障不超过2小时。",
    "二、多项选择题",
    "2、三级供电保障体系包括哪些？",
    "A．保命线",
    "B．保民生",
    "C．保电网",
    "D．保重要用户",
    "答案：ABD",
    "三、判断题",
    "3. 任何突发事件发生后，都应第一时间上报。",
    "答案：正确",
    "四、填空题",
    "4. 重大故障的响应时间不超过___。",
    "答案：4小时|4h",
    "五、简答题",
    "5. 简述应急处理流程的五个环节。",
    "答案：事件发现与报告；事件评估与分级；启动应急响应；应急处置与协调；应急恢复与总结。",
]


def document(lines, numbered=()) -> bytes:
    doc = docx.Document()
    for text in lines:
        style = "List Number" if text in numbered else None
        doc.add_paragraph(text, style=style)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def en(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_the_trainers_layout_reads_every_type(en):
    parsed = word.parse(document(GOOD))
    assert parsed.problems == []
    types = [q.type for q in parsed.questions]
    assert types == ["single", "multiple", "truefalse", "fill", "essay"]
    single, multiple, truefalse, fill, essay = parsed.questions
    assert [o["html"] for o in single.options] == ["1小时", "2小时", "4小时", "8小时"]
    assert single.key == {"correct": ["B"]} and "2小时" in single.explanation
    assert multiple.key == {"correct": ["A", "B", "D"]}
    assert truefalse.key["answer"] is True
    assert fill.key["blanks"] == [["4小时", "4h"]]
    assert "事件发现与报告" in essay.key["reference_html"]


def test_without_headings_the_type_comes_from_the_question(en):
    lines = ["1. 热线号码是？", "A. 95598", "B. 12345", "答案：A", "2. 应急演练每半年至少一次。", "答案：√"]
    parsed = word.parse(document(lines))
    assert parsed.problems == [] and [q.type for q in parsed.questions] == ["single", "truefalse"]


def test_words_own_numbering_marks_a_stem(en):
    lines = ["一般故障的响应时间不超过多少？", "A. 1小时", "B. 2小时", "答案：B"]
    parsed = word.parse(document(lines, numbered={lines[0]}))
    assert parsed.problems == [] and "一般故障" in parsed.questions[0].stem_html


def test_a_broken_file_is_refused(en):
    data = document(GOOD)
    assert "not a readable Word" in str(word.parse(data[: len(data) // 2]).problems[0])
    assert "not a readable Word" in str(word.parse(b"just text").problems[0])


def test_a_document_without_questions_is_refused(en):
    (problem,) = word.parse(document(["电力客户服务题库", "（内部资料）"])).problems
    assert "No questions found" in str(problem)


def test_item_level_errors_name_the_question_and_nothing_is_kept(en):
    lines = [
        *GOOD,
        "6. 有八个选项的题？",
        "A. 甲 B. 乙 C. 丙 D. 丁 E. 戊 F. 己 G. 庚 H. 辛",
        "答案：A",
        "7. 没有答案行的题？",
        "A. 甲",
        "B. 乙",
    ]
    parsed = word.parse(document(lines))
    messages = [str(p) for p in parsed.problems]
    assert any(m.startswith("question 6") and "8 options: at most six" in m for m in messages)
    assert any(m.startswith("question 7") and "No 答案 line" in m for m in messages)
    plan = importing.preview(parsed)
    assert not plan.ok  # all or nothing: the good questions are not imported either


def test_the_import_page_checks_a_word_file_before_importing(client, login, db):
    login("trainer")
    bad = document(["1. 没有答案的题？", "A. 甲", "B. 乙"])
    page = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(bad), "bank.docx"), "format": "", "category_id": "0"},
    )
    assert page.status_code == 400 and "答案" in page.get_data(as_text=True)
    good = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(document(GOOD)), "bank.docx"), "format": "", "category_id": "0"},
    )
    assert good.status_code == 200 and 'data-testid="import-counts"' in good.get_data(as_text=True)
