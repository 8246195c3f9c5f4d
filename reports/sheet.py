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
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from accounts.models import Department, Employee
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
BATCH = 500  # people per query (an IN list of ids)
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
    return build_sheets([employee], period, now)[0]


def build_sheets(employees: Sequence[Employee], period: ReportPeriod, now: dt.datetime) -> list[Sheet]:
    """The sheets of ``employees`` for ``period``, in their order. Each part is one query for all of them
    (at most ``BATCH`` people per query), so a department's sheets cost a dozen queries, not a dozen per
    person; ``employees`` should come with their department and position loaded."""
    today = local_date(now)
    sheets = []
    for start in range(0, len(employees), BATCH):
        chunk = list(employees[start : start + BATCH])
        ids = [e.id for e in chunk]
        quals = qualification_lines(chunk, today)
        hours = hours_and_courses(ids, period)
        exams = exam_lines(ids, period)
        drills = drill_lines(ids, period)
        points = points_by_category(ids, period)
        stars = star_lines(ids, period)
        months = indicator_months(ids, period)
        for e in chunk:
            sheet = Sheet(e, period, today)
            sheet.qualifications = quals.get(e.id, [])
            sheet.hours_by_form, sheet.courses = hours.get(e.id, (_no_hours(), []))
            sheet.hours_planned = planned_hours(e, period)
            sheet.exams = exams.get(e.id, [])
            sheet.drills = drills.get(e.id, [])
            sheet.points_by_category = points.get(e.id, {})
            sheet.stars = stars.get(e.id, [])
            sheet.indicators = Indicators(months.get(e.id, []))
            sheets.append(sheet)
    return sheets


def planned_hours(employee: Employee, period: ReportPeriod) -> Decimal:
    """The position's yearly hours pro-rated to the period."""
    yearly = Decimal(employee.position.annual_training_hours or 0)
    return (yearly * plan_share(period)).quantize(ONE_PLACE, ROUND_HALF_UP)


def qualification_lines(employees: Sequence[Employee], today: dt.date) -> dict[int, list[QualificationLine]]:
    """Each person's current qualifications with their status today, and the required types they lack."""
    required: dict[int, set[int]] = defaultdict(set)
    for position_id, type_id in db.session.execute(
        select(
            certificate_type_positions.c.position_id, certificate_type_positions.c.certificate_type_id
        ).where(certificate_type_positions.c.position_id.in_({e.position_id for e in employees}))
    ):
        required[position_id].add(type_id)
    records = db.session.execute(
        select(QualificationRecord, CertificateType.name)
        .join(CertificateType, CertificateType.id == QualificationRecord.certificate_type_id)
        .where(
            QualificationRecord.employee_id.in_([e.id for e in employees]),
            QualificationRecord.superseded_at.is_(None),
        )
        .order_by(CertificateType.code, QualificationRecord.id)
    ).all()
    names = {}
    needed = set().union(*required.values()) if required else set()
    if needed:
        names = dict(
            db.session.execute(
                select(CertificateType.id, CertificateType.name)
                .where(CertificateType.id.in_(needed))
                .order_by(CertificateType.code)
            ).all()
        )
    held: dict[int, list] = defaultdict(list)
    for record, type_name in records:
        held[record.employee_id].append((record, type_name))
    result = {}
    for e in employees:
        wanted = required.get(e.position_id, set())
        lines = []
        for record, type_name in held.get(e.id, []):
            status = expiry_status(record.expires_on, today, revoked=record.revoked_at is not None)
            lines.append(
                QualificationLine(
                    type_name,
                    record.number,
                    record.issued_on,
                    record.expires_on,
                    str(status),
                    record.certificate_id,
                    record.certificate_type_id in wanted,
                )
            )
        missing = wanted - {record.certificate_type_id for record, _name in held.get(e.id, [])}
        lines += [
            QualificationLine(name, None, None, None, "missing", None, True)
            for type_id, name in names.items()  # in certificate-type code order
            if type_id in missing
        ]
        result[e.id] = lines
    return result


def _drill_id(source_key: str) -> int | None:
    # drills credit hours under "drill:drill:<drill id>:employee:<employee id>"
    parts = source_key.split(":")
    if len(parts) >= 3 and parts[1] == "drill" and parts[2].isdigit():
        return int(parts[2])
    return None


def _no_hours() -> dict[str, Decimal]:
    return {form: Decimal("0.0") for form in FORMS}


