"""Issue 15 §2: a fill-in question can mark a group of blanks as a list whose answers come in any order.
Each right word counts once; imports and exports carry the flag; regrading applies it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.seeding import Outcome
from exams import grading, marking, runtime
from question_bank import importing
from question_bank.answer_text import fill_blanks_score
from question_bank.content import QuestionData, validate
from question_bank.formats import xlsx
from question_bank.models import Question
from question_bank.starter import seed_starter_questions
from tests.exams import factories as f
from tests.question_bank import factories as qb_factories
from tests.question_bank.test_views import _form
from tests.question_bank.test_xlsx import BLANK, workbook

THREE_LEVELS = {"blanks": [["保命线"], ["保民生"], ["保重要用户"]], "ignore_punctuation": True}


def test_a_group_takes_its_words_in_any_order_each_word_once():
    key = {**THREE_LEVELS, "unordered": [[1, 2]]}
    assert fill_blanks_score(["保民生", "保命线", "保重要用户"], key) == (3, 3)
    assert fill_blanks_score(["保命线", "保命线", "保重要用户"], key) == (2, 3)  # one word twice counts once
    assert fill_blanks_score(["保民生", "保命线", "保命线"], key) == (2, 3)  # blank 3 keeps its own place
    assert fill_blanks_score(["保民生", "保命线", "保重要用户"], THREE_LEVELS) == (1, 3)  # ordered as before


def test_a_word_that_fits_two_blanks_is_placed_where_it_leaves_room_for_the_others():
    key = {"blanks": [["甲", "乙"], ["甲"]], "unordered": [[1, 2]], "ignore_punctuation": True}
    assert fill_blanks_score(["甲", "乙"], key) == (2, 2)  # greedy placing 甲 in blank 1 would score 1


def test_exam_grading_uses_the_groups():
    key = {**THREE_LEVELS, "unordered": [[1, 2]]}
    given = {"blanks": ["保民生", "保命线", "保重要用户"]}
    assert grading.fraction_fill(key, given) == Decimal(1)
    assert grading.fraction_fill(THREE_LEVELS, given) == Decimal(1) / Decimal(3)


@pytest.mark.parametrize(
    "groups",
    [[[1]], [[1, 4]], [[1, 2], [2, 3]], [[0, 1]], "1,2", [["1", "2"]], [[True, 2]]],
)
def test_malformed_groups_are_refused(groups):
    data = QuestionData(
        type="fill", stem_html="<p>{{1}}{{2}}{{3}}</p>", key={**THREE_LEVELS, "unordered": groups}
    )
    assert any("any order" in problem for problem in validate(data))


def test_good_groups_pass_validation():
    data = QuestionData(
        type="fill", stem_html="<p>{{1}}{{2}}{{3}}</p>", key={**THREE_LEVELS, "unordered": [[1, 2]]}
    )
    assert validate(data) == []


def _fill_row(unordered: str) -> list:
    return ["填空", "三级体系为“___”“___”“___”。", *BLANK, "保命线;保民生;保重要用户", "", 2, 2, 6, "", "", "",
            "", unordered]  # fmt: skip


def test_xlsx_reads_the_column_and_names_a_bad_cell(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        good = xlsx.parse_workbook(workbook(_fill_row("1，2"), header=xlsx.HEADERS))
        bad = xlsx.parse_workbook(workbook(_fill_row("一和二"), header=xlsx.HEADERS))
        wrong = xlsx.parse_workbook(workbook(_fill_row("1,5"), header=xlsx.HEADERS))
    assert good.problems == [] and good.questions[0].key["unordered"] == [[1, 2]]
    assert [p.column for p in bad.problems] == ["不分顺序"] and "row 2" in str(bad.problems[0])
    assert "any order" in str(wrong.problems[0])


@pytest.mark.parametrize("fmt", ["xlsx", "gift", "moodlexml"])
def test_every_format_carries_the_groups_both_ways(app, db, fmt):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        question = f.question(
            "fill", stem="<p>“{{1}}”“{{2}}”“{{3}}”</p>", key={**THREE_LEVELS, "unordered": [[1, 2]]}
        )
        exported = importing.export_questions(fmt)
        parsed = importing.parse_file(exported, fmt)
    assert parsed.problems == []
    (back,) = [q for q in parsed.questions if q.type == "fill"]
    assert back.key["unordered"] == [[1, 2]] and back.key["blanks"] == question.current_version.key["blanks"]


def test_regrading_applies_a_group_added_by_a_key_fix(db):
    question = f.question("fill", stem="<p>“{{1}}”“{{2}}”“{{3}}”</p>", key=dict(THREE_LEVELS), points="3")
    exam = f.exam(f.blueprint([question]))
    user = f.candidate(exam)
    attempt = runtime.start_attempt(exam, user.employee, f.NOW)
    runtime.save_answer(
        attempt.id, user.employee.id, 1, 1, {"blanks": ["保民生", "保命线", "保重要用户"]}, f.NOW
    )
    runtime.submit_attempt(attempt, f.NOW + dt.timedelta(minutes=1))
    assert attempt.score == Decimal("1.00")
    f.new_version(question, key={**THREE_LEVELS, "unordered": [[1, 2]]})
    marking.regrade_apply(exam, f.candidate(exam), f.NOW + dt.timedelta(minutes=5))
    assert attempt.score == Decimal("3.00")


def test_the_starter_lists_named_in_the_issue_accept_any_order(db):
    seed_starter_questions(Outcome("questions"))
    question = db.session.scalar(
        select(Question).where(Question.stem_text.like("%三级供电保障体系%"), Question.type == "fill")
    )
    key = question.current_version.key
    assert key["unordered"] == [[1, 2]]
    assert fill_blanks_score(["保民生", "保命线"], key) == (2, 2)


@pytest.mark.locale("en")
def test_the_question_form_sets_shows_and_checks_the_groups(client, login, db):
    login("trainer")
    cat = qb_factories.category()
    data = _form(cat.id, type="fill", stem="三级体系为“___”“___”“___”。", blanks="保命线\n保民生\n保重要用户")
    bad = client.post("/question-bank/new", data={**data, "unordered": "一,二"}).get_data(as_text=True)
    assert "Write the blank numbers of each group" in bad
    assert client.post("/question-bank/new", data={**data, "unordered": "1，2"}).status_code == 302
    question = db.session.scalar(select(Question).where(Question.type == "fill"))
    assert question.current_version.key["unordered"] == [[1, 2]]
    assert 'value="1,2"' in client.get(f"/question-bank/{question.id}/edit").get_data(as_text=True)
    assert "Blanks 1、2 may be answered in any order." in client.get(
        f"/question-bank/{question.id}"
    ).get_data(as_text=True)
