"""Grading rules, each with a worked example (points × fraction, quantised to 0.01 half-up)."""

from decimal import Decimal

import pytest

from exams.grading import MultipleRule, grade_response, is_answered, parse_number

D = Decimal
MULTI_OPTIONS = [
    {"id": "A", "html": "", "fraction": "0.5"},
    {"id": "B", "html": "", "fraction": "0.5"},
    {"id": "C", "html": "", "fraction": "-1"},
    {"id": "D", "html": "", "fraction": "0"},
]
MULTI_KEY = {"correct": ["A", "B"]}


def test_single_all_or_nothing():
    key = {"correct": ["B"]}
    assert grade_response("single", key, [], {"choice": ["B"]}, D("2")) == D("2.00")
    assert grade_response("single", key, [], {"choice": ["A"]}, D("2")) == D("0.00")
    assert grade_response("single", key, [], {"choice": []}, D("2")) == D("0.00")
    assert grade_response("single", key, [], None, D("2")) == D("0.00")


def test_truefalse():
    assert grade_response("truefalse", {"answer": False}, [], {"answer": False}, D("1")) == D("1.00")
    assert grade_response("truefalse", {"answer": False}, [], {"answer": True}, D("1")) == D("0.00")
    # No answer is not "false".
    assert grade_response("truefalse", {"answer": False}, [], {"answer": None}, D("1")) == D("0.00")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [(["A", "B"], "4.00"), (["A"], "0.00"), (["A", "C"], "0.00"), (["A", "B", "D"], "0.00")],
)
def test_multiple_all_or_nothing(choice, expected):
    assert grade_response(
        "multiple", MULTI_KEY, MULTI_OPTIONS, {"choice": choice}, D("4"), MultipleRule.ALL_OR_NOTHING
    ) == D(expected)


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (["A", "B"], "4.00"),  # all right: full marks
        (["A"], "2.00"),  # 少选: 1 of 2 correct options → 4 × 1/2
        (["A", "D"], "0.00"),  # 错选: any wrong pick → 0
        ([], "0.00"),
    ],
)
def test_multiple_partial_no_wrong(choice, expected):
    assert grade_response(
        "multiple", MULTI_KEY, MULTI_OPTIONS, {"choice": choice}, D("4"), MultipleRule.PARTIAL_NO_WRONG
    ) == D(expected)


def test_partial_credit_rounds_half_up_once_per_question():
    """3 correct options, 1 picked, 2 points: 2 × 1/3 = 0.6666… → 0.67; 2 picked → 1.3333… → 1.33."""
    key = {"correct": ["A", "B", "C"]}
    rule = MultipleRule.PARTIAL_NO_WRONG
    assert grade_response("multiple", key, [], {"choice": ["A"]}, D("2"), rule) == D("0.67")
    assert grade_response("multiple", key, [], {"choice": ["A", "B"]}, D("2"), rule) == D("1.33")
    # 5 points, 1 of 8 correct: 0.625 → 0.63 (half up, not banker's 0.62)
    key8 = {"correct": list("ABCDEFGH")}
    assert grade_response("multiple", key8, [], {"choice": ["A"]}, D("5"), rule) == D("0.63")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (["A", "B"], "4.00"),  # 0.5 + 0.5 = 1
        (["A"], "2.00"),  # 0.5
        (["A", "C"], "0.00"),  # 0.5 − 1 = −0.5 → floored at 0
        (["A", "B", "D"], "4.00"),  # 1 + 0
        (["A", "B", "C"], "0.00"),  # 1 − 1 = 0
    ],
)
def test_multiple_moodle_fractions(choice, expected):
    assert grade_response(
        "multiple", MULTI_KEY, MULTI_OPTIONS, {"choice": choice}, D("4"), MultipleRule.FRACTIONS
    ) == D(expected)


def test_fractions_capped_at_one():
    options = [{"id": "A", "fraction": "0.7"}, {"id": "B", "fraction": "0.7"}]
    assert grade_response(
        "multiple", {"correct": ["A", "B"]}, options, {"choice": ["A", "B"]}, D("3"), MultipleRule.FRACTIONS
    ) == D("3.00")


def test_fill_per_blank_with_normalisation():
    key = {"blanks": [["2小时", "2h"], ["4小时"]], "case_sensitive": False, "ignore_punctuation": True}
    # Full-width digits and upper case still match (question_bank's rules); 1 of 2 blanks → 3 × 1/2.
    assert grade_response("fill", key, [], {"blanks": ["２H", "5小时"]}, D("3")) == D("1.50")
    assert grade_response("fill", key, [], {"blanks": [" 2小时。", "4小时"]}, D("3")) == D("3.00")
    assert grade_response("fill", key, [], {"blanks": []}, D("3")) == D("0.00")


def test_numerical_tolerance_and_best_fraction():
    key = {
        "answers": [
            {"value": "95.8", "tolerance": "0.05", "fraction": "1"},
            {"value": "96", "tolerance": "0.5", "fraction": "0.5"},
        ],
        "unit": "%",
    }
    assert grade_response("numerical", key, [], {"value": "95.84"}, D("2")) == D("2.00")  # within 0.05
    assert grade_response("numerical", key, [], {"value": "95.85%"}, D("2")) == D(
        "2.00"
    )  # edge, unit stripped
    assert grade_response("numerical", key, [], {"value": "96.3"}, D("2")) == D("1.00")  # only the 0.5 answer
    assert grade_response("numerical", key, [], {"value": "97"}, D("2")) == D("0.00")
    assert grade_response("numerical", key, [], {"value": "abc"}, D("2")) == D("0.00")
    assert parse_number("９５．８") == D("95.8")
    assert parse_number("1,234.5") == D("1234.5")
    assert parse_number("NaN") is None


def test_matching_per_pair():
    key = {
        "pairs": [
            {"left": "一般", "right": "2小时"},
            {"left": "重大", "right": "4小时"},
            {"left": "特殊", "right": "8小时"},
        ]
    }
    assert grade_response("matching", key, [], {"pairs": ["2小时", "8小时", "8小时"]}, D("3")) == D("2.00")
    assert grade_response("matching", key, [], {"pairs": ["2小时", "4小时", "8小时"]}, D("3")) == D("3.00")
    assert grade_response("matching", key, [], {"pairs": [None]}, D("3")) == D("0.00")


def test_essay_goes_to_a_human_and_description_scores_nothing():
    assert grade_response("essay", {}, [], {"text": "..."}, D("10")) is None
    assert grade_response("description", {}, [], None, D("0")) == D("0")


def test_is_answered():
    assert is_answered("single", {"choice": ["A"]})
    assert not is_answered("single", {"choice": []})
    assert is_answered("truefalse", {"answer": False})
    assert not is_answered("fill", {"blanks": ["", " "]})
    assert not is_answered("essay", None)
