"""Issue 15 §4: the item-writing lint (question_bank/lint.py), its CLI, its page and the import check page."""

from __future__ import annotations

import io
import json

import pytest

from question_bank import lint
from question_bank.lint import LintItem
from tests.question_bank import factories
from tests.question_bank.test_xlsx import row, workbook


def single(ref, stem, options, key="A", category="") -> LintItem:
    return LintItem(
        ref=ref, type="single", stem_html=f"<p>{stem}</p>", category=category,
        options=[{"id": chr(65 + n), "html": text} for n, text in enumerate(options)], key={"correct": [key]},
    )  # fmt: skip


def multiple(ref, stem, options, correct) -> LintItem:
    return LintItem(
        ref=ref, type="multiple", stem_html=f"<p>{stem}</p>",
        options=[{"id": chr(65 + n), "html": text} for n, text in enumerate(options)], key={"correct": correct},
    )  # fmt: skip


def truefalse(ref, stem, answer) -> LintItem:
    return LintItem(ref=ref, type="truefalse", stem_html=f"<p>{stem}</p>", key={"answer": answer})


def fill(ref, stem, blanks) -> LintItem:
    return LintItem(ref=ref, type="fill", stem_html=f"<p>{stem}</p>", key={"blanks": blanks})


def codes(items) -> set[tuple[str, str]]:
    return {(f.ref, f.code) for f in lint.lint_items(items)}


def test_the_one_longest_option_as_key_is_a_cue_a_tie_is_not():
    assert codes([single("1", "重大故障的响应时限？", ["不超过4小时（自接报时起）", "2小时", "8小时"])]) == {
        ("1", "longest_key")
    }
    assert codes([single("2", "重大故障的响应时限？", ["4小时", "2小时", "8小时"])]) == set()
    assert lint.longest_option(single("3", "?", ["甲乙", "丙丁", "戊"])) is None


def test_a_false_statement_with_an_absolute_word_is_a_cue_a_true_one_is_not():
    assert codes([truefalse("1", "应急演练只需每年组织一次。", False)]) == {("1", "absolute_word")}
    assert codes([truefalse("2", "任何突发事件发生后都应第一时间上报。", True)]) == set()


def test_the_absolute_word_rule_is_measured_both_ways():
    items = [truefalse(str(n), "所有都对" if n % 2 else "一般", bool(n % 2)) for n in range(10)]
    assert lint.bank_figures(items).absolute_rule == 1.0  # the reverse rule wins every time here
    items = [truefalse("a", "仅此", False), truefalse("b", "全部", True), truefalse("c", "一般", True),
             truefalse("d", "一般", False)]  # fmt: skip
    assert lint.bank_figures(items).absolute_rule == 0.5


def test_keys_marking_most_options_and_cover_all_options():
    found = codes([
        multiple("1", "包括哪些？", ["甲", "乙", "丙", "丁"], ["A", "B", "C"]),
        multiple("2", "包括哪些？", ["甲", "乙", "丙", "丁"], ["A", "B"]),
        single("3", "选哪个？", ["甲", "乙", "以上都对"], key="C"),
    ])  # fmt: skip
    assert found == {("1", "most_options_right"), ("3", "cover_all_option"), ("3", "longest_key")}


def test_a_key_printed_in_another_stem_is_an_error_naming_both():
    items = [
        single("1", "一般故障的响应时间不超过多少？", ["1小时", "2小时", "4小时"], key="B"),
        truefalse("2", "一般故障2小时内响应即可。", True),
        multiple("3", "三级体系包括？", ["保命线", "保民生", "保电网"], ["A", "B"]),
        truefalse("4", "保命线是三级体系之一。", True),  # one right option of 3 printed: no leak
        truefalse("5", "保命线、保民生都属于三级体系。", True),  # the whole key of 3 printed: leak
        fill("6", "客服热线是{{1}}。", [["95598"]]),
        truefalse("7", "95598是客服热线。", True),
    ]
    leaks = {f.ref: f.other_refs for f in lint.lint_items(items) if f.code == "key_leak"}
    assert leaks == {"1": ["2"], "3": ["5"], "6": ["7"]}
    assert all(f.severity == "error" for f in lint.lint_items(items) if f.code == "key_leak")
    assert lint.bank_figures(items).key_in_other_stem == 1.0


