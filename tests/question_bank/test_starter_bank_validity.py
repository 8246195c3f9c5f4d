"""Issue 15 §1: the starter bank, measured AS EXPORTED (the project's own xlsx and GIFT export read back),
gives a test-wise guesser nothing: the key is not the longest option, absolute words do not mark false
statements, keys do not sit on one letter, multiple-choice keys do not mark most options, and no key is
printed in another item's stem. Also the items the issue named as defective."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.seeding import Outcome
from question_bank import importing
from question_bank.answer_text import plain_text
from question_bank.lint import LintItem, bank_figures
from question_bank.models import Question
from question_bank.starter import seed_starter_questions


@pytest.fixture
def exported(app, db, request):
    fmt = request.param
    with app.test_request_context(headers={"Accept-Language": "en"}):
        seed_starter_questions(Outcome("questions"))
        parsed = importing.parse_file(importing.export_questions(fmt), fmt)
    assert parsed.problems == []
    return [
        LintItem(ref=str(n), type=q.type, stem_html=q.stem_html, options=q.options, key=q.key)
        for n, q in enumerate(parsed.questions, start=1)
    ]


@pytest.mark.parametrize("exported", ["xlsx", "gift"], indirect=True)
def test_the_exported_starter_bank_meets_the_figures_of_issue_15(exported):
    figures = bank_figures(exported)
    assert len(exported) == 310 and figures.single_count == 142 and figures.multiple_count == 57
    assert figures.longest_is_key <= 0.35
    assert figures.absolute_rule <= 0.65
    assert 0.4 <= figures.truefalse_true_share <= 0.6
    singles = figures.key_letter_share["single"]
    assert set(singles) == set("ABCD") and all(0.2 <= share <= 0.3 for share in singles.values())
    assert figures.max_letter_share("single") <= 0.35 and figures.max_letter_share("multiple") <= 0.35
    assert figures.most_marked <= 0.6
    assert figures.key_in_other_stem <= 0.05


@pytest.mark.parametrize("exported", ["xlsx"], indirect=True)
def test_multiple_choice_keys_vary_in_how_many_options_are_right(exported):
    shapes = {(len(i.correct_ids()), len(i.options)) for i in exported if i.type == "multiple"}
    assert {right for right, _ in shapes} >= {2, 3}
    assert any(right * 2 <= options for right, options in shapes)


_DOCUMENT_NUMBER = re.compile(r"(GB|DL)/T\s*\d|〔\d{4}〕|\d{4}年修订")
_DOCUMENT_TITLE = re.compile(r"^《[^》]*(规范|标准|办法|指南|条例)》")


def _options(version) -> list[str]:
    return [plain_text(o["html"]) for o in version.options or []]


def test_no_item_asks_for_a_document_number_or_title(db):
    seed_starter_questions(Outcome("questions"))
    for question in db.session.scalars(select(Question)):
        version = question.current_version
        for text in _options(version):
            assert not _DOCUMENT_NUMBER.search(text), (question.id, text)
            assert not _DOCUMENT_TITLE.match(text), (question.id, text)
        assert "编号" not in plain_text(version.stem_html)


def _by_stem(db, fragment: str):
    return db.session.scalar(select(Question).where(Question.stem_text.like(f"%{fragment}%"))).current_version


def test_the_items_named_in_the_issue_are_fixed(db):
    seed_starter_questions(Outcome("questions"))
    # 300: the guide counts the 72 h from receipt of the feedback, not from the response.
    hours = _by_stem(db, "收到客户反馈后多少小时内完成处理")
    assert hours.key["answers"][0]["value"] == "72"
    assert not db.session.scalar(select(Question).where(Question.stem_text.like("%得到回应后%")))
    # 122: the key asks for a second drill of another incident type, not a 全面演练.
    drill = _by_stem(db, "上半年已组织一次以设备故障为场景的应急演练")
    key = next(o for o in drill.options if o["id"] == drill.key["correct"][0])
    assert "另一类突发事件" in key["html"] and "全面" not in key["html"]
    # 96 and 120 no longer ask which standard fits a description that fits several standards.
    for fragment in ("对应急人员应当做什么", "组织演练之后应当做什么"):
        version = _by_stem(db, fragment)
        assert not any(text.startswith("《") for text in _options(version))
