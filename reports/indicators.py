"""Monthly service indicators (服务指标, guide 4.1) imported from a workbook: work orders handled,
satisfaction, complaints and commendations per employee and month.

One import is one month (chosen on the form). The file is checked in full first (a dry run lists every row's
problems and changes nothing); the import is all-or-nothing; importing a month again replaces the rows of that
month for the people the importer may report on (a person missing from the new file loses the month's row).
One audit entry per import (month, rows, rows replaced), not one per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, select

from accounts.models import Employee, User
from accounts.roster import RowError
from core import audit
from core.audit import suppress_automatic
from core.extensions import db
from core.i18n import gettext as _
from core.spreadsheets import write_xlsx
from reports.access import employee_scope
from reports.models import ServiceIndicator

# column → the header words accepted for it (Chinese as HR's spreadsheets have them, or English)
COLUMNS = {
    "employee_no": ("工号", "employee number", "employee no"),
    "work_orders": ("工单处理量", "工单量", "work orders"),
    "satisfaction": ("满意度", "满意度(%)", "满意度（%）", "satisfaction", "satisfaction (%)"),
    "complaints": ("投诉", "投诉数", "complaints"),
    "commendations": ("表扬", "表扬数", "commendations"),
}
REQUIRED = ("employee_no", "work_orders")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass
class IndicatorRow:
    row: int
    employee: Employee
    work_orders: int
    satisfaction: Decimal | None
    complaints: int
    commendations: int


@dataclass
class IndicatorPlan:
    month: dt.date
    rows: list[IndicatorRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    replaces: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def parse_month(text: str) -> dt.date | None:
    """``2026-07`` → 2026-07-01; None when unreadable."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def template_xlsx() -> bytes:
    """An empty workbook with the expected headers and one example row."""
    return write_xlsx(
        ["工号", "姓名", "工单处理量", "满意度（%）", "投诉", "表扬"],
        [["E000001", "张三", 120, 98.5, 0, 1]],
        title="服务指标",
        widths=[12, 10, 12, 12, 8, 8],
    )


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, text in enumerate(header):
        word = text.strip().lower()
        for column, words in COLUMNS.items():
            if word in {w.lower() for w in words}:
                found.setdefault(column, index)
    return found


def _reader(raw: list[str], columns: dict[str, int]):
    def cell(name: str) -> str:
        index = columns.get(name)
        return raw[index].strip() if index is not None and index < len(raw) else ""

    return cell


def _count(text: str, label: str, row: int, errors: list[RowError]) -> int:
    if text == "":
        return 0
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if value < 0 or value != value.to_integral_value():
        errors.append(RowError(row, label, _("Give a whole number, 0 or more.")))
        return 0
    return int(value)


def _satisfaction(text: str, row: int, errors: list[RowError]) -> Decimal | None:
    if text == "":
        return None
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        value = Decimal(-1)
    if value < 1 and value > 0 and "." in text and "%" not in text:
        value *= 100  # a spreadsheet's percentage cell (0.985)
    if not 0 <= value <= 100:
        errors.append(RowError(row, "满意度", _("Give a percentage between 0 and 100.")))
        return None
    return value.quantize(Decimal("0.1"))


def plan_import(table: list[list[str]], month: dt.date, user: User) -> IndicatorPlan:
    """Check every row of ``table`` (row 1 the header) for ``month``; nothing is written."""
    plan = IndicatorPlan(month)
    if not table:
        plan.errors.append(RowError(1, "", _("The file is empty.")))
        return plan
    columns = _columns(table[0])
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in columns]
    if missing:
        plan.errors.append(RowError(1, "、".join(missing), _("This column is missing from the header row.")))
        return plan
    numbers = {
        r[columns["employee_no"]].strip().upper() for r in table[1:] if len(r) > columns["employee_no"]
    }
    people = {
        e.employee_no: e
        for e in db.session.scalars(
            select(Employee).where(Employee.employee_no.in_(numbers), employee_scope(user))
        )
    }
    seen: dict[str, int] = {}
    for offset, raw in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        cell = _reader(raw, columns)
        number = cell("employee_no").upper()
        errors_before = len(plan.errors)
        employee = people.get(number)
        if employee is None:
            plan.errors.append(RowError(offset, "工号", _("No employee with this number in your scope.")))
        elif number in seen:
            plan.errors.append(RowError(offset, "工号", _("Also on row %(row)d.", row=seen[number])))
        seen.setdefault(number, offset)
        row = IndicatorRow(
            offset,
            employee,
            _count(cell("work_orders"), "工单处理量", offset, plan.errors),
            _satisfaction(cell("satisfaction"), offset, plan.errors),
            _count(cell("complaints"), "投诉", offset, plan.errors),
            _count(cell("commendations"), "表扬", offset, plan.errors),
        )
        if len(plan.errors) == errors_before:
            plan.rows.append(row)
    plan.replaces = _existing(month, user)
    return plan


def _existing_query(month: dt.date, user: User):
    return (
        select(ServiceIndicator.id)
        .join(Employee, Employee.id == ServiceIndicator.employee_id)
        .where(ServiceIndicator.month == month, employee_scope(user))
    )


def _existing(month: dt.date, user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(_existing_query(month, user).subquery())) or 0


def apply_import(plan: IndicatorPlan, user: User, now: dt.datetime) -> int:
    """Replace ``plan.month``'s indicators of the people ``user`` reports on with the plan's rows."""
    if not plan.ok:
        raise ValueError("only a plan without errors is applied")
    with suppress_automatic(db.session):
        removed = db.session.execute(
            delete(ServiceIndicator).where(ServiceIndicator.id.in_(_existing_query(plan.month, user)))
        ).rowcount
        db.session.add_all(
            ServiceIndicator(
                employee_id=r.employee.id,
                month=plan.month,
                work_orders=r.work_orders,
                satisfaction=r.satisfaction,
                complaints=r.complaints,
                commendations=r.commendations,
                imported_at=now,
                imported_by_id=user.id,
            )
            for r in plan.rows
        )
        db.session.flush()
    audit.record(
        "report.indicators_imported",
        None,
        month=plan.month.strftime("%Y-%m"),
        rows=len(plan.rows),
        replaced=removed,
    )
    return len(plan.rows)
