"""The personal assessment sheet (个人培训考核档案): one person's whole record for one period, gathered from
every package — qualifications and their expiry, training hours by form against the plan, courses, exams,
drills, culture points and service stars, and the monthly service indicators.

Decisions (the issue is silent on them):
- Qualifications are shown as they stand on the day the sheet is made (a qualification is a state, not
  an event of the period); the required types the person lacks are listed as missing.
- The plan is the position's yearly hours, pro-rated to the period: a half year is half of it, a quarter
  a quarter, any dates their share of 365 days.
- Hours fall in a form by their source: a course's hours by the course's form (集中/在线/现场演练/模拟演练),
  a drill's by its format (实战 → 现场演练, 桌面 → 模拟演练), hours HR recorded by hand as "other".
- An exam counts in the period when an attempt was submitted in it; the result is the final attempt by
  the exam's grading method, and the attempts are those in the period.
- A drill counts when it started in the period and was conducted (cancelled and planned drills do not).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from accounts.models import Employee
from core.extensions import db
from core.timeutil import local_date
from drills.models import STATUS_ORDER, Drill, DrillParticipant, DrillStatus
from exams.models import Attempt, AttemptStatus, Exam
from exams.services import pick_final
from incentives.models import PointEntry, PointRule, SelectionStatus, StarNomination, StarSelection
from reports.models import ServiceIndicator
from reports.periods import ReportPeriod, plan_share
from training.expiry import expiry_status
from training.models import (
    CertificateType,
    Course,
    CourseCompletion,
    HoursEntry,
    HoursSource,
    QualificationRecord,
    certificate_type_positions,
)

ONE_PLACE = Decimal("0.1")
OTHER_FORM = "other"
FORMS = ("classroom", "online", "field_drill", "simulation", OTHER_FORM)
DRILL_FORMS = {"live": "field_drill", "tabletop": "simulation"}
CONDUCTED = STATUS_ORDER[STATUS_ORDER.index(DrillStatus.CONDUCTED) :]


@dataclass
class QualificationLine:
    type_name: str
    number: str | None
    issued_on: dt.date | None
    expires_on: dt.date | None
    status: str  # valid / expiring / expired / revoked / missing
    certificate_id: int | None
    required: bool


@dataclass
class CourseLine:
    title: str
    form: str
    hours: Decimal
    completed_on: dt.date


@dataclass
class ExamLine:
    exam_id: int
    title: str
    submitted_on: dt.date
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None
    attempts: int


@dataclass
class DrillLine:
    title: str
    day: dt.date
    role: str
    attended: bool | None
    tier: str | None
    score: Decimal | None


@dataclass
class StarLine:
    unit: str
    period_start: dt.date
    period_end: dt.date  # exclusive
    rank: int
    points: Decimal


@dataclass
class Indicators:
    months: list[ServiceIndicator]

    @property
    def work_orders(self) -> int:
        return sum(m.work_orders for m in self.months)

    @property
    def complaints(self) -> int:
        return sum(m.complaints for m in self.months)

    @property
    def commendations(self) -> int:
        return sum(m.commendations for m in self.months)

    @property
    def satisfaction(self) -> Decimal | None:
        """The months' satisfaction weighted by their work orders (a plain mean when none are counted)."""
        rated = [m for m in self.months if m.satisfaction is not None]
        if not rated:
            return None
        weight = sum(m.work_orders for m in rated)
        if weight:
            total = sum(m.satisfaction * m.work_orders for m in rated)
            return (total / weight).quantize(ONE_PLACE, ROUND_HALF_UP)
        return (sum(m.satisfaction for m in rated) / len(rated)).quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass
class Sheet:
    employee: Employee
    period: ReportPeriod
    today: dt.date
    qualifications: list[QualificationLine] = field(default_factory=list)
    hours_by_form: dict[str, Decimal] = field(default_factory=dict)
    hours_planned: Decimal = Decimal(0)
    courses: list[CourseLine] = field(default_factory=list)
    exams: list[ExamLine] = field(default_factory=list)
    drills: list[DrillLine] = field(default_factory=list)
    points_by_category: dict[str, Decimal] = field(default_factory=dict)
    stars: list[StarLine] = field(default_factory=list)
    indicators: Indicators = field(default_factory=lambda: Indicators([]))

    @property
    def hours_total(self) -> Decimal:
        return sum(self.hours_by_form.values(), Decimal(0)).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def hours_share(self) -> Decimal | None:
        """Hours earned as a percent of the plan (None when the position plans none)."""
        if not self.hours_planned:
            return None
        return (self.hours_total * 100 / self.hours_planned).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def points_total(self) -> Decimal:
        return sum(self.points_by_category.values(), Decimal(0)).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def exams_passed(self) -> int:
        return sum(1 for e in self.exams if e.passed)


