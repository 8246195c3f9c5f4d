"""Practising: feedback, idempotent retries, resuming, the mistake book's mastering, mastery, points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.extensions import db
from exams.models import Attempt
from incentives.models import PointEntry, PointRule, Trigger
from incentives.services import RuleData, save_rule
from practice import mastery, mistakes, recording, runs
from practice.errors import RunClosed
from practice.models import Mistake, Mode
from tests.exams import factories as exam_factories
from tests.practice.helpers import NOW, later, learner, open_bank, right, wrong
from training.models import Course, QualificationRecord


def _answer(run, q, response, now=NOW):
    return runs.answer(run, run.position, response, now)


def test_instant_feedback_and_a_retry_returns_the_first_answer(db):
    _cat, _kp, questions = open_bank(2)
    user = learner()
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    first = runs.answer(run, 0, wrong(questions[0]), NOW)
    assert first.feedback and first.answer.correct is False
    again = runs.answer(run, 0, right(questions[0]), later(1))  # the phone retried the lost request
    assert again.answer.id == first.answer.id and again.answer.correct is False
    assert run.position == 1 and run.answered_count == 1


def test_sequential_practice_resumes_where_the_person_stopped(db):
    _cat, _kp, questions = open_bank(3)
    user = learner()
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    _answer(run, questions[0], right(questions[0]))
    again = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), later(60))
    assert again.id == run.id
    assert runs.current_question(again, user.employee, later(60))[0] == 1


def test_a_mistake_is_mastered_after_two_rights_in_a_row_and_kept_as_history(db):
    _cat, _kp, questions = open_bank(1)
    q = questions[0]
    user = learner()
    run = runs.start_run(user.employee, Mode.RANDOM, runs.Filters(), NOW)
    _answer(run, q, wrong(q))
    entry = db.session.scalar(select(Mistake).where(Mistake.employee_id == user.employee_id))
    assert entry.times_wrong == 1 and entry.mastered_at is None
    for minutes in (1, 2):
        run = runs.start_run(user.employee, Mode.MISTAKES, runs.Filters(), later(minutes))
        _answer(run, q, right(q), later(minutes))
        if minutes == 1:
            assert entry.mastered_at is None and entry.streak == 1
    assert entry.mastered_at == later(2)
    active, _page = mistakes.book(user.employee, mistakes.BookFilters())
    history, _page = mistakes.book(user.employee, mistakes.BookFilters(mastered=True))
    assert active == [] and history == [entry]
    # A new wrong answer puts it back on the active list.
    run = runs.start_run(user.employee, Mode.RANDOM, runs.Filters(), later(3))
    _answer(run, q, wrong(q), later(3))
    assert entry.mastered_at is None and entry.times_wrong == 2 and entry.times_mastered == 1


def test_mastered_after_is_configurable(app, db):
    _cat, _kp, questions = open_bank(1)
    q = questions[0]
    user = learner()
    app.config["PRACTICE_MASTERED_AFTER"] = 1
    try:
        run = runs.start_run(user.employee, Mode.RANDOM, runs.Filters(), NOW)
        _answer(run, q, wrong(q))
        run = runs.start_run(user.employee, Mode.MISTAKES, runs.Filters(), later(1))
        _answer(run, q, right(q), later(1))
    finally:
        app.config["PRACTICE_MASTERED_AFTER"] = 2
    assert db.session.scalar(select(Mistake.mastered_at)) == later(1)


def test_mastery_is_unknown_below_three_answers_then_the_share_of_the_last_ten(db):
    _cat, kp, questions = open_bank(12)
    user = learner()
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    for q in questions[:2]:
        _answer(run, q, wrong(q))
    row = next(r for r in mastery.person_mastery(user.employee) if r.point.id == kp.id)
    assert row.value is None and row.band == "unknown"
    for q in questions[2:12]:
        _answer(run, q, right(q))
    row = next(r for r in mastery.person_mastery(user.employee) if r.point.id == kp.id)
    assert row.value == Decimal("1.00") and row.answered == 10  # the two early wrongs fell out
    section = next(r for r in mastery.person_mastery(user.employee) if r.point.id == kp.parent_id)
    assert section.value == Decimal("1.00")  # the section counts the answers on its points


def test_weak_points_recommend_the_courses_covering_them(db):
    _cat, kp, questions = open_bank(3)
    course = Course(code="T-1", title="响应时限培训", knowledge_points=[kp])
    db.session.add(course)
    user = learner()
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    for q in questions:
        _answer(run, q, wrong(q))
    _strong, weak = mastery.strong_and_weak(user.employee)
    assert [r.point.id for r in weak] == [kp.id]
    assert [c.code for c, _points in mastery.recommended_courses([kp.id])] == ["T-1"]


def test_practice_never_touches_exam_scores_qualifications_or_certificates(db):
    _cat, _kp, questions = open_bank(2)
    user = learner()
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    for q in questions:
        _answer(run, q, right(q))
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(QualificationRecord)) == 0


def test_mock_exam_is_timed_scored_and_gives_no_feedback_until_the_end(db):
    category, _kp, questions = open_bank(3)
    user = learner()
    exam = exam_factories.exam(
        exam_factories.blueprint(draw=[{"count": 2, "category_id": category.id}]),
        purpose="certification",
        opens_at=NOW + dt.timedelta(days=5),
        closes_at=NOW + dt.timedelta(days=6),
        audience_employees=[user.employee],
    )
    assert runs.certification_exams(user.employee, NOW) == [exam]
    run = runs.start_mock(user.employee, exam, NOW, seed=1)
    assert len(run.items) == 2 and run.deadline_at == NOW + dt.timedelta(minutes=60)
    q = db.session.get(type(questions[0]), run.items[0][0])
    outcome = runs.answer(run, 0, right(q), NOW)
    assert outcome.feedback is False
    with pytest.raises(RunClosed):
        runs.answer(run, 1, right(q), NOW + dt.timedelta(minutes=61))
    assert run.score == Decimal("2") and run.max_score == Decimal("4")


def _practice_rule(active: bool) -> PointRule:
    return save_rule(
        RuleData(code="PRACTICE-T", name="练习", description="", trigger=Trigger.PRACTICE_RIGHT,
                 category="training", points=Decimal(1), cap=Decimal(2), cap_period="day", active=active)
    )  # fmt: skip


def _points(user) -> Decimal:
    return db.session.scalar(
        select(func.coalesce(func.sum(PointEntry.points), 0)).where(
            PointEntry.employee_id == user.employee_id
        )
    )


def test_practice_points_only_through_an_active_rule_capped_per_day_and_once_per_question(db):
    _cat, _kp, questions = open_bank(4)
    user = learner()
    rule = _practice_rule(active=False)
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    _answer(run, questions[0], right(questions[0]))
    assert _points(user) == 0  # off by default
    rule.active = True
    again = runs.start_run(user.employee, Mode.RANDOM, runs.Filters(), NOW)
    for index, _item in enumerate(again.items):
        q = db.session.get(type(questions[0]), again.items[index][0])
        runs.answer(again, index, right(q), NOW)
    assert _points(user) == 2  # four rights, one point each, capped at 2 a day
    next_day = runs.start_run(user.employee, Mode.RANDOM, runs.Filters(), NOW + dt.timedelta(days=1))
    q = db.session.get(type(questions[0]), next_day.items[0][0])
    runs.answer(next_day, 0, right(q), NOW + dt.timedelta(days=1))
    runs.answer(next_day, 1, right(db.session.get(type(q), next_day.items[1][0])), NOW + dt.timedelta(days=1))
    assert _points(user) == 4


def test_department_sums_follow_each_answer_and_match_a_rebuild(db):
    from practice.models import DepartmentMastery
    from practice.recording import rebuild_department_mastery
    from tests import factories

    _cat, kp, questions = open_bank(5)
    team = factories.department()
    people = [learner(department=team) for _ in range(2)]
    for index, user in enumerate(people):
        run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
        for q in questions[: 3 + index]:
            _answer(run, q, right(q) if index else wrong(q))

    def sums():
        return {
            (r.department_id, r.knowledge_point_id): (r.people, r.share_sum.quantize(Decimal("0.01")))
            for r in db.session.scalars(select(DepartmentMastery))
        }

    live = sums()
    assert live[(team.id, kp.id)] == (2, Decimal("1.00"))  # one at 0 %, one at 100 %
    rebuild_department_mastery()
    assert sums() == live
    cells = mastery.heatmap([team], [kp], None).cells
    assert cells[(team.id, kp.id)].value == Decimal("0.50") and cells[(team.id, kp.id)].people == 2


def test_the_books_counts_come_in_one_statement_and_follow_the_filters(db):
    """(matching the filters, active, mastered): the tabs count every entry, the pager only the filtered."""
    _cat, _kp, questions = open_bank(3)
    questions[0].chapter, questions[1].chapter, questions[2].chapter = 3, 4, 3
    user = learner()
    for q in questions:
        recording.record_mistake(user.employee_id, q.id, False, NOW)
    recording.record_mistake(user.employee_id, questions[2].id, True, NOW)
    recording.record_mistake(user.employee_id, questions[2].id, True, NOW)  # mastered (two in a row)
    from tests.practice.test_speed import Statements

    with Statements() as counted:
        assert mistakes.book_counts(user.employee, mistakes.BookFilters()) == (2, 2, 1)
    assert len(counted.sql) == 1
    assert mistakes.book_counts(user.employee, mistakes.BookFilters(chapter=3)) == (1, 2, 1)
    assert mistakes.book_counts(user.employee, mistakes.BookFilters(chapter=3, mastered=True)) == (1, 2, 1)
    entries, total = mistakes.book(user.employee, mistakes.BookFilters(chapter=3))
    assert total == 1 and [e.question_id for e in entries] == [questions[0].id]
