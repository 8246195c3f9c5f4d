"""Ranking with tie-breaks and eligibility on a crafted dataset; the service-star workflow."""

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.notifications import Notification
from incentives import selection as star
from incentives.awards import record_exam_score
from incentives.commendation import issue_commendation
from incentives.eligibility import missing_required_qualifications
from incentives.errors import IncentiveError
from incentives.models import SelectionStatus
from incentives.periods import period_of
from incentives.ranking import leaderboard
from tests import factories
from tests.incentives.factories import NOW, entry, rules, stand_in
from tests.training import factories as training_factories
from training.models import QualificationRecord

Q2 = period_of("quarter", 2026, 2)


@pytest.fixture
def unit(app, db):
    """A unit with a team below it and six people with crafted points, complaints and exam scores.

    A 30 (no complaint, exam 90)  B 30 (no complaint, exam 80)  C 30 (1 complaint, so 40 - 10)
    D 20                          E 0                           F (left the company)
    """
    with app.test_request_context():
        all_rules = rules()
        root = factories.department("城东供电分公司", kind="branch")
        team = factories.department("营业班", parent=root)
        people = {}
        for key, dept in zip("ABCDEF", [root, team, team, root, team, team], strict=True):
            people[key] = factories.user(
                department=dept, name=f"员工{key}", employee_no=f"S{key}001"
            ).employee
        people["F"].status = "left"
        praise, complaint = all_rules["PRAISE"], all_rules["COMPLAINT"]
        for key, amounts in {"A": [8, 8, 8, 6], "B": [15, 15], "C": [20, 20], "D": [20]}.items():
            for amount in amounts:
                entry(people[key], praise, points=amount)
        entry(people["C"], complaint)  # C: 40 - 10 = 30
        entry(people["A"], praise, points=50, when=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))  # Q1: not counted
        for key, score, attempt in [("A", 90, 1), ("B", 80, 2), ("C", 99, 3)]:
            record_exam_score(
                attempt,
                employee=people[key],
                exam=stand_in(1),
                score=Decimal(score),
                passed=True,
                source_key=f"exam-attempt:{attempt}",
                now=NOW,
                max_score=Decimal(100),
            )
        trainer = factories.user(grants=[("trainer", root)])
        hr = factories.user(grants=[("hr", root)])
        yield root, people, trainer, hr


def test_leaderboard_sums_the_period_in_sql_and_shares_ranks(unit):
    root, people, _t, _h = unit
    board = leaderboard(root, Q2)
    assert [(s.name, s.points, s.rank) for s in board] == [
        ("员工A", Decimal(30), 1),
        ("员工B", Decimal(30), 1),
        ("员工C", Decimal(30), 1),
        ("员工D", Decimal(20), 4),
        ("员工E", Decimal(0), 5),
    ]  # F has left: not listed
    team_board = leaderboard(people["B"].department, Q2)
    assert [s.name for s in team_board] == ["员工B", "员工C", "员工E"]


def test_tie_breaks_fewest_complaints_then_higher_exam_average(unit, app):
    root, _people, _t, _h = unit
    with app.test_request_context():
        ranked = star.candidates(root, Q2, "fewest_complaints,higher_exam_average")
        assert [(c.employee.name, c.position) for c in ranked] == [
            ("员工A", 1),
            ("员工B", 2),
            ("员工C", 3),
            ("员工D", 4),
            ("员工E", 5),
        ]
        assert [c.eligible for c in ranked] == [True, True, False, True, False]
        assert "投诉" in " ".join(map(str, ranked[2].reasons)) or "complaint" in " ".join(
            map(str, ranked[2].reasons)
        )
        assert ranked[4].reasons  # no points
        # Exam average first: C (99) would lead, then A (90), B (80).
        by_exam = star.candidates(root, Q2, "higher_exam_average")
        assert [c.employee.name for c in by_exam][:3] == ["员工C", "员工A", "员工B"]
        # No tie-break: A, B and C share first place.
        assert [c.position for c in star.candidates(root, Q2, "")][:4] == [1, 1, 1, 4]