def build_sheet(employee: Employee, period: ReportPeriod, now: dt.datetime) -> Sheet:
    """Everything the sheet of ``employee`` shows for ``period``, as of ``now``."""
    sheet = Sheet(employee, period, local_date(now))
    sheet.qualifications = qualification_lines(employee, sheet.today)
    sheet.hours_by_form, sheet.courses = hours_and_courses(employee, period)
    sheet.hours_planned = planned_hours(employee, period)
    sheet.exams = exam_lines(employee, period)
    sheet.drills = drill_lines(employee, period)
    sheet.points_by_category = points_by_category(employee, period)
    sheet.stars = star_lines(employee, period)
    sheet.indicators = Indicators(indicator_months(employee, period))
    return sheet


def planned_hours(employee: Employee, period: ReportPeriod) -> Decimal:
    """The position's yearly hours pro-rated to the period."""
    yearly = Decimal(employee.position.annual_training_hours or 0)
    return (yearly * plan_share(period)).quantize(ONE_PLACE, ROUND_HALF_UP)


def qualification_lines(employee: Employee, today: dt.date) -> list[QualificationLine]:
    """The person's current qualifications with their status today, and the required types they lack."""
    required = set(
        db.session.scalars(
            select(certificate_type_positions.c.certificate_type_id).where(
                certificate_type_positions.c.position_id == employee.position_id
            )
        )
    )
    records = db.session.execute(
        select(QualificationRecord, CertificateType.name)
        .join(CertificateType, CertificateType.id == QualificationRecord.certificate_type_id)
        .where(QualificationRecord.employee_id == employee.id, QualificationRecord.superseded_at.is_(None))
        .order_by(CertificateType.code)
    ).all()
    lines = []
    held = set()
    for record, type_name in records:
        held.add(record.certificate_type_id)
        status = expiry_status(record.expires_on, today, revoked=record.revoked_at is not None)
        lines.append(
            QualificationLine(
                type_name,
                record.number,
                record.issued_on,
                record.expires_on,
                str(status),
                record.certificate_id,
                record.certificate_type_id in required,
            )
        )
    missing = required - held
    if missing:
        for name in db.session.scalars(
            select(CertificateType.name).where(CertificateType.id.in_(missing)).order_by(CertificateType.code)
        ):
            lines.append(QualificationLine(name, None, None, None, "missing", None, True))
    return lines


def _drill_id(source_key: str) -> int | None:
    # drills credit hours under "drill:drill:<drill id>:employee:<employee id>"
    parts = source_key.split(":")
    if len(parts) >= 3 and parts[1] == "drill" and parts[2].isdigit():
        return int(parts[2])
    return None


def hours_and_courses(
    employee: Employee, period: ReportPeriod
) -> tuple[dict[str, Decimal], list[CourseLine]]:
    """Hours earned in the period by training form, and the courses completed in it."""
    entries = db.session.execute(
        select(HoursEntry.source, HoursEntry.source_key, HoursEntry.hours).where(
            HoursEntry.employee_id == employee.id,
            HoursEntry.earned_on >= period.first,
            HoursEntry.earned_on <= period.last,
        )
    ).all()
    completions = db.session.execute(
        select(CourseCompletion.id, CourseCompletion.completed_on, Course.title, Course.form)
        .join(Course, Course.id == CourseCompletion.course_id)
        .where(
            CourseCompletion.employee_id == employee.id,
            CourseCompletion.completed_on >= period.first,
            CourseCompletion.completed_on <= period.last,
        )
        .order_by(CourseCompletion.completed_on, CourseCompletion.id)
    ).all()
    course_form = {f"completion:{c.id}": c.form for c in completions}
    hours_of = {}
    drill_ids = {_drill_id(e.source_key) for e in entries if e.source == HoursSource.DRILL} - {None}
    drill_form = {}
    if drill_ids:
        drill_form = dict(
            db.session.execute(select(Drill.id, Drill.form).where(Drill.id.in_(drill_ids))).all()
        )
    missing_courses = {
        int(e.source_key.split(":")[1])
        for e in entries
        if e.source == HoursSource.COURSE and e.source_key not in course_form and e.source_key[11:].isdigit()
    }
    if missing_courses:  # hours credited in the period for a completion dated outside it (rare)
        for cid, form in db.session.execute(
            select(CourseCompletion.id, Course.form)
            .join(Course, Course.id == CourseCompletion.course_id)
            .where(CourseCompletion.id.in_(missing_courses))
        ):
            course_form[f"completion:{cid}"] = form
    by_form: dict[str, Decimal] = {form: Decimal(0) for form in FORMS}
    for entry in entries:
        hours = Decimal(entry.hours)
        hours_of[entry.source_key] = hours
        if entry.source == HoursSource.COURSE:
            form = course_form.get(entry.source_key, OTHER_FORM)
        elif entry.source == HoursSource.DRILL:
            form = DRILL_FORMS.get(drill_form.get(_drill_id(entry.source_key)), "simulation")
        else:
            form = OTHER_FORM
        by_form[form if form in by_form else OTHER_FORM] += hours
    courses = [
        CourseLine(c.title, c.form, hours_of.get(f"completion:{c.id}", Decimal(0)), c.completed_on)
        for c in completions
    ]
    return {k: v.quantize(ONE_PLACE, ROUND_HALF_UP) for k, v in by_form.items()}, courses


