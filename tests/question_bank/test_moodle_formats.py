"""GIFT and Moodle XML importers: Moodle's own fixture files with Moodle's outcome, our own samples for
escapes and safety (XXE, entity expansion, encodings)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import utcnow
from question_bank import importing
from question_bank.errors import FormatError
from question_bank.formats import gift, moodlexml
from question_bank.models import Category, Question

SHARED = Path(os.environ.get("GRIDREADY_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared"))
INTEROP = SHARED / "fixtures" / "interop"
needs_fixtures = pytest.mark.skipif(
    not INTEROP.is_dir(), reason=f"Moodle interop fixtures not found at {INTEROP} (set GRIDREADY_SHARED)"
)


def fixture(name: str) -> bytes:
    return (INTEROP / name).read_bytes()


def _import(app, data: bytes, fmt: str, base: str = ""):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = importing.parse_file(data, fmt)
        return parsed, importing.run_import(parsed, None, utcnow(), base_path=base, import_duplicates=True)


@needs_fixtures
def test_gift_questions_fixture_types_fractions_feedback(app, db):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = gift.parse(fixture("gift-questions.gift.txt"))
    assert parsed.problems == []
    assert [(q.name, q.type) for q in parsed.questions] == [
        ("Q8", "essay"),
        ("Moodle activities", "matching"),
        ("Q2", "single"),
        ("colours", "multiple"),
        ("Q5", "numerical"),
        ("Shortanswer", "fill"),
        ("Q1", "truefalse"),
        ("2-08 TSL", "truefalse"),
        ("2-08 TSL", "truefalse"),
    ]
    q = {q.name: q for q in parsed.questions}
    assert q["Moodle activities"].stem_html == "Match the <b>activity</b> to the description."
    assert q["Moodle activities"].key["pairs"][1] == {
        "left": "A teacher asks a question and specifies a choice of multiple responses.",
        "right": "Choice",
    }
    assert q["Moodle activities"].key["distractors"] == ["Chat"]
    assert [(o["html"], o["fraction"], o["feedback"]) for o in q["Q2"].options] == [
        ("yellow", "1", "right; good!"),
        ("red", "0", "wrong, it's yellow"),
        ("blue", "0", "wrong, it's yellow"),
    ]
    assert [o["fraction"] for o in q["colours"].options] == ["0.5", "-1", "0.5", "-1"]
    assert q["colours"].key == {"correct": ["A", "C"]}
    assert q["Q5"].key["answers"] == [
        {"value": "3", "tolerance": "2", "fraction": "1", "feedback": ""},
        {"value": "*", "tolerance": "", "fraction": "0", "feedback": "Completely wrong"},
    ]
    short = q["Shortanswer"].key
    assert short["blanks"] == [["Frog"]]
    assert [(a["text"], a["fraction"], a["feedback"]) for a in short["answers"]] == [
        ("Frog", "1", "Good!"),
        ("Cat", "0.5", "What is it with Moodlers and cats?"),
        ("*", "0", "Completely wrong"),
    ]
    tf = q["Q1"]
    assert tf.key == {
        "answer": False,
        "true_feedback": "42 is the Ultimate Answer.",
        "false_feedback": "You gave the right answer.",
    }
    assert (
        tf.explanation
        == tf.general_feedback
        == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    )
    _parsed, summary = _import(app, fixture("gift-questions.gift.txt"), "gift")
    assert summary["created"] == 9


@needs_fixtures
def test_gift_in_category_creates_category_and_unescapes(app, db):
    _parsed, summary = _import(app, fixture("gift-questions_in_category.gift.txt"), "gift")
    assert summary["counts"] == {"fill": 1, "matching": 1, "single": 1, "truefalse": 1}
    category = db.session.scalar(select(Category).where(Category.name == "Default for New Features"))
    assert category is not None and category.parent_id is None
    greeting = db.session.scalar(select(Question).where(Question.name == "Greeting"))
    assert greeting.category_id == category.id
    stem = greeting.current_version.stem_html
    assert (
        'href="http://demo.moodle.net/file.php/5/media/bonjour.mp3"' in stem
        and "Listen to this greeting:</a>" in stem
    )
    acronym = db.session.scalar(select(Question).where(Question.name == "Moodle acronym"))
    assert acronym.current_version.key["answer"] is True
    assert "Modular Object-Oriented Dynamic Learning Environment" in acronym.current_version.stem_html


@needs_fixtures
def test_xml_nested_categories_build_the_tree(app, db):
    _parsed, summary = _import(app, fixture("moodlexml-nested_categories_with_questions.xml"), "moodlexml")
    assert summary["created"] == 5 and summary["counts"] == {"essay": 1, "truefalse": 4}
    lam = db.session.scalar(select(Category).where(Category.name == "Lambda"))
    names = [db.session.get(Category, int(i)).name for i in lam.path.strip("/").split("/")]
    assert names == ["Iota", "Kappa", "Lambda"]
    assert lam.description == "This is Lambda category for test"
    mu = db.session.scalar(select(Category).where(Category.name == "Mu"))
    assert mu.parent.name == "Iota"
    question = db.session.scalar(select(Question).where(Question.name == "Lambda Question"))
    assert question.category_id == lam.id and question.idnumber is None
    assert question.current_version.stem_html == "<p>Testing Lambda Question</p>"


@needs_fixtures
def test_xml_course_prefix_and_special_chars_in_idnumbers(app, db):
    _parsed, summary = _import(app, fixture("moodlexml-html_chars_in_idnumbers.xml"), "moodlexml")
    assert summary["created"] == 1
    question = db.session.scalar(select(Question).where(Question.name == "Alpha Question"))
    assert question.idnumber == "T & F"
    assert question.category.name == "Alpha" and question.category.idnumber == "The inequalities < & >"


@needs_fixtures
def test_xml_invalid_grades_rejected_naming_question(app, db):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = importing.parse_file(fixture("moodlexml-error_invalid_grades.xml"), "moodlexml")
        assert len(parsed.problems) == 1
        message = str(parsed.problems[0])
        assert "Question with <strong>invalid grades</strong> : x > 1 & x < 2" in message
        assert "Invalid grade(s): 0.33" in message
        with pytest.raises(importing.ImportRejected):
            importing.run_import(parsed, None, utcnow())
    assert db.session.scalar(select(Question.id)) is None


@needs_fixtures
def test_xml_broken_cloze_rejected_naming_each_question(app, db):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = importing.parse_file(fixture("moodlexml-broken_cloze_questions.xml"), "moodlexml")
    assert parsed.questions == []
    assert len(parsed.problems) == 5
    assert "Multichoice subquestion with only one choice" in str(parsed.problems[2])
    assert all("cloze" in p.reason for p in parsed.problems)


@needs_fixtures
def test_cli_import_fixture_and_rejection(app, db):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["questions", "import", str(INTEROP / "gift-questions.gift.txt"), "--dry-run"])
    assert ok.exit_code == 0, ok.output
    assert "truefalse: 3" in ok.output and "Dry run" in ok.output
    bad = runner.invoke(args=["questions", "import", str(INTEROP / "moodlexml-error_invalid_grades.xml")])
    assert bad.exit_code == 1
    assert "Invalid grade(s): 0.33" in bad.output


# ---------------------------------------------------------------- our own samples


GIFT_ESCAPES = r"""// [id:ESC-1] [tag:电费] [tag:计量]
::Escapes\: all::What is 2 \+ 2 \= ? Use \{braces\} and \~tilde and \#hash.{
=four \= 4#right \: yes
~five
}

