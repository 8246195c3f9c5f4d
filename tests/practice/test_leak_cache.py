"""The blocked set is kept per person between question pages (practice/rules.py, issue 17 §5); these check
that what changes while a window is open still reaches the next page, and what the probe cannot see reaches
it once the cache's time is up."""

from __future__ import annotations

import pytest

from practice import rules, runs
from practice.models import Mode
from tests.exams import factories as exam_factories
from tests.practice.helpers import NOW, learner, open_bank


@pytest.fixture(autouse=True)
def _fresh_cache():
    rules.clear_blocked_cache()
    yield
    rules.clear_blocked_cache()


def _shown(run, user) -> int:
    position, version = runs.current_question(run, user.employee, NOW)
    return version.question_id


def test_an_audience_joined_while_the_window_is_open_skips_the_question_on_the_next_page(db):
    _cat, _kp, questions = open_bank(3)
    user, other = learner(), learner()
    exam = exam_factories.exam(exam_factories.blueprint([questions[1]]), audience_employees=[other.employee])
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    assert questions[1].id in [item[0] for item in run.items]
    assert _shown(run, user) == questions[0].id  # the cache now holds "nothing blocked" for this person
    exam.audience.append(
        exam_factories.ExamAudience(kind=exam_factories.AudienceKind.EMPLOYEE, target_id=user.employee_id)
    )
    db.session.flush()
    run.position = 1
    assert _shown(run, user) == questions[2].id


def test_an_exam_published_while_its_window_is_open_skips_the_question_on_the_next_page(db):
    _cat, _kp, questions = open_bank(3)
    user = learner()
    exam = exam_factories.exam(
        exam_factories.blueprint([questions[1]]), audience_employees=[user.employee], published=False
    )
    run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
    assert _shown(run, user) == questions[0].id
    exam.published = True
    db.session.flush()
    run.position = 1
    assert _shown(run, user) == questions[2].id


def test_what_the_probe_cannot_see_reaches_the_page_when_the_cache_time_is_up(db, monkeypatch):
    """A question published into an open exam's draw rule (no frozen pool yet) changes no exam row: the
    cached set misses it until ``BLOCKED_TTL`` has passed, then it is blocked."""
    category, _kp, questions = open_bank(1)
    user = learner()
    exam_factories.exam(
        exam_factories.blueprint(draw=[{"count": 1, "category_id": category.id}]),
        audience_employees=[user.employee],
    )
    clock = [1000.0]
    monkeypatch.setattr(rules.time, "monotonic", lambda: clock[0])
    assert rules.blocked_for_page(user.employee, NOW) == {questions[0].id}
    added = exam_factories.question("single", cat=category)
    db.session.flush()
    clock[0] += rules.BLOCKED_TTL - 1
    assert added.id not in rules.blocked_for_page(user.employee, NOW)  # the documented delay
    clock[0] += 2
    assert rules.blocked_for_page(user.employee, NOW) == {questions[0].id, added.id}


def test_people_of_one_audience_share_one_kept_set(db):
    _cat, _kp, questions = open_bank(2)
    first, second = learner(), learner()
    exam_factories.exam(
        exam_factories.blueprint([questions[0]]), audience_employees=[first.employee, second.employee]
    )
    mine, theirs = rules.blocked_for_page(first.employee, NOW), rules.blocked_for_page(second.employee, NOW)
    assert mine == theirs == {questions[0].id} and mine is theirs