def exam_lines(employee: Employee, period: ReportPeriod) -> list[ExamLine]:
    """Each exam the person sat in the period: the final attempt's score and pass, and how many attempts."""
    rows = db.session.execute(
        select(Attempt, Exam.title, Exam.grading_method)
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(
            Attempt.employee_id == employee.id,
            Attempt.status != AttemptStatus.OPEN,
            Attempt.submitted_at >= period.start_utc,
            Attempt.submitted_at < period.end_utc,
        )
        .order_by(Attempt.submitted_at)
    ).all()
    by_exam: dict[int, list[Attempt]] = defaultdict(list)
    meta = {}
    for attempt, title, method in rows:
        by_exam[attempt.exam_id].append(attempt)
        meta[attempt.exam_id] = (title, method)
    lines = []
    for exam_id, attempts in by_exam.items():
        title, method = meta[exam_id]
        final = pick_final(attempts, method)
        percent = None
        if final.score is not None and final.max_score:
            percent = (Decimal(final.score) * 100 / Decimal(final.max_score)).quantize(
                ONE_PLACE, ROUND_HALF_UP
            )
        lines.append(
            ExamLine(
                exam_id,
                title,
                local_date(max(a.submitted_at for a in attempts)),
                final.score,
                final.max_score,
                percent,
                final.passed,
                len(attempts),
            )
        )
    return sorted(lines, key=lambda line: line.submitted_on)


def drill_lines(employee: Employee, period: ReportPeriod) -> list[DrillLine]:
    """The conducted drills of the period the person took part in, with role and the drill's evaluation."""
    rows = db.session.execute(
        select(DrillParticipant.role, DrillParticipant.attended, Drill)
        .join(Drill, Drill.id == DrillParticipant.drill_id)
        .where(
            DrillParticipant.employee_id == employee.id,
            Drill.status.in_([str(s) for s in CONDUCTED]),
            Drill.starts_at >= period.start_utc,
            Drill.starts_at < period.end_utc,
        )
        .order_by(Drill.starts_at)
    ).all()
    return [
        DrillLine(drill.title, local_date(drill.starts_at), role, attended, drill.tier, drill.score)
        for role, attended, drill in rows
    ]


def points_by_category(employee: Employee, period: ReportPeriod) -> dict[str, Decimal]:
    """Culture points earned in the period, by the rule's category (reversals count where they fall)."""
    rows = db.session.execute(
        select(PointRule.category, func.sum(PointEntry.points))
        .join(PointRule, PointRule.id == PointEntry.rule_id)
        .where(
            PointEntry.employee_id == employee.id,
            PointEntry.occurred_at >= period.start_utc,
            PointEntry.occurred_at < period.end_utc,
        )
        .group_by(PointRule.category)
    ).all()
    return {category: Decimal(total).quantize(ONE_PLACE, ROUND_HALF_UP) for category, total in rows}


def star_lines(employee: Employee, period: ReportPeriod) -> list[StarLine]:
    """Published service-star titles whose selection period overlaps the sheet's period."""
    rows = db.session.execute(
        select(StarNomination, StarSelection)
        .join(StarSelection, StarSelection.id == StarNomination.selection_id)
        .where(
            StarNomination.employee_id == employee.id,
            StarSelection.status == SelectionStatus.PUBLISHED,
            StarSelection.period_start <= period.last,
            StarSelection.period_end > period.first,
        )
        .order_by(StarSelection.period_start)
    ).all()
    return [
        StarLine(sel.unit.name, sel.period_start, sel.period_end, nom.rank, nom.points) for nom, sel in rows
    ]


def indicator_months(employee: Employee, period: ReportPeriod) -> list[ServiceIndicator]:
    """The person's imported service indicators for the months the period touches."""
    first_month = period.first.replace(day=1)
    return list(
        db.session.scalars(
            select(ServiceIndicator)
            .where(
                ServiceIndicator.employee_id == employee.id,
                ServiceIndicator.month >= first_month,
                ServiceIndicator.month <= period.last,
            )
            .order_by(ServiceIndicator.month)
        )
    )
