"""Versioning, duplicates, filtering and the functions exams calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from core.extensions import db as _db
from core.models import utcnow
from question_bank import history, services
from question_bank.content import QuestionData
from question_bank.models import Question, QuestionVersion
from tests import factories as people
from tests.question_bank import factories

NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def test_editing_published_question_creates_new_version_and_keeps_old(db):
    author = people.user(grants=[("trainer", None)])
    question = factories.question(author=author)
    first = question.current_version
    old_stem, old_options = first.stem_html, [dict(o) for o in first.options]
    data = services.version_data(first, question)
    data.stem_html = "重大故障的响应时间不超过多少？"
    data.key = {"correct": ["C"]}
    data.options = [{**o, "fraction": "1" if o["id"] == "C" else "0"} for o in data.options]
    second = services.edit_question(question, data, author, NOW, note="改为重大故障")
    db.session.flush()
    db.session.expire_all()
    versions = db.session.scalars(
        select(QuestionVersion)
        .where(QuestionVersion.question_id == question.id)
        .order_by(QuestionVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    assert (
        versions[0].stem_html == old_stem
        and versions[0].options == old_options
        and versions[0].key == {"correct": ["B"]}
    )
    assert (
        versions[1].id == second.id
        and versions[1].change_note == "改为重大故障"
        and versions[1].created_by_id == author.id
    )
    assert question.current_version_id == second.id
    assert question.stem_text == "重大故障的响应时间不超过多少?"


def test_used_version_is_frozen_even_for_drafts(db):
    question = factories.question(status="draft")
    first = question.current_version
    services.mark_version_used(services.get_version(first.id))
    data = services.version_data(first, question)
    data.explanation = "新解析"
    second = services.edit_question(question, data, people.user(), NOW)
    assert second.id != first.id and first.explanation == "§3.3"


def test_unused_draft_is_edited_in_place_and_no_change_makes_no_version(db):
    question = factories.question(status="draft")
    first = question.current_version
    data = services.version_data(first, question)
    assert services.edit_question(question, data, people.user(), NOW) is first
    data.explanation = "改"
    assert services.edit_question(question, data, people.user(), NOW) is first
    assert first.explanation == "改" and len(question.versions) == 1


def test_invalid_content_is_refused(db):
    data = factories.single_data()
    data.key = {"correct": ["Z"]}
    with pytest.raises(services.QuestionError):
        services.create_question(data, factories.category(), None, NOW)


def test_duplicates_found_after_normalisation(db):
    factories.question(data=factories.single_data("<p>一般故障，响应时间不超过多少？</p>"))
    assert services.duplicates_of("一般故障 响应时间不超过多少?")
    assert not services.duplicates_of("重大故障响应时间不超过多少？")


def test_list_filters_and_chinese_search(db):
    admin = people.user(grants=[("admin", None)])
    cat = factories.category()
    factories.question(
        cat, factories.single_data("应急演练每半年至少组织一次？", chapter=6, tags=["应急演练"])
    )
    factories.question(cat, factories.single_data("服务之星评选的依据是什么？", chapter=7, difficulty=4))
    factories.question(cat, factories.single_data("一般故障响应时限？", chapter=3), status="draft")
    find = lambda **kw: [q.name for q in services.list_questions(admin, services.QuestionFilter(**kw)).items]  # noqa: E731
    assert find(text="半年") == ["应急演练每半年至少组织一次？"]
    assert find(text="服务之星") == ["服务之星评选的依据是什么？"]
    assert find(text="100%_") == []
    assert find(chapter=7) == ["服务之星评选的依据是什么？"]
    assert find(difficulty=4) == ["服务之星评选的依据是什么？"]
    assert find(status="draft") == ["一般故障响应时限？"]
    tag_id = db.session.scalar(select(Question).where(Question.chapter == 6)).tags[0].id
    assert find(tag_id=tag_id) == ["应急演练每半年至少组织一次？"]
    page = services.list_questions(admin, services.QuestionFilter(category_id=cat.id))
    assert page.total == 3 and not page.has_next


def test_list_uses_fixed_number_of_queries(db):
    admin = people.user(grants=[("admin", None)])
    cat = factories.category()
    for _ in range(30):
        factories.question(cat)
    db.session.flush()
    db.session.expire_all()
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        page = services.list_questions(admin, services.QuestionFilter())
        for q in page.items:
            _ = (q.category.name, [t.name for t in q.tags], q.author)
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert len(page.items) == 30
    assert len(statements) <= 6


def test_questions_matching_for_blueprints(db):
    top = factories.category("应急")
    child = factories.category("演练", top)
    factories.question(child, factories.single_data(chapter=6, tags=["应急演练"], difficulty=2))
    factories.question(top, factories.single_data(chapter=3, difficulty=4))
    factories.question(top, factories.single_data(chapter=6), status="retired")
    count = lambda q: db.session.scalar(select(func.count()).select_from(q.subquery()))  # noqa: E731
    assert count(services.questions_matching(category_ids=[top.id])) == 2
    assert count(services.questions_matching(category_ids=[child.id])) == 1
    assert count(services.questions_matching(chapters=[6])) == 1
    assert count(services.questions_matching(tags=["应急演练"])) == 1
    assert count(services.questions_matching(types=["single"], difficulties=[4])) == 1
    assert count(services.questions_matching(status="retired")) == 1


def test_compare_versions_side_by_side(db):
    question = factories.question()
    data = services.version_data(question.current_version, question)
    data.points = Decimal(2)
    first = question.current_version
    second = services.edit_question(question, data, people.user(), utcnow())
    rows = history.compare_versions(first, second)
    changed = [r for r in rows if r[0] != "equal"]
    assert changed == [("replace", "Points: 1", "Points: 2")]


def test_bulk_retag_move_retire(db):
    cat, other = factories.category(), factories.category()
    questions = [factories.question(cat) for _ in range(3)]
    services.bulk_retag(questions, ["新标签"], ["响应时限"], NOW)
    assert all([t.name for t in q.tags] == ["新标签"] for q in questions)
    services.bulk_move(questions[:2], other, NOW)
    services.bulk_status(questions, "retired", NOW)
    assert [q.category_id for q in questions] == [other.id, other.id, cat.id]
    assert {q.status for q in questions} == {"retired"}


def test_description_and_fill_validation(db):
    bad_fill = QuestionData(type="fill", stem_html="无空", key={"blanks": [["a"]]})
    with pytest.raises(services.QuestionError):
        services.create_question(bad_fill, factories.category(), None, NOW)


def test_form_edit_keeps_what_the_form_does_not_show(db):
    """Option feedback is not in the form: kept while the key is unchanged. Multiple-choice weights are
    in the form (they come back as the user left them); single-choice weights are not, so they are kept."""
    old = QuestionVersion(
        type="multiple",
        options=[
            {"id": "A", "html": "yellow", "fraction": "0.5", "feedback": "good"},
            {"id": "B", "html": "red", "fraction": "-1", "feedback": "no"},
            {"id": "C", "html": "beige", "fraction": "0.5", "feedback": ""},
        ],
        key={"correct": ["A", "C"]},
    )
    data = QuestionData(
        type="multiple",
        stem_html="x",
        options=[
            {"id": i, "html": h, "fraction": f, "feedback": ""}
            for i, h, f in (("A", "yellow!", "0.6"), ("B", "red", "-0.5"), ("C", "beige", "0.4"))
        ],  # fmt: skip
        key={"correct": ["A", "C"]},
    )
    services.keep_unexposed_fields(old, data)
    assert [(o["html"], o["fraction"], o["feedback"]) for o in data.options] == [
        ("yellow!", "0.6", "good"),
        ("red", "-0.5", "no"),
        ("beige", "0.4", ""),
    ]
    changed = QuestionData(
        type="multiple",
        stem_html="x",
        options=[dict(o, feedback="") for o in data.options],
        key={"correct": ["A", "B"]},
    )
    services.keep_unexposed_fields(old, changed)
    assert [o["feedback"] for o in changed.options] == ["", "", ""]  # the key changed: nothing carried over
    single_old = QuestionVersion(
        type="single",
        options=[
            {"id": "A", "html": "2小时", "fraction": "1", "feedback": ""},
            {"id": "B", "html": "3小时", "fraction": "0.5", "feedback": "接近"},
        ],
        key={"correct": ["A"]},
    )
    single = QuestionData(
        type="single",
        stem_html="x",
        options=[
            {"id": "A", "html": "2小时", "fraction": "1", "feedback": ""},
            {"id": "B", "html": "3小时", "fraction": "0", "feedback": ""},
        ],
        key={"correct": ["A"]},
    )
    services.keep_unexposed_fields(single_old, single)
    assert [(o["fraction"], o["feedback"]) for o in single.options] == [("1", ""), ("0.5", "接近")]


def test_every_html_field_is_sanitised_whatever_the_source(db):
    """A Moodle XML file's <gridready> extension could carry a reference answer with markup; every field
    the pages render as HTML is cleaned when the question is stored (form, import or edit)."""
    from question_bank.importing import parse_file, run_import

    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><quiz><question type="essay"><name><text>论述</text></name>'
        '<questiontext format="html"><text><![CDATA[<p>论述题<script>alert(1)</script></p>]]></text></questiontext>'
        "<gridready>"
        + '{"key": {"reference_html": "<img src=x onerror=alert(1)><form action=/logout method=post><button>x</button></form><b>要点</b>", "evil": "<script>"}}'.replace(
            "<", "&lt;"
        ).replace(">", "&gt;")
        + "</gridready></question></quiz>"
    ).encode()
    parsed = parse_file(xml, "moodlexml")
    assert not parsed.problems, parsed.problems
    run_import(parsed, None, NOW, base_path="导入")
    version = db.session.scalar(select(QuestionVersion).where(QuestionVersion.type == "essay"))
    reference = version.key["reference_html"]
    assert "<b>要点</b>" in reference
    for bad in ("onerror", "<form", "<script", "<button"):
        assert bad not in reference and bad not in version.stem_html
    assert "evil" not in version.key
    # The service path (forms, edits) cleans the same fields.
    data = QuestionData(
        type="single",
        stem_html="<p onclick=x>题</p>",
        options=[
            {
                "id": "A",
                "html": "<a href='javascript:x'>甲</a>",
                "fraction": "1",
                "feedback": "<script>1</script>好",
            },
            {"id": "B", "html": "乙", "fraction": "0", "feedback": ""},
        ],
        key={"correct": ["A"]},
        explanation="<iframe src=x></iframe>解析",
    )
    question = services.create_question(data, factories.category(), None, NOW)
    stored = question.current_version
    assert "onclick" not in stored.stem_html and "javascript" not in stored.options[0]["html"]
    assert stored.options[0]["feedback"] == "好" and stored.explanation == "解析"