def test_star_workflow_nominate_approve_publish(unit, app, db, client):
    root, people, trainer, hr = unit
    with app.test_request_context():
        selection = star.open_selection(
            root,
            Q2,
            user=trainer,
            max_nominees=2,
            tie_breaks="fewest_complaints,higher_exam_average",
            now=NOW,
        )
        with pytest.raises(IncentiveError):
            star.open_selection(root, Q2, user=trainer, max_nominees=2, tie_breaks="", now=NOW)
        with pytest.raises(IncentiveError):  # C had a valid complaint
            star.nominate(selection, [(people["C"].id, "优秀")], user=trainer, now=NOW)
        with pytest.raises(IncentiveError):  # more than N
            star.nominate(selection, [(people[k].id, "优秀") for k in "ABD"], user=trainer, now=NOW)
        with pytest.raises(IncentiveError):  # a citation is required
            star.nominate(selection, [(people["A"].id, " ")], user=trainer, now=NOW)
        star.nominate(
            selection, [(people["A"].id, "服务热情周到"), (people["B"].id, "业务熟练")], user=trainer, now=NOW
        )
        assert selection.status == SelectionStatus.NOMINATED
        assert db.session.scalar(select(Notification).where(Notification.user_id == hr.id))
        with pytest.raises(IncentiveError):  # only HR approves
            star.approve_selection(selection, user=trainer, now=NOW)  # not HR either
        star.return_selection(selection, user=hr, reason="请补充事迹", now=NOW)
        assert selection.status == SelectionStatus.DRAFT
        star.nominate(selection, [(people["A"].id, "服务热情周到")], user=trainer, now=NOW)
        star.approve_selection(selection, user=hr, now=NOW)
    assert selection.status == SelectionStatus.PUBLISHED
    nomination = selection.nominations[0]
    assert nomination.rank == 1 and nomination.points == Decimal(30)
    cert = nomination.certificate
    assert cert.kind == "commendation" and cert.employee_id == people["A"].id
    assert cert.sha256 == hashlib.sha256(cert.pdf).hexdigest()
    text = PdfReader(io.BytesIO(cert.pdf)).pages[0].extract_text()
    assert "员工A" in text and "荣获" in text and "城东供电分公司服务之星（2026年第二季度）" in text
    assert star.stars_of(people["A"].id) == [nomination]
    # Approving twice cannot issue twice; the public verification page of the shared store knows it.
    with app.test_request_context():
        issue_commendation(nomination, NOW)
    assert nomination.certificate.id == cert.id
    page = client.get(f"/verify/{cert.verification_code}")
    assert page.status_code == 200 and "员工A" in page.get_data(as_text=True)


def test_hr_who_nominated_cannot_approve(unit, app):
    root, people, _trainer, hr = unit
    with app.test_request_context():
        selection = star.open_selection(root, Q2, user=hr, max_nominees=1, tie_breaks="", now=NOW)
        star.nominate(selection, [(people["A"].id, "服务热情周到")], user=hr, now=NOW)
        assert not star.can_approve_selection(hr, selection)
        with pytest.raises(IncentiveError):
            star.approve_selection(selection, user=hr, now=NOW)


def test_selection_outside_scope_is_refused(unit, app):
    _root, _people, trainer, _hr = unit
    with app.test_request_context(), pytest.raises(IncentiveError):
        star.open_selection(
            factories.department("江北供电分公司"), Q2, user=trainer, max_nominees=1, tie_breaks="", now=NOW
        )


def test_required_qualifications_must_be_current_on_the_last_day_of_the_period(unit, app, db):
    root, people, _t, _h = unit
    position = factories.position("电工")
    licence = training_factories.certificate_type(name="电工进网作业许可证", positions=[position])
    for key in "ABD":
        people[key].position = position
    db.session.flush()

    def record(emp, issued, expires, revoked=None):
        db.session.add(
            QualificationRecord(
                employee=emp,
                certificate_type=licence,
                number=f"N{emp.id}",
                issued_on=issued,
                expires_on=expires,
                revoked_at=revoked,
            )
        )

    record(people["A"], dt.date(2025, 7, 1), dt.date(2026, 6, 30))  # valid to the last day of Q2
    record(people["B"], dt.date(2025, 1, 1), dt.date(2026, 6, 29))  # expired the day before
    record(people["D"], dt.date(2025, 1, 1), None, revoked=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    db.session.flush()
    assert missing_required_qualifications(people["A"], dt.date(2026, 6, 30)) == []
    assert missing_required_qualifications(people["B"], dt.date(2026, 6, 30)) == ["电工进网作业许可证"]
    assert missing_required_qualifications(people["B"], dt.date(2026, 6, 29)) == []
    assert missing_required_qualifications(people["E"], dt.date(2026, 6, 30)) == []  # post requires none
    with app.test_request_context():
        ranked = {c.employee.name: c for c in star.candidates(root, Q2, "fewest_complaints")}
        assert ranked["员工A"].eligible
        assert not ranked["员工B"].eligible and not ranked["员工D"].eligible
        assert "电工进网作业许可证" in " ".join(map(str, ranked["员工B"].reasons))
