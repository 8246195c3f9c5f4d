"""The runtime rules without HTTP: drawing, audience and window, sequence numbers, deadline, auto-submit,
submit once, signals, results policy, blueprint validation, re-sits."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import signals
from core.audit import AuditEntry
from exams import runtime, services
from exams.models import Attempt, AttemptStatus, BlueprintRule
from tests import factories as base
from tests.exams import factories as f

NOW = f.NOW
MIN = dt.timedelta(minutes=1)


def _setup(db, questions=None, **exam_fields):
    qs = questions or [f.question("single"), f.question("truefalse"), f.question("essay", points="10")]
    exam = f.exam(f.blueprint(qs), **exam_fields)
    user = f.candidate(exam)
    return exam, user.employee, qs


def _items(attempt):
    return runtime.load_items(attempt)


def test_start_freezes_paper_on_versions_and_is_reproducible(db):
    pool = [f.question("single", chapter=6) for _ in range(6)]
    bp = f.blueprint(draw=[{"count": 3, "chapters": [6], "types": ["single"]}])
    exam = f.exam(bp, shuffle_questions=True, shuffle_options=True)
    employee = f.candidate(exam).employee
    attempt = runtime.start_attempt(exam, employee, NOW)
    items = _items(attempt)
    assert len(items) == 3
    assert {i.version_id for i in items} <= {q.current_version_id for q in pool}
    assert all(sorted(i.option_order) == ["A", "B", "C"] for i in items)
    assert all(db.session.get(type(pool[0].current_version), i.version_id).used for i in items)
    # Same seed → same questions in the same order.
    redraw = services.draw_paper(bp, attempt.seed, shuffle_questions=True)
    assert [d.version.id for d in redraw] == [i.version_id for i in items]
    assert attempt.deadline == NOW + dt.timedelta(minutes=60)
    assert attempt.max_score == Decimal("6.00")
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "attempt.start")
        )
        == 1
    )


def test_deadline_is_capped_by_window_close(db):
    exam, employee, _ = _setup(db, closes_at=NOW + 20 * MIN)
    attempt = runtime.start_attempt(exam, employee, NOW)
    assert attempt.deadline == NOW + 20 * MIN


def test_refused_outside_window_and_outside_audience(db):
    exam, employee, _ = _setup(db)
    with pytest.raises(services.ExamError, match="not opened"):
        runtime.start_attempt(exam, employee, exam.opens_at - MIN)
    with pytest.raises(services.ExamError, match="closed"):
        runtime.start_attempt(exam, employee, exam.closes_at)
    stranger = base.user().employee
    with pytest.raises(services.NotAvailable):
        runtime.start_attempt(exam, stranger, NOW)
    exam.published = False
    with pytest.raises(services.NotAvailable):
        runtime.start_attempt(exam, employee, NOW)


def test_audience_by_department_subtree_and_position(db):
    root = base.department("中心")
    team = base.department("一班", parent=root)
    pos = base.position()
    exam = f.exam(audience_departments=[root])
    inside = base.employee(department=team)
    outside = base.employee(department=base.department("别处"), position=pos)
    assert services.in_audience(exam, inside)
    assert not services.in_audience(exam, outside)
    services.set_audience(exam, positions=[pos.id])
    assert services.in_audience(exam, outside) and not services.in_audience(exam, inside)
    assert [e.id for e in services.candidate_exams(outside, NOW)] == [exam.id]


def test_audience_list_matches_the_per_person_rule(db):
    """audience_employees (one query, used by the department summary) agrees with in_audience."""
    root = base.department("中心")
    team = base.department("一班", parent=root)
    sibling = base.department("中心二")  # its path does not start with the root's
    pos = base.position()
    people = [
        base.employee(department=root),
        base.employee(department=team),
        base.employee(department=sibling),
        base.employee(department=sibling, position=pos),
        base.employee(department=base.department("别处")),
        base.employee(department=team, status="left"),
    ]
    named = base.employee(department=base.department("外单位"))
    exam = f.exam(audience_departments=[root], audience_employees=[named])
    services.set_audience(exam, departments=[root.id], positions=[pos.id], employees=[named.id])
    listed = {e.id for e in services.audience_employees(exam)}
    assert listed == {people[0].id, people[1].id, people[3].id, named.id}
    active = [p for p in [*people, named] if p.status == "active"]
    assert listed == {p.id for p in active if services.in_audience(exam, p)}
    assert services.audience_employees(f.exam()) == []


def test_resume_returns_the_open_attempt_and_attempt_limit(db):
    exam, employee, _ = _setup(db, max_attempts=2)
    first = runtime.start_attempt(exam, employee, NOW)
    assert runtime.start_attempt(exam, employee, NOW + MIN).id == first.id
    runtime.submit_attempt(first, NOW + 2 * MIN)
    second = runtime.start_attempt(exam, employee, NOW + 3 * MIN)
    assert second.number == 2
    runtime.submit_attempt(second, NOW + 4 * MIN)
    with pytest.raises(services.ExamError, match="all 2 attempts"):
        runtime.start_attempt(exam, employee, NOW + 5 * MIN)


def test_second_open_attempt_is_refused_by_the_database(db):
    from sqlalchemy.exc import IntegrityError

    exam, employee, _ = _setup(db)
    first = runtime.start_attempt(exam, employee, NOW)
    clone = Attempt(
        exam_id=exam.id, employee_id=employee.id, number=2, seed=1, started_at=NOW, deadline=first.deadline
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(clone)
        db.session.flush()


def test_sequence_number_rule(db):
    exam, employee, _ = _setup(db)
    attempt = runtime.start_attempt(exam, employee, NOW)
    save = runtime.save_answer
    r = save(attempt.id, employee.id, 1, 5, {"choice": ["B"]}, NOW + MIN)
    assert r.saved and r.seq == 5
    # A retry of an older request cannot overwrite the newer answer; the server says what it kept.
    stale = save(attempt.id, employee.id, 1, 3, {"choice": ["A"]}, NOW + MIN)
    assert not stale.saved and stale.seq == 5 and stale.response == {"choice": ["B"]}
    same = save(attempt.id, employee.id, 1, 5, {"choice": ["C"]}, NOW + MIN)
    assert not same.saved and same.response == {"choice": ["B"]}
    newer = save(attempt.id, employee.id, 1, 6, {"choice": ["A"]}, NOW + MIN)
    assert newer.saved
    item = _items(attempt)[0]
    assert (item.seq, item.response) == (6, {"choice": ["A"]})


def test_save_refuses_bad_input_and_other_people(db):
    exam, employee, _ = _setup(db)
    attempt = runtime.start_attempt(exam, employee, NOW)
    with pytest.raises(runtime.BadAnswer):
        runtime.save_answer(attempt.id, employee.id, 1, 1, {"choice": ["A", "B"]}, NOW)  # single takes one
    with pytest.raises(runtime.BadAnswer):
        runtime.save_answer(attempt.id, employee.id, 2, 1, {"answer": "yes"}, NOW)
    with pytest.raises(runtime.BadAnswer):
        runtime.save_answer(attempt.id, employee.id, 1, 0, {"choice": ["A"]}, NOW)
    with pytest.raises(runtime.BadAnswer):
        runtime.save_answer(attempt.id, employee.id, 3, 1, {"text": "x" * 20_001}, NOW)
    with pytest.raises(services.NotAvailable):
        runtime.save_answer(attempt.id, base.employee().id, 1, 1, {"choice": ["A"]}, NOW)
    with pytest.raises(services.NotAvailable):
        runtime.save_answer(attempt.id, employee.id, 99, 1, {"choice": ["A"]}, NOW)


def test_deadline_refuses_saves_and_auto_submit_keeps_what_was_saved_before(db):
    exam, employee, qs = _setup(db, duration_minutes=30)
    attempt = runtime.start_attempt(exam, employee, NOW)
    runtime.save_answer(attempt.id, employee.id, 1, 1, {"choice": ["A"]}, NOW + 29 * MIN)
    with pytest.raises(runtime.AttemptClosed, match="Time is up"):
        runtime.save_answer(attempt.id, employee.id, 2, 1, {"answer": True}, NOW + 30 * MIN)
    assert runtime.expired_attempt_ids(NOW + 29 * MIN) == []
    assert runtime.expired_attempt_ids(NOW + 31 * MIN) == [attempt.id]
    assert runtime.finalise_if_expired(attempt, NOW + 31 * MIN)
    assert attempt.auto_submitted and attempt.submitted_at == NOW + 30 * MIN
    items = _items(attempt)
    assert [i.mark for i in items] == [Decimal("2.00"), Decimal("0.00"), Decimal("0.00")]  # blank essay: 0
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("2.00")
    assert not runtime.finalise_if_expired(attempt, NOW + 32 * MIN)  # idempotent


def test_submit_grades_once_and_sends_signals(db):
    exam, employee, _ = _setup(
        db, questions=[f.question("single"), f.question("truefalse")], pass_percent=Decimal(50)
    )
    attempt = runtime.start_attempt(exam, employee, NOW)
    runtime.save_answer(attempt.id, employee.id, 1, 1, {"choice": ["A"]}, NOW)
    graded, passed = [], []
    with (
        signals.attempt_graded.connected_to(lambda s, **kw: graded.append(kw)),
        signals.exam_passed.connected_to(lambda s, **kw: passed.append(kw)),
    ):
        assert runtime.submit_attempt(attempt, NOW + MIN)
        assert not runtime.submit_attempt(attempt, NOW + 2 * MIN)
    assert attempt.score == Decimal("2.00") and attempt.max_score == Decimal("4.00") and attempt.passed
    assert len(graded) == 1 and graded[0]["source_key"] == f"exam-attempt:{attempt.id}"
    assert (
        len(passed) == 1 and passed[0]["first_attempt"] is True and passed[0]["max_score"] == Decimal("4.00")
    )
    with pytest.raises(runtime.AttemptClosed, match="submitted"):
        runtime.save_answer(attempt.id, employee.id, 1, 9, {"choice": ["B"]}, NOW + 3 * MIN)


def test_essay_waits_for_grading_then_results_policy(db):
    from exams import marking

    exam, employee, _ = _setup(db, results_release="after_grading", pass_percent=Decimal(60))
    attempt = runtime.start_attempt(exam, employee, NOW)
    runtime.save_answer(attempt.id, employee.id, 1, 1, {"choice": ["A"]}, NOW)
    runtime.save_answer(attempt.id, employee.id, 2, 1, {"answer": True}, NOW)
    runtime.save_answer(attempt.id, employee.id, 3, 1, {"text": "按预案分级响应"}, NOW)
    runtime.submit_attempt(attempt, NOW + MIN)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.passed is None
    assert not runtime.score_visible(attempt, NOW + MIN)
    essay = _items(attempt)[2]
    grader = base.user(grants=[("trainer", None)])
    with pytest.raises(services.ExamError):
        marking.grade_item(essay, Decimal("11"), "", grader, NOW + 2 * MIN)
    marking.grade_item(essay, Decimal("5.5"), "要点不全", grader, NOW + 2 * MIN)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == Decimal("9.50")
    # 2 + 2 + 5.5 = 9.5 of 14; pass mark 60 % of 14 = 8.4, so it passes
    assert attempt.passed is True
    assert runtime.score_visible(attempt, NOW + 2 * MIN)


def test_results_after_close_and_answers_policy(db):
    exam, employee, _ = _setup(
        db, questions=[f.question("single")], results_release="after_close", show_answers=True
    )
    attempt = runtime.start_attempt(exam, employee, NOW)
    runtime.submit_attempt(attempt, NOW + MIN)
    assert not runtime.score_visible(attempt, NOW + MIN)
    assert not runtime.answers_visible(attempt, NOW + MIN)
    assert runtime.score_visible(attempt, exam.closes_at)
    assert runtime.answers_visible(attempt, exam.closes_at)
    assert not runtime.explanations_visible(attempt, exam.closes_at)


def test_blueprint_validation_names_the_rule_and_counts(db):
    cat = f.category("营销")
    for _ in range(3):
        f.question("single", chapter=6, cat=cat)
    f.question("single", chapter=6, cat=cat, status="draft")  # drafts are not drawn
    bp = f.blueprint(draw=[{"count": 2, "chapters": [6], "category_id": cat.id}])
    assert services.validate_blueprint(bp) == []
    bp.sections[0].rules.append(
        BlueprintRule(kind="draw", count=2, points=Decimal(1), chapters=[6], category_id=cat.id, position=9)
    )
    db.session.flush()
    problems = services.validate_blueprint(bp)
    assert len(problems) == 1
    assert "rule 2" in problems[0] and "needs 4 questions but the bank has 3" in problems[0]
    draft = f.question("single", status="draft")
    bp.sections[0].rules.append(
        BlueprintRule(kind="fixed", question_id=draft.id, count=1, points=Decimal(1), position=10)
    )
    db.session.flush()
    assert any(f"#{draft.id} is missing or not published" in p for p in services.validate_blueprint(bp))
    with pytest.raises(services.ExamError):
        services.draw_paper(bp, 1)
    empty = f.blueprint()
    assert "no questions" in services.validate_blueprint(empty)[0]


def test_resit_round_is_for_those_who_failed(db):
    exam, employee, _ = _setup(db, questions=[f.question("single")], purpose="certification")
    passer = f.candidate(exam).employee
    for emp, choice in ((employee, "B"), (passer, "A")):
        attempt = runtime.start_attempt(exam, emp, NOW)
        runtime.save_answer(attempt.id, emp.id, 1, 1, {"choice": [choice]}, NOW)
        runtime.submit_attempt(attempt, NOW + MIN)
    resit = services.create_resit(exam, NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=3), None)
    resit.published = True
    assert resit.round_number == 2 and resit.title.endswith("(re-sit 1)")
    assert services.in_audience(resit, employee)
    assert not services.in_audience(resit, passer)
    assert not services.in_audience(resit, base.employee())