$CATEGORY: $module$/top/营销/电费

::Plain::Which number?{#4:0.5}
"""


def test_gift_escapes_idnumber_tags_and_module_category(app, db):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = gift.parse(GIFT_ESCAPES.encode())
    assert parsed.problems == []
    first, second = parsed.questions
    assert first.name == "Escapes: all"
    assert first.stem_html == "What is 2 \\+ 2 = ? Use {braces} and ~tilde and #hash."
    assert first.options[0]["html"] == "four = 4" and first.options[0]["feedback"] == "right : yes"
    assert first.idnumber == "ESC-1" and first.tags == ["电费", "计量"]
    assert first.category_path == [] and second.category_path == ["营销", "电费"]
    assert second.key["answers"][0]["tolerance"] == "0.5"


def test_gift_not_utf8_is_rejected_with_offset(app):
    data = "::Q:: Café {T}".encode("cp1252")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(FormatError) as caught:
            gift.parse(data)
        message = str(caught.value)
        parsed = importing.parse_file(data, "gift")
    assert "UTF-8" in message and "offset 9" in message
    assert parsed.questions == [] and "UTF-8" in str(parsed.problems[0])


def test_gift_unbalanced_braces_and_bad_grade(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = gift.parse(b"::A:: broken {=x ~y\n\n::B:: grade {~%33%a ~%67%b}\n")
    reasons = [str(p) for p in parsed.problems]
    assert any("“A”" in r and "Braces" in r for r in reasons)
    assert any("“B”" in r and "Invalid grade" in r for r in reasons)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&xxe;</text></name><questiontext><text>x</text></questiontext></question></quiz>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz><question type="essay"><name><text>&lol3;</text></name></question></quiz>"""


@pytest.mark.parametrize("data", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_xml_entities_refused(app, db, data):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(FormatError):
            moodlexml.parse(data)
        parsed = importing.parse_file(data, "moodlexml")
    assert parsed.questions == [] and "refused" in str(parsed.problems[0])


def test_xml_unsupported_types_and_shortanswer(app):
    xml = b"""<?xml version="1.0" encoding="UTF-8"?><quiz>
<question type="calculated"><name><text>Calc one</text></name><questiontext format="html"><text>x</text></questiontext></question>
<question type="shortanswer"><name><text>SA</text></name><questiontext format="html"><text><![CDATA[<p>Capital of France?</p>]]></text></questiontext>
<usecase>1</usecase><answer fraction="100"><text>Paris</text><feedback><text>Yes</text></feedback></answer>
<answer fraction="50"><text>paris</text></answer></question>
<question type="ddwtos"><name><text>Drag it</text></name></question></quiz>"""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = moodlexml.parse(xml)
    assert [p.where for p in parsed.problems] == ["question “Calc one”", "question “Drag it”"]
    assert parsed.questions[0].key["case_sensitive"] is True
    assert parsed.questions[0].key["blanks"] == [["Paris"]]
    assert parsed.questions[0].stem_html == "<p>Capital of France?</p>{{1}}"


def test_xml_script_in_stem_is_sanitised(app):
    xml = b"""<quiz><question type="truefalse"><name><text>S</text></name>
<questiontext format="html"><text><![CDATA[<p onclick="x()">Hi<script>alert(1)</script><img src="http://evil/x.png"></p>]]></text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>"""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parsed = moodlexml.parse(xml)
    assert parsed.questions[0].stem_html == "<p>Hi<img></p>"
