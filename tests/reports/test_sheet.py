"""The personal assessment sheet gathers one person's period from every package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reports.periods import dates_period, parse_period
from reports.sheet import build_sheet
from tests.reports.factories import NOW, person_with_records


def test_sheet_gathers_the_half_year_from_every_package(db):
    person = person_with_records()
    sheet = build_sheet(person.employee, parse_period("2026H1", NOW), NOW)

    quals = {q.type_name: q for q in sheet.qualifications}
    assert quals["低压电工作业证"].status == "valid"
    assert quals["低压电工作业证"].expires_on == dt.date(2027, 2, 28)
    assert quals["低压电工作业证"].certificate_id is not None
    assert quals["客户服务专员证"].status == "missing"

    assert sheet.hours_by_form["classroom"] == Decimal("6.0")
    assert sheet.hours_by_form["online"] == Decimal("2.0")  # the 2025 course is another period
    assert sheet.hours_by_form["field_drill"] == Decimal("3.0")  # a live drill
    assert sheet.hours_by_form["other"] == Decimal("1.5")
    assert sheet.hours_total == Decimal("12.5")
    assert sheet.hours_planned == Decimal("20.0")  # half of the post's 40 hours a year
    assert sheet.hours_share == Decimal("62.5")
    assert [c.title for c in sheet.courses] == ["供电服务规范", "安全规程在线学习"]

    (exam,) = sheet.exams
    assert (exam.title, exam.score, exam.passed, exam.attempts) == ("客服规范考试", Decimal(82), True, 2)

    (drill,) = sheet.drills  # the cancelled drill does not count
    assert (drill.role, drill.attended, drill.tier) == ("commander", True, "excellent")

    assert sheet.points_total == Decimal("5.0")
    months = [m.month.month for m in sheet.indicators.months]
    assert months == [1, 2]
    assert sheet.indicators.work_orders == 400
    assert sheet.indicators.complaints == 1
    assert sheet.indicators.satisfaction == Decimal("92.0")  # weighted by work orders


def test_a_year_and_any_dates(db):
    person = person_with_records()
    year = build_sheet(person.employee, parse_period("2025", NOW), NOW)
    assert year.hours_by_form["online"] == Decimal("2.0")
    assert year.points_total == Decimal("3.0")
    assert year.exams == [] and year.drills == []
    assert year.hours_planned == Decimal("40.0")
    spring = build_sheet(person.employee, dates_period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)), NOW)
    assert [c.title for c in spring.courses] == ["供电服务规范"]
    assert spring.hours_planned == Decimal("3.4")  # 31 days of 40 hours a year


def test_periods_read_and_shift():
    assert parse_period("2026h2", NOW).token == "2026H2"
    assert parse_period("2026Q3", NOW).last == dt.date(2026, 9, 30)
    assert parse_period("nonsense", NOW).token == "2026H2"  # the current half year
    assert parse_period("2026H1", NOW).shift(-1).token == "2025H2"
    assert parse_period("2026-03-05~2026-03-01", NOW).first == dt.date(2026, 3, 1)
