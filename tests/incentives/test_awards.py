"""Automatic awards through core.signals: each event pays once, even when sent twice or replayed."""

from decimal import Decimal

from sqlalchemy import func, select

from core import signals
from core.extensions import db as _db
from incentives import ledger
from incentives.models import ExamScore, PointEntry
from tests.incentives.factories import NOW, employee, rules, stand_in


def _lines(emp):
    return _db.session.scalars(
        select(PointEntry).where(PointEntry.employee_id == emp.id).order_by(PointEntry.id)
    ).all()


def test_exam_passed_pays_pass_excellence_and_first_attempt_once(db):
    rules()
    emp = employee()
    attempt, exam = stand_in(41, max_score=100), stand_in(9, title="供电服务规范考试")
    kwargs = dict(
        employee=emp,
        exam=exam,
        score=Decimal(96),
        max_score=Decimal(100),
        first_attempt=True,
        source_key="exam-attempt:41",
        now=NOW,
    )
    signals.exam_passed.send(attempt, **kwargs)
    signals.exam_passed.send(attempt, **kwargs)  # replayed
    lines = _lines(emp)
    assert sorted(line.rule.code for line in lines) == ["EXAM_95", "EXAM_FIRST", "EXAM_PASS"]
    assert ledger.balance(emp.id) == Decimal("13.0")
    assert "供电服务规范考试" in lines[0].source_label
    assert all(line.author_id is None for line in lines)  # automatic


def test_excellence_uses_the_percentage_of_the_paper_and_resit_gets_no_first_attempt_bonus(db):
    rules()
    emp = employee()
    signals.exam_passed.send(
        stand_in(42),
        employee=emp,
        exam=stand_in(9),
        score=Decimal(140),
        max_score=Decimal(150),
        first_attempt=False,
        source_key="exam-attempt:42",
        now=NOW,
    )
    # 140/150 = 93.3 % < 95 %: only the pass counts.
    assert [line.rule.code for line in _lines(emp)] == ["EXAM_PASS"]


def test_training_pays_per_hour_once(db):
    rules()
    emp = employee()
    for _ in range(2):
        signals.training_completed.send(
            stand_in(5),
            employee=emp,
            course=stand_in(3, title="客户服务礼仪"),
            hours=Decimal("1.5"),
            source_key="enrolment:5",
            now=NOW,
        )
    lines = _lines(emp)
    assert len(lines) == 1 and lines[0].points == Decimal("3.0")  # 2 points × 1.5 h


def test_qualification_drill_and_corrective_action_each_pay_once(db):
    rules()
    emp = employee()
    for _ in range(2):
        signals.qualification_granted.send(
            stand_in(1),
            employee=emp,
            certificate_type=stand_in(2, name="电工进网作业许可证"),
            source_key="qualification:1",
            now=NOW,
        )
        signals.drill_participated.send(
            stand_in(8),
            employee=emp,
            drill=stand_in(4),
            role="participant",
            hours=Decimal(2),
            source_key="drill-participant:8",
            now=NOW,
        )
        signals.drill_evaluated.send(
            stand_in(4), drill=stand_in(4), tier="excellent", score=Decimal(92), participants=[emp], now=NOW
        )
        signals.corrective_action_closed.send(
            stand_in(6), owner=emp, on_time=True, source_key="corrective-action:6", now=NOW
        )
    codes = sorted(line.rule.code for line in _lines(emp))
    assert codes == ["ACTION_ON_TIME", "DRILL_EXCELLENT", "DRILL_JOIN", "QUALIFICATION"]
    assert ledger.balance(emp.id) == Decimal("23.0")


def test_no_points_for_a_late_action_or_a_drill_not_rated_excellent(db):
    rules()
    emp = employee()
    signals.corrective_action_closed.send(
        stand_in(6), owner=emp, on_time=False, source_key="corrective-action:6", now=NOW
    )
    signals.drill_evaluated.send(
        stand_in(4), drill=stand_in(4), tier="good", score=Decimal(80), participants=[emp], now=NOW
    )
    assert _lines(emp) == []


def test_inactive_rule_pays_nothing(db):
    all_rules = rules()
    all_rules["EXAM_PASS"].active = False
    emp = employee()
    signals.exam_passed.send(
        stand_in(43),
        employee=emp,
        exam=stand_in(9),
        score=Decimal(70),
        max_score=Decimal(100),
        first_attempt=False,
        source_key="exam-attempt:43",
        now=NOW,
    )
    assert _lines(emp) == []


def test_a_concurrent_duplicate_is_absorbed_by_the_unique_key_without_breaking_the_transaction(
    db, monkeypatch
):
    """The check-then-insert misses (as when two workers replay at once): the unique constraint refuses
    the second row inside a SAVEPOINT and the sender's transaction carries on."""
    all_rules = rules()
    emp = employee()
    first = ledger.award(
        all_rules["EXAM_PASS"], emp, Decimal(5), source_key="exam-attempt:50", source_label="x", now=NOW
    )
    real = ledger._existing
    calls = {"n": 0}

    def miss_once(*args):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args)

    monkeypatch.setattr(ledger, "_existing", miss_once)
    again = ledger.award(
        all_rules["EXAM_PASS"], emp, Decimal(5), source_key="exam-attempt:50", source_label="x", now=NOW
    )
    assert again.id == first.id
    # The transaction still works: more writes and reads succeed.
    emp2 = employee()
    assert emp2.id
    assert db.session.scalar(select(func.count(PointEntry.id)).where(PointEntry.employee_id == emp.id)) == 1


def test_attempt_graded_feeds_the_exam_score_read_model(db):
    emp = employee()
    signals.attempt_graded.send(
        stand_in(60),
        employee=emp,
        exam=stand_in(9),
        score=Decimal(55),
        passed=False,
        source_key="exam-attempt:60",
        now=NOW,
    )
    signals.attempt_graded.send(
        stand_in(60),
        employee=emp,
        exam=stand_in(9),
        score=Decimal(55),
        passed=False,
        source_key="exam-attempt:60",
        now=NOW,
    )
    signals.exam_passed.send(
        stand_in(61),
        employee=emp,
        exam=stand_in(9),
        score=Decimal(45),
        max_score=Decimal(50),
        first_attempt=False,
        source_key="exam-attempt:61",
        now=NOW,
    )
    signals.attempt_graded.send(
        stand_in(61),
        employee=emp,
        exam=stand_in(9),
        score=Decimal(45),
        passed=True,
        source_key="exam-attempt:61",
        now=NOW,
    )
    rows = db.session.scalars(
        select(ExamScore).where(ExamScore.employee_id == emp.id).order_by(ExamScore.attempt_id)
    ).all()
    assert [(r.attempt_id, r.percentage, r.passed) for r in rows] == [
        (60, Decimal("55.0"), False),
        (61, Decimal("90.0"), True),  # 45 of 50, the total known from exam_passed
    ]


def test_attempt_graded_uses_the_paper_total_it_carries(db):
    emp = employee()
    signals.attempt_graded.send(
        stand_in(70),
        employee=emp,
        exam=stand_in(9),
        score=Decimal(45),
        max_score=Decimal(50),
        passed=True,
        source_key="exam-attempt:70",
        now=NOW,
    )
    row = db.session.scalar(select(ExamScore).where(ExamScore.employee_id == emp.id))
    assert row.max_score == Decimal(50) and row.percentage == Decimal(90)
