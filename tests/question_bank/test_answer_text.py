"""Fill-in normalisation shared with exams, and the duplicate key of stems."""

from question_bank.answer_text import duplicate_key, fill_blank_correct, fill_blanks_score, normalise_answer


def test_normalise_trims_widens_and_casefolds():
    assert normalise_answer("  ２Ｈ ") == "2h"
    assert normalise_answer("ＡＢＣ", ignore_punctuation=False) == "abc"
    assert normalise_answer("95598。", ignore_punctuation=True) == "95598"
    assert normalise_answer("95598。", ignore_punctuation=False) == "95598。"


def test_fill_blank_accepts_alternatives_after_normalising():
    key = {"blanks": [["2小时", "2h"]], "case_sensitive": False, "ignore_punctuation": True}
    assert fill_blank_correct(" ２Ｈ ", ["2小时", "2h"], key)
    assert fill_blank_correct("2小时。", ["2小时", "2h"], key)
    assert not fill_blank_correct("4小时", ["2小时", "2h"], key)
    assert not fill_blank_correct("", ["2小时"], key)


def test_fill_blank_case_and_punctuation_switches():
    strict = {"case_sensitive": True, "ignore_punctuation": False}
    assert not fill_blank_correct("moodler", ["Moodler"], strict)
    assert fill_blank_correct("Moodler", ["Moodler"], strict)
    assert not fill_blank_correct("Moodler!", ["Moodler"], strict)


def test_fill_blanks_score_counts_each_blank():
    key = {"blanks": [["2小时"], ["4小时"], ["8小时"]], "ignore_punctuation": True}
    assert fill_blanks_score(["2小时", "4小时", "9小时"], key) == (2, 3)


def test_duplicate_key_ignores_tags_width_space_punctuation_case():
    assert duplicate_key("<p>一般故障，响应时间？</p>") == duplicate_key("一般故障 响应时间?")
    assert duplicate_key("ABC test") == duplicate_key("ａｂｃ　TEST。")
    assert duplicate_key("一般故障") != duplicate_key("重大故障")
