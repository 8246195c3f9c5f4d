"""The half-yearly rules R1–R5 on crafted histories, at the half-year boundaries in Beijing time, and the
board colours at their thresholds."""

import datetime as dt

import pytest
from sqlalchemy import event

from core.extensions import db
from core.notifications import Notification
from drills.compliance import build_board, evaluate_cell, load_facts
from drills.evaluation_models import ActionStatus, CorrectiveAction, Finding, FindingKind, Severity
from drills.halfyear import HalfYear, half_year_of
from drills.models import ContentType, DrillScope, DrillStatus, IncidentType, Tier
from drills.planner import notify_compliance, propose_half
from drills.settings import Settings
from tests import factories as base
from tests.drills.factories import ALL, bare_drill, local, plan, unit

H1_2026 = HalfYear(2026, 1)
H2_2026 = HalfYear(2026, 2)
SETTINGS = Settings(rules_start="2025H1")


def cell(u, half, today: str, settings=SETTINGS):
    facts = load_facts([u], half.end_utc)
    return evaluate_cell(u.id, half, facts, dt.date.fromisoformat(today), settings)


def lines(c):
    return {(line.rule, line.status) for line in c.lines}


def test_half_year_boundaries_in_beijing_time():
    assert half_year_of(local("2026-06-30 23:30")) == H1_2026
    assert half_year_of(local("2026-07-01 00:00")) == H2_2026
    # 2026-06-30 16:30 UTC is already 1 July in Beijing
    assert half_year_of(dt.datetime(2026, 6, 30, 16, 30, tzinfo=dt.UTC)) == H2_2026
    assert half_year_of(dt.datetime(2026, 6, 30, 15, 59, tzinfo=dt.UTC)) == H1_2026
    assert str(HalfYear.parse("2026h2")) == "2026H2"
    with pytest.raises(ValueError):
        HalfYear.parse("2026H3")


def test_drill_late_on_30_june_counts_in_h1():
    u, p = unit(), plan()
    bare_drill(u, p, "2026-06-30 23:30", reported_after_days=3)
    assert cell(u, H1_2026, "2026-07-05").state == "green"
    assert ("R1", "fail") in lines(cell(u, H2_2026, "2027-01-05"))


def test_drill_at_midnight_1_july_counts_in_h2_not_h1():
    u, p = unit(), plan()
    bare_drill(u, p, "2026-07-01 00:00", reported_after_days=3)
    h1 = cell(u, H1_2026, "2026-07-05")
    assert h1.state == "red" and ("R1", "fail") in lines(h1)


def test_r1_needs_a_counted_comprehensive_drill():
    u, p = unit(), plan()
    bare_drill(u, p, "2026-03-01 09:00", scope=DrillScope.SINGLE)
    assert ("R1", "fail") in lines(cell(u, H1_2026, "2026-07-10"))
    bare_drill(u, plan(IncidentType.EQUIPMENT), "2026-04-01 09:00", tier=Tier.FAIL)
    c = cell(u, H1_2026, "2026-07-10")
    assert ("R1", "fail") in lines(c) and "不合格" in c.lines[0].text
    bare_drill(u, plan(IncidentType.NATURAL), "2026-05-01 09:00", tier=Tier.PASS)
    assert cell(u, H1_2026, "2026-07-10").state == "green"


def test_r1_a_drill_not_yet_evaluated_does_not_count():
    u, p = unit(), plan()
    bare_drill(u, p, "2026-05-01 09:00", status=DrillStatus.EVALUATING, tier=None, reported_after_days=None)
    c = cell(u, H1_2026, "2026-05-10")
    assert ("R1", "pending") in lines(c)


def test_r2_repeating_the_previous_counted_incident_type():
    u, p = unit(), plan(IncidentType.BLACKOUT)
    bare_drill(u, p, "2025-10-01 09:00")
    bare_drill(u, p, "2026-03-01 09:00")
    c = cell(u, H1_2026, "2026-07-10")
    assert ("R2", "fail") in lines(c) and c.state == "red"


def test_r2_repeat_is_judged_against_the_previous_counted_drill_only():
    u, p = unit(), plan(IncidentType.BLACKOUT)
    bare_drill(u, p, "2025-10-01 09:00")
    bare_drill(u, plan(IncidentType.EQUIPMENT), "2025-12-01 09:00", tier=Tier.FAIL)  # failed: does not count
    bare_drill(u, p, "2026-03-01 09:00")
    assert ("R2", "fail") in lines(cell(u, H1_2026, "2026-07-10"))


