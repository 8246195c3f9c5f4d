import pytest

from accounts.passwords import policy_problems
from accounts.validators import national_id_check_digit, national_id_problem, phone_is_valid
from core.privacy import mask_national_id, mask_phone


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("11010519900101123", "2")],
)
def test_gb11643_check_digit(first17, check):
    assert national_id_check_digit(first17) == check


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("11010519491231002X", None),
        ("11010519491231002x", None),  # lower-case x is normalised
        ("110105194912310021", "check_digit"),
        ("110105194902300021", "birthdate"),
        ("1101051949123100", "format"),
        ("11010519491231002Y", "format"),
    ],
)
def test_national_id_problems(value, problem):
    assert national_id_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("13812345678", True),
        ("+86 138 1234 5678", True),
        ("0571-87654321", True),
        ("12345678901", False),
        ("1381234567", False),
        ("abc", False),
    ],
)
def test_phone_numbers(value, ok):
    assert phone_is_valid(value) is ok


def test_masks():
    assert mask_national_id("110105199001011232") == "110***********1232"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_national_id(None) == "" and mask_phone("") == ""


def test_password_policy(app):
    with app.app_context():
        assert policy_problems("correct horse battery") == []
        assert policy_problems("short")
        assert policy_problems("12345678")
        assert policy_problems("Password123")  # common, case-insensitive
        assert policy_problems("aaaaaaaaaa")  # one repeated character
        assert policy_problems("kf000001", employee_no="KF000001")
        assert policy_problems("alllowercaseletters") == []  # no composition rules
