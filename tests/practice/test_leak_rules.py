"""What practice must not give away: reserved questions, the questions of an exam whose window is open for
the person, and categories not opened for them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.extensions import db
from exams import runtime
from exams.models import ResultsRelease
from practice import mistakes, rules, runs
from practice.errors import PracticeError
from practice.models import Mistake, Mode, Source
from tests import factories
from tests.exams import factories as exam_factories
from tests.practice.helpers import NOW, learner, open_bank


def _practised_ids(user, now=NOW) -> set[int]:
    return set(db.session.scalars(rules.practisable(user.employee, now)))


def test_a_reserved_question_never_shows(db):
    _cat, _kp, questions = open_bank(3)
    questions[0].exam_only = True
    user = learner()
    assert _practised_ids(user) == {q.id for q in questions[1:]}
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    assert questions[0].id not in [item[0] for item in run.items]


def test_an_open_exams_questions_never_show_while_its_window_is_open(db):
    _cat, _kp, questions = open_bank(3)
    user = learner()
    exam = exam_factories.exam(exam_factories.blueprint([questions[0]]), audience_employees=[user.employee])
    assert questions[0].id not in _practised_ids(user, NOW)
    # Someone outside the audience may practise it; so may the candidate once the window has closed.
    assert questions[0].id in _practised_ids(learner(), NOW)
    assert questions[0].id in _practised_ids(user, exam.closes_at + dt.timedelta(minutes=1))


def test_a_window_opening_during_a_run_skips_the_question(db):
    _cat, _kp, questions = open_bank(2)
    user = learner()
    before = NOW - dt.timedelta(days=3)
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), before)
    exam_factories.exam(exam_factories.blueprint([questions[0]]), audience_employees=[user.employee])
    position, version = runs.current_question(run, user.employee, NOW)
    assert version.question_id == questions[1].id and position == 1


def test_a_draw_rule_blocks_everything_it_may_draw(db):
    category, _kp, questions = open_bank(3)
    user = learner()
    exam_factories.exam(
        exam_factories.blueprint(draw=[{"count": 1, "category_id": category.id}]),
        audience_employees=[user.employee],
    )
    assert _practised_ids(user) == set()


def test_only_categories_opened_for_the_persons_department(db):
    branch = factories.department()
    team = factories.department(parent=branch)
    _cat, _kp, questions = open_bank(2, department=branch)
    inside, outside = learner(department=team), learner()
    assert _practised_ids(inside) == {q.id for q in questions}
    assert _practised_ids(outside) == set()
    with pytest.raises(PracticeError):
        runs.start_run(outside.employee, Mode.RANDOM, runs.Filters(), NOW)


def test_exam_mistakes_appear_only_once_the_answers_are_shown(db):
    _cat, _kp, questions = open_bank(1)
    user = learner()
    exam = exam_factories.exam(
        exam_factories.blueprint([questions[0]]),
        audience_employees=[user.employee],
        results_release=ResultsRelease.AFTER_CLOSE,
        show_answers=True,
    )
    attempt = runtime.start_attempt(exam, user.employee, NOW)
    runtime.save_answer(attempt.id, user.employee_id, 1, 1, {"choice": ["B"]}, NOW)
    runtime.submit_attempt(attempt, NOW)
    assert mistakes.import_exam_answers(user.employee, NOW) == 0
    assert db.session.scalar(select(Mistake).where(Mistake.employee_id == user.employee_id)) is None
    after = exam.closes_at + dt.timedelta(minutes=1)
    assert mistakes.import_exam_answers(user.employee, after) == 1
    entry = db.session.scalar(select(Mistake).where(Mistake.employee_id == user.employee_id))
    assert entry.source == Source.EXAM and entry.exam_id == exam.id and entry.times_wrong == 1
    assert mistakes.import_exam_answers(user.employee, after) == 0  # once per attempt


def test_exam_mistakes_never_appear_when_the_exam_hides_answers(db):
    _cat, _kp, questions = open_bank(1)
    user = learner()
    exam = exam_factories.exam(
        exam_factories.blueprint([questions[0]]), audience_employees=[user.employee], show_answers=False
    )
    attempt = runtime.start_attempt(exam, user.employee, NOW)
    runtime.save_answer(attempt.id, user.employee_id, 1, 1, {"choice": ["B"]}, NOW)
    runtime.submit_attempt(attempt, NOW)
    assert mistakes.import_exam_answers(user.employee, exam.closes_at + dt.timedelta(days=1)) == 0