def test_r2_every_plan_type_covered_over_four_half_years():
    u = unit(kind="station")
    types = [IncidentType.BLACKOUT, IncidentType.EQUIPMENT, IncidentType.NATURAL]
    plans = {t: plan(t, kinds=["station"]) for t in types}
    plan(IncidentType.CYBER, kinds=["center"])  # does not apply to a station
    bare_drill(u, plans[IncidentType.BLACKOUT], "2025-03-01 09:00")
    bare_drill(u, plans[IncidentType.EQUIPMENT], "2025-09-01 09:00")
    bare_drill(u, plans[IncidentType.BLACKOUT], "2026-03-01 09:00")
    bare_drill(u, plans[IncidentType.EQUIPMENT], "2026-09-01 09:00")
    c = cell(u, H2_2026, "2027-01-02")
    assert c.state == "red"
    failing = [line for line in c.lines if line.rule == "R2" and line.status == "fail"]
    assert failing and "自然灾害" in failing[0].text or "Natural" in failing[0].text
    bare_drill(u, plans[IncidentType.NATURAL], "2026-11-01 09:00")
    assert cell(u, H2_2026, "2027-01-02").state == "green"


def test_r2_window_starting_before_the_rules_is_not_checked():
    u = unit(kind="station")
    plan(IncidentType.EQUIPMENT, kinds=["station"])
    p = plan(IncidentType.BLACKOUT, kinds=["station"])
    bare_drill(u, p, "2025-03-01 09:00")
    c = cell(u, HalfYear(2025, 1), "2025-07-02")
    assert ("R2", "na") in lines(c) and c.state == "green"


def test_r3_four_content_types_together():
    u = unit()
    bare_drill(u, plan(), "2026-02-01 09:00", content=[ContentType.SIMULATED_EVENT, ContentType.RESPONSE])
    c = cell(u, H1_2026, "2026-07-02")
    assert ("R3", "fail") in lines(c)
    bare_drill(
        u,
        plan(IncidentType.EQUIPMENT),
        "2026-04-01 09:00",
        scope=DrillScope.SINGLE,
        content=[ContentType.CUSTOMER_COMMS, ContentType.MATERIALS],
    )
    assert ("R3", "ok") in lines(cell(u, H1_2026, "2026-07-02"))


@pytest.mark.parametrize(("days", "ok"), [(15, True), (16, False)])
def test_r4_report_within_15_days(days, ok):
    u = unit()
    bare_drill(u, plan(), "2026-03-01 23:00", reported_after_days=days)
    c = cell(u, H1_2026, "2026-07-02")
    assert (("R4", "ok") in lines(c)) is ok
    assert (c.state == "green") is ok


def test_r4_missing_report_fails_once_due():
    u = unit()
    bare_drill(
        u, plan(), "2026-06-01 09:00", status=DrillStatus.EVALUATING, tier=None, reported_after_days=None
    )
    assert not any(
        line.rule == "R4" and line.status == "fail" for line in cell(u, H1_2026, "2026-06-16").lines
    )
    assert ("R4", "fail") in lines(cell(u, H1_2026, "2026-06-17"))


def _deficiency(drill, due: dt.date, status=ActionStatus.IN_PROGRESS, closed_at=None):
    finding = Finding(
        drill=drill,
        kind=FindingKind.IMPROVEMENT,
        severity=Severity.DEFICIENCY,
        element="plan",
        title="通信中断",
    )
    db.session.add(finding)
    db.session.add(
        CorrectiveAction(
            finding=finding,
            owner=base.employee(),
            unit_id=drill.unit_id,
            description="修复",
            due_date=due,
            status=status,
            closed_at=closed_at,
        )
    )
    db.session.flush()


def test_r5_no_overdue_deficiency_at_half_year_end():
    u = unit()
    d = bare_drill(u, plan(), "2026-03-01 09:00")
    _deficiency(d, dt.date(2026, 6, 29))
    c = cell(u, H1_2026, "2026-07-02")
    assert ("R5", "fail") in lines(c) and c.state == "red"


def test_r5_due_on_the_last_day_is_not_overdue_at_the_end():
    u = unit()
    d = bare_drill(u, plan(), "2026-03-01 09:00")
    _deficiency(d, dt.date(2026, 6, 30))
    assert cell(u, H1_2026, "2026-07-02").state == "green"


def test_r5_closed_before_the_end_is_fine():
    u = unit()
    d = bare_drill(u, plan(), "2026-03-01 09:00")
    _deficiency(d, dt.date(2026, 5, 1), status=ActionStatus.CLOSED, closed_at=local("2026-06-20 10:00"))
    assert cell(u, H1_2026, "2026-07-02").state == "green"


@pytest.mark.parametrize(
    ("today", "state"),
    [
        ("2026-10-31", "open"),
        ("2026-11-01", "amber"),
        ("2026-11-30", "amber"),
        ("2026-12-01", "amber_escalated"),
        ("2026-12-20", "amber_escalated"),
        ("2026-12-21", "red"),
    ],
)
def test_colours_with_no_drill_at_the_thresholds(today, state):
    # H2 ends 31 Dec: 61 days before is 31 Oct; 60 → amber; 30 → escalated; 10 → red.
    u = unit()
    plan()
    assert cell(u, H2_2026, today).state == state