def hours_and_courses(
    employee_ids: Sequence[int], period: ReportPeriod
) -> dict[int, tuple[dict[str, Decimal], list[CourseLine]]]:
    """Per person: hours earned in the period by training form, and the courses completed in it."""
    entries = db.session.execute(
        select(HoursEntry.employee_id, HoursEntry.source, HoursEntry.source_key, HoursEntry.hours).where(
            HoursEntry.employee_id.in_(employee_ids),
            HoursEntry.earned_on >= period.first,
            HoursEntry.earned_on <= period.last,
        )
    ).all()
    completions = db.session.execute(
        select(
            CourseCompletion.employee_id,
            CourseCompletion.id,
            CourseCompletion.completed_on,
            Course.title,
            Course.form,
        )
        .join(Course, Course.id == CourseCompletion.course_id)
        .where(
            CourseCompletion.employee_id.in_(employee_ids),
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
    by_person: dict[int, dict[str, Decimal]] = defaultdict(lambda: {form: Decimal(0) for form in FORMS})
    for entry in entries:
        hours = Decimal(entry.hours)
        hours_of[entry.source_key] = hours
        if entry.source == HoursSource.COURSE:
            form = course_form.get(entry.source_key, OTHER_FORM)
        elif entry.source == HoursSource.DRILL:
            form = DRILL_FORMS.get(drill_form.get(_drill_id(entry.source_key)), "simulation")
        else:
            form = OTHER_FORM
        by_form = by_person[entry.employee_id]
        by_form[form if form in by_form else OTHER_FORM] += hours
    courses: dict[int, list[CourseLine]] = defaultdict(list)
    for c in completions:
        courses[c.employee_id].append(
            CourseLine(c.title, c.form, hours_of.get(f"completion:{c.id}", Decimal(0)), c.completed_on)
        )
    return {
        eid: (
            {k: v.quantize(ONE_PLACE, ROUND_HALF_UP) for k, v in by_person[eid].items()}
            if eid in by_person
            else _no_hours(),
            courses.get(eid, []),
        )
        for eid in employee_ids
    }


def exam_lines(employee_ids: Sequence[int], period: ReportPeriod) -> dict[int, list[ExamLine]]:
    """Per person, each exam sat in the period: the final attempt's score and pass, and how many attempts."""
    rows = db.session.execute(
        select(Attempt, Exam.title, Exam.grading_method)
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(
            Attempt.employee_id.in_(employee_ids),
            Attempt.status != AttemptStatus.OPEN,
            Attempt.submitted_at >= period.start_utc,
            Attempt.submitted_at < period.end_utc,
        )
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    by_exam: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    meta = {}
    for attempt, title, method in rows:
        by_exam[attempt.employee_id, attempt.exam_id].append(attempt)
        meta[attempt.exam_id] = (title, method)
    lines: dict[int, list[ExamLine]] = defaultdict(list)
    for (employee_id, exam_id), attempts in by_exam.items():
        title, method = meta[exam_id]
        final = pick_final(attempts, method)
        percent = None
        if final.score is not None and final.max_score:
            percent = (Decimal(final.score) * 100 / Decimal(final.max_score)).quantize(
                ONE_PLACE, ROUND_HALF_UP
            )
        lines[employee_id].append(
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
    return {eid: sorted(found, key=lambda line: line.submitted_on) for eid, found in lines.items()}


def drill_lines(employee_ids: Sequence[int], period: ReportPeriod) -> dict[int, list[DrillLine]]:
    """Per person, the conducted drills of the period they took part in, with role and evaluation."""
    rows = db.session.execute(
        select(DrillParticipant.employee_id, DrillParticipant.role, DrillParticipant.attended, Drill)
        .join(Drill, Drill.id == DrillParticipant.drill_id)
        .where(
            DrillParticipant.employee_id.in_(employee_ids),
            Drill.status.in_([str(s) for s in CONDUCTED]),
            Drill.starts_at >= period.start_utc,
            Drill.starts_at < period.end_utc,
        )
        .order_by(Drill.starts_at, Drill.id)
    ).all()
    lines: dict[int, list[DrillLine]] = defaultdict(list)
    for employee_id, role, attended, drill in rows:
        lines[employee_id].append(
            DrillLine(drill.title, local_date(drill.starts_at), role, attended, drill.tier, drill.score)
        )
    return lines


def points_by_category(employee_ids: Sequence[int], period: ReportPeriod) -> dict[int, dict[str, Decimal]]:
    """Per person, culture points earned in the period by the rule's category (reversals count where
    they fall)."""
    rows = db.session.execute(
        select(PointEntry.employee_id, PointRule.category, func.sum(PointEntry.points))
        .join(PointRule, PointRule.id == PointEntry.rule_id)
        .where(
            PointEntry.employee_id.in_(employee_ids),
            PointEntry.occurred_at >= period.start_utc,
            PointEntry.occurred_at < period.end_utc,
        )
        .group_by(PointEntry.employee_id, PointRule.category)
    ).all()
    found: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for employee_id, category, total in rows:
        found[employee_id][category] = Decimal(total).quantize(ONE_PLACE, ROUND_HALF_UP)
    return found


def star_lines(employee_ids: Sequence[int], period: ReportPeriod) -> dict[int, list[StarLine]]:
    """Per person, published service-star titles whose selection period overlaps the sheet's period."""
    rows = db.session.execute(
        select(StarNomination, StarSelection, Department.name)
        .join(StarSelection, StarSelection.id == StarNomination.selection_id)
        .join(Department, Department.id == StarSelection.unit_id)
        .where(
            StarNomination.employee_id.in_(employee_ids),
            StarSelection.status == SelectionStatus.PUBLISHED,
            StarSelection.period_start <= period.last,
            StarSelection.period_end > period.first,
        )
        .order_by(StarSelection.period_start, StarSelection.id)
    ).all()
    lines: dict[int, list[StarLine]] = defaultdict(list)
    for nom, sel, unit_name in rows:
        lines[nom.employee_id].append(
            StarLine(unit_name, sel.period_start, sel.period_end, nom.rank, nom.points)
        )
    return lines


def indicator_months(employee_ids: Sequence[int], period: ReportPeriod) -> dict[int, list[ServiceIndicator]]:
    """Per person, the imported service indicators for the months the period touches."""
    first_month = period.first.replace(day=1)
    found: dict[int, list[ServiceIndicator]] = defaultdict(list)
    for row in db.session.scalars(
        select(ServiceIndicator)
        .where(
            ServiceIndicator.employee_id.in_(employee_ids),
            ServiceIndicator.month >= first_month,
            ServiceIndicator.month <= period.last,
        )
        .order_by(ServiceIndicator.month, ServiceIndicator.id)
    ):
        found[row.employee_id].append(row)
    return found