def test_short_common_keys_do_not_count_as_leaks():
    items = [
        fill("1", "一级事件为{{1}}突发事件。", [["重大"]]),
        truefalse("2", "重大故障4小时内响应。", True),
    ]
    assert codes(items) == set()


def test_near_duplicate_stems():
    items = [truefalse("1", "应急预案应根据演练结果进行优化和修订。", True),
             truefalse("2", "应急预案应根据演练结果进行优化和修订吗？", True),
             truefalse("3", "服务培训应注重实践操作与案例分析。", True)]  # fmt: skip
    assert {(f.ref, f.code, tuple(f.other_refs)) for f in lint.lint_items(items)} == {
        ("1", "near_duplicate", ("2",))
    }


def test_key_position_bias_per_category():
    biased = [single(str(n), f"题{n}", ["甲", "乙", "丙", "丁"], key="A", category="应急") for n in range(8)]
    spread = [
        single(str(n), f"题{n}", ["甲", "乙", "丙", "丁"], key="ABCD"[n % 4], category="保障")
        for n in range(8)
    ]
    findings = [f for f in lint.lint_items(biased + spread) if f.code == "position_bias"]
    assert [(f.ref, f.detail["letter"], f.detail["percent"]) for f in findings] == [("应急", "A", 100)]


@pytest.fixture
def leaky_bank(db):
    cat = factories.category()
    question = factories.question(cat, factories.single_data("客户服务热线号码是多少？"))
    leak = factories.question(cat, factories.single_data("一般故障报修后2小时内必须响应吗？"))
    return question, leak


def test_cli_lists_findings_and_fails_on_a_key_leak(app, leaky_bank):
    question, leak = leaky_bank
    runner = app.test_cli_runner()
    text = runner.invoke(args=["questions", "lint"])
    assert text.exit_code == 1 and "key_leak" in text.output and f"#{question.id}" in text.output
    result = runner.invoke(args=["questions", "lint", "--format", "json"])
    data = json.loads(result.output)
    assert data["questions"] == 2 and "longest_is_key" in data["figures"]
    (finding,) = [f for f in data["findings"] if f["code"] == "key_leak"]
    assert finding["question_id"] == question.id and finding["other_question_ids"] == [leak.id]


@pytest.mark.locale("en")
def test_the_lint_page_links_each_finding_to_its_question(client, login, leaky_bank):
    question, leak = leaky_bank
    login("trainer")
    page = client.get("/question-bank/lint").get_data(as_text=True)
    assert (
        "Key printed in another question&#39;s stem" in page
        or "Key printed in another question's stem" in page
    )
    assert f'href="/question-bank/{question.id}/edit"' in page and f"#{leak.id}" in page
    assert 'href="/question-bank/lint"' in client.get("/question-bank/").get_data(as_text=True)


def test_the_lint_page_is_for_the_bank_roles(client, login, db):
    login("employee")
    assert client.get("/question-bank/lint").status_code == 403


@pytest.mark.locale("en")
def test_the_import_check_page_warns_before_confirming(client, login, db):
    login("trainer")
    data = workbook(
        row(
            "单选",
            "重大故障的响应时限是多少？",
            ["不超过4小时（自接报时起算）", "2小时", "8小时", "1小时"],
            "A",
        ),
        row("判断", "应急演练只需每年组织一次。", [], "错误"),
    )
    page = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(data), "q.xlsx"), "format": "xlsx", "category_id": "0"},
    ).get_data(as_text=True)
    assert 'data-testid="import-lint"' in page
    assert "The key is the longest option" in page and "False statement with an absolute word" in page