def test_an_approved_drill_stops_the_first_amber():
    u, p = unit(), plan()
    bare_drill(u, p, "2026-12-15 09:00", status=DrillStatus.APPROVED, tier=None, reported_after_days=None)
    c = cell(u, H2_2026, "2026-11-15")
    assert c.state == "amber"  # rules still unmet inside the amber window, but not for want of a drill
    assert cell(u, H2_2026, "2026-12-05").state == "amber_escalated"  # 26 days left, not conducted
    assert cell(u, H2_2026, "2026-12-25").state == "red"


def test_conducted_but_unevaluated_is_red_ten_days_before_the_end():
    u, p = unit(), plan()
    bare_drill(u, p, "2026-12-01 09:00", status=DrillStatus.EVALUATING, tier=None, reported_after_days=None)
    assert cell(u, H2_2026, "2026-12-10").state == "amber"
    assert cell(u, H2_2026, "2026-12-21").state == "red"


def test_future_half_year_lists_planned_drills():
    u, p = unit(), plan()
    bare_drill(u, p, "2027-03-01 09:00", status=DrillStatus.PLANNED, tier=None, reported_after_days=None)
    c = cell(u, HalfYear(2027, 1), "2026-11-26")
    assert c.state == "future" and len(c.drills) == 1


def test_board_uses_a_few_queries(app):
    units = [unit() for _ in range(5)]
    p = plan()
    for u in units:
        bare_drill(u, p, "2026-03-01 09:00")
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        board = build_board(units, [HalfYear(2025, 2), H1_2026, H2_2026], local("2026-11-26 12:00"), SETTINGS)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(board.rows) == 5 and all(len(cells) == 3 for _u, cells in board.rows)
    assert len(statements) <= 4


def test_notify_compliance_never_twice_for_the_same_state():
    parent = unit(kind="company")
    u = unit(parent=parent)
    plan()
    trainer = base.user(grants=[("trainer", parent)])

    def titles(half):
        return [
            n.title
            for n in db.session.query(Notification).filter_by(user_id=trainer.id)
            if u.name in n.title and half in n.title
        ]

    notify_compliance(local("2026-11-15 08:00"))
    assert len(titles("2026年下半年")) == 1  # amber
    assert len(titles("2026年上半年")) == 1  # the ended half year is red
    notify_compliance(local("2026-11-16 08:00"))
    assert len(titles("2026年下半年")) == 1 and len(titles("2026年上半年")) == 1
    notify_compliance(local("2026-12-05 08:00"))  # escalated: a new state is notified
    assert len(titles("2026年下半年")) == 2
    assert len(titles("2026年上半年")) == 1


def test_plan_next_half_proposes_drills_meeting_r1_to_r3():
    u = unit(kind="station")
    plans = {
        t: plan(t, kinds=["station"])
        for t in (IncidentType.BLACKOUT, IncidentType.EQUIPMENT, IncidentType.NATURAL)
    }
    bare_drill(u, plans[IncidentType.BLACKOUT], "2025-03-01 09:00")
    bare_drill(u, plans[IncidentType.EQUIPMENT], "2025-09-01 09:00")
    bare_drill(u, plans[IncidentType.BLACKOUT], "2026-09-01 09:00")
    proposals = [p for p in propose_half([u], HalfYear(2027, 1), SETTINGS) if p.unit.id == u.id]
    assert proposals[0].scope == DrillScope.FULL
    assert set(proposals[0].content_types) == set(ALL)
    assert proposals[0].incident_type != IncidentType.BLACKOUT  # differs from the previous counted drill
    # window 2025H2–2027H1 lacks natural disaster: it must be proposed
    assert IncidentType.NATURAL in {p.incident_type for p in proposals}
    assert all(HalfYear.of(p.starts_at) == HalfYear(2027, 1) for p in proposals)


def test_plan_next_half_assumes_pending_drills_will_count():
    u = unit(kind="station")
    plans = {t: plan(t, kinds=["station"]) for t in (IncidentType.BLACKOUT, IncidentType.EQUIPMENT)}
    bare_drill(u, plans[IncidentType.BLACKOUT], "2026-03-01 09:00")
    bare_drill(
        u,
        plans[IncidentType.EQUIPMENT],
        "2026-12-10 09:00",
        status=DrillStatus.APPROVED,
        tier=None,
        reported_after_days=None,
    )
    proposals = propose_half([u], HalfYear(2027, 1), SETTINGS)
    assert proposals[0].incident_type == IncidentType.BLACKOUT  # not the equipment drill planned just before
