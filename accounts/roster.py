"""HR roster import from xlsx or CSV: a dry run that names every bad row, then an all-or-nothing upsert by 工号.

Columns (Chinese headers, any order; extra columns are ignored):
工号*, 姓名*, 部门*, 岗位*, 入职日期, 手机号, 身份证号, 邮箱, 状态 (在岗 / 离岗: temporarily off post /
离职: left the company, account disabled, records kept). ``部门`` accepts a department
code, a path such as ``城东供电分公司/营业班``, or a name that is unique in the tree.
Re-importing the same file changes nothing. New employees get an account with a random password that is
shown once to the importer and must be changed at first sign-in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from accounts.models import Department, Employee, EmployeeStatus, Position
from accounts.services import create_account, set_employee_status
from accounts.validators import (
    national_id_problem,
    normalise_national_id,
    normalise_phone,
    phone_is_valid,
)
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from core.privacy import mask_national_id, mask_phone
from core.spreadsheets import write_xlsx

MAX_ROWS = 20000
HEADERS = ("工号", "姓名", "部门", "岗位", "入职日期", "手机号", "身份证号", "邮箱", "状态")
REQUIRED = ("工号", "姓名", "部门", "岗位")
# 离职: left the company (account disabled, records kept); 离岗: temporarily off post (long leave, secondment):
# the account stays, the person is not counted on post (matrix, rankings, coverage) until back 在岗.
STATUS_WORDS = {
    "在岗": EmployeeStatus.ACTIVE,
    "离职": EmployeeStatus.LEFT,
    "离岗": EmployeeStatus.OFF_POST,
    "": EmployeeStatus.ACTIVE,
}
STATUS_NAMES = {status: word for word, status in STATUS_WORDS.items() if word}
# Roster columns whose values the dry run and the audit log show masked.
MASKED = {"national_id": mask_national_id, "phone": mask_phone}
_EMPLOYEE_NO_RE = re.compile(r"^[A-Z0-9-]{2,30}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# ``bad(column, reason)`` records a problem of the row being checked.
Complaint = Callable[[str, str], None]


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class Change:
    """One field a row changes: the roster column, the employee's attribute, old and new as people read them."""

    column: str
    field: str
    old: str
    new: str


@dataclass
class RosterRow:
    row: int
    employee_no: str
    name: str
    department: Department
    position: Position
    hire_date: dt.date | None
    phone: str | None
    national_id: str | None
    email: str | None
    status: str
    action: str = "create"  # create / update / unchanged
    changes: list[Change] = field(default_factory=list)


@dataclass
class Leaver:
    """Someone the file takes off post (离岗) or out of the company (离职), and what they leave open."""

    row: RosterRow
    employee: Employee
    open_items: list[str]


@dataclass
class RosterPlan:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    leavers: list[Leaver] = field(default_factory=list)  # only those with open items

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def template_xlsx() -> bytes:
    """The downloadable template with Chinese headers and one example row."""
    example = [
        "CS0101",
        "张三",
        "城东供电分公司/营业班",
        "营业厅柜员",
        "2020-03-01",
        "13800138000",
        "110105199001011232",
        "zhangsan@example.com",
        "在岗",
    ]
    return write_xlsx(HEADERS, [example], title="花名册", widths=[12, 10, 28, 14, 12, 14, 22, 26, 8])


class _DepartmentIndex:
    def __init__(self) -> None:
        departments = list(db.session.scalars(select(Department)))
        by_id = {d.id: d for d in departments}
        self.by_code = {d.code.upper(): d for d in departments}
        self.by_path: dict[str, Department] = {}
        self.by_name: dict[str, list[Department]] = {}
        for d in departments:
            names = [by_id[int(i)].name for i in d.path.strip("/").split("/") if i]
            for start in range(len(names)):
                self.by_path.setdefault("/".join(names[start:]), d)
            self.by_name.setdefault(d.name, []).append(d)

    def find(self, text: str) -> tuple[Department | None, str | None]:
        text = text.strip().strip("/")
        if text.upper() in self.by_code:
            return self.by_code[text.upper()], None
        if "/" in text:
            key = "/".join(part.strip() for part in text.split("/"))
            return self.by_path.get(key), None if key in self.by_path else "unknown"
        matches = self.by_name.get(text, [])
        if len(matches) == 1:
            return matches[0], None
        return None, "ambiguous" if matches else "unknown"


def _parse_date(text: str) -> dt.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.match(
        r"^(\d{4})年(\d{1,2})月(\d{1,2})日", text
    )
    if not match:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def plan_import(table: list[list[str]]) -> RosterPlan:
    """Validate every row and decide what each would do; nothing is written."""
    plan = RosterPlan()
    columns = _map_header(table, plan)
    if columns is None:
        return plan
    checker = _RowChecker(columns)
    for offset, raw in enumerate(table[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        row, errors = checker.check(offset, raw)
        if errors:
            plan.errors.extend(errors)
        else:
            plan.rows.append(row)
    if not plan.rows and not plan.errors:
        plan.errors.append(RowError(2, "", _("The file has no data rows.")))
    plan.leavers = _leavers_with_open_items(plan.rows, checker.existing)
    return plan


# ---------------------------------------------------------------- people leaving with open items


def add_open_items_check(app, check: Callable[[list[int]], dict[int, list[str]]]) -> None:
    """Register what a later package knows a person leaves open: ``check(employee ids)`` answers, per
    employee, the open items in words (a points claim waiting for approval, an open corrective action, an
    exam attempt not finished or not marked)."""
    app.extensions.setdefault("gridready_open_items", []).append(check)


def open_items(employee_ids: list[int]) -> dict[int, list[str]]:
    """Every registered package's open items of these employees."""
    found: dict[int, list[str]] = {}
    if not employee_ids:
        return found
    for check in current_app.extensions.get("gridready_open_items", []):
        for employee_id, items in check(employee_ids).items():
            found.setdefault(employee_id, []).extend(items)
    return found


def _leavers_with_open_items(rows: list[RosterRow], existing: dict[str, Employee]) -> list[Leaver]:
    leaving = [
        (row, existing[row.employee_no])
        for row in rows
        if row.employee_no in existing
        and row.status != EmployeeStatus.ACTIVE
        and existing[row.employee_no].status != row.status
    ]
    items = open_items([employee.id for _row, employee in leaving])
    return [Leaver(row, employee, items[employee.id]) for row, employee in leaving if items.get(employee.id)]


def _map_header(table: list[list[str]], plan: RosterPlan) -> dict[str, int] | None:
    """Where each known column is; None (with the errors in ``plan``) when the file cannot be read on."""
    if not table:
        plan.errors.append(RowError(1, "", _("The file has no header row.")))
        return None
    header = [h.strip() for h in table[0]]
    columns = {name: header.index(name) for name in HEADERS if name in header}
    for name in REQUIRED:
        if name not in columns:
            plan.errors.append(RowError(1, name, _("Required column is missing.")))
    if plan.errors:
        return None
    if len(table) - 1 > MAX_ROWS:
        plan.errors.append(RowError(1, "", _("At most %(n)d rows per file.", n=MAX_ROWS)))
        return None
    return columns


class _RowChecker:
    """Checks the data rows one at a time, against the database and against the rows before them (a 工号 or
    an ID number may appear once per file). Every problem names the row and the column."""

    def __init__(self, columns: dict[str, int]) -> None:
        self.columns = columns
        self.departments = _DepartmentIndex()
        self.positions = {p.name: p for p in db.session.scalars(select(Position))}
        self.existing = {e.employee_no: e for e in db.session.scalars(select(Employee))}
        self.ids_in_db = {e.national_id: e.employee_no for e in self.existing.values() if e.national_id}
        self.seen_nos: dict[str, int] = {}
        self.seen_ids: dict[str, int] = {}

    def check(self, offset: int, raw: list[str]) -> tuple[RosterRow | None, list[RowError]]:
        """The planned row, or the problems of row ``offset`` (1-based, the header is row 1)."""
        errors: list[RowError] = []

        def cell(name: str) -> str:
            index = self.columns.get(name)
            return raw[index].strip() if index is not None and index < len(raw) and raw[index] else ""

        def bad(column: str, reason: str) -> None:
            errors.append(RowError(offset, column, reason))

        employee_no = self._employee_no(cell("工号").upper(), offset, bad)
        name = _name(cell("姓名"), bad)
        department = self._department(cell("部门"), bad)
        position = self._position(cell("岗位"), bad)
        hire_date = _hire_date(cell("入职日期"), bad)
        phone = _phone(cell("手机号"), bad)
        national_id = self._national_id(
            normalise_national_id(cell("身份证号")) or None, employee_no, offset, bad
        )
        email = _email(cell("邮箱") or None, bad)
        status = _status(cell("状态"), bad)
        if errors:
            return None, errors
        row = RosterRow(
            offset, employee_no, name, department, position, hire_date, phone, national_id, email, status
        )
        current = self.existing.get(employee_no)
        if current is not None:
            row.changes = _differences(current, row)
            row.action = "update" if row.changes else "unchanged"
        return row, []

    def _employee_no(self, employee_no: str, offset: int, bad: Complaint) -> str:
        if not employee_no:
            bad("工号", _("Employee number is missing."))
        elif not _EMPLOYEE_NO_RE.match(employee_no):
            bad("工号", _("Employee number may hold only letters, digits and '-' (2–30 characters)."))
        elif employee_no in self.seen_nos:
            bad(
                "工号",
                _(
                    "Duplicate employee number %(no)s (also on row %(row)d).",
                    no=employee_no,
                    row=self.seen_nos[employee_no],
                ),
            )
        else:
            self.seen_nos[employee_no] = offset
        return employee_no

    def _department(self, text: str, bad: Complaint) -> Department | None:
        department, problem = self.departments.find(text) if text else (None, "missing")
        if department is None:
            reasons = {
                "missing": _("Department is missing."),
                "ambiguous": _(
                    "Department name %(name)s is not unique; use its code or full path.",
                    name=text,
                ),
                "unknown": _("Unknown department %(name)s.", name=text),
            }
            bad("部门", reasons[problem or "unknown"])
        return department

    def _position(self, text: str, bad: Complaint) -> Position | None:
        position = self.positions.get(text)
        if position is None:
            bad("岗位", _("Unknown position %(name)s.", name=text) if text else _("Position is missing."))
        return position

    def _national_id(
        self, national_id: str | None, employee_no: str, offset: int, bad: Complaint
    ) -> str | None:
        if not national_id:
            return national_id
        problem = national_id_problem(national_id)
        if problem == "check_digit":
            bad("身份证号", _("The check digit (last character) is wrong."))
        elif problem == "birthdate":
            bad("身份证号", _("The birth date inside the ID number is not a real date."))
        elif problem:
            bad("身份证号", _("An ID number has 17 digits followed by a digit or X."))
        elif national_id in self.seen_ids:
            bad("身份证号", _("The same ID number is on row %(row)d.", row=self.seen_ids[national_id]))
        elif self.ids_in_db.get(national_id, employee_no) != employee_no:
            # Not which employee: a scoped HR user must not learn whose ID number this is.
            bad("身份证号", _("This ID number belongs to another employee."))
        else:
            self.seen_ids[national_id] = offset
        return national_id


def _name(name: str, bad: Complaint) -> str:
    if not name:
        bad("姓名", _("Name is missing."))
    elif len(name) > 60:
        bad("姓名", _("Name is longer than 60 characters."))
    elif "\u3000" in name:
        bad("姓名", _("The name holds a full-width space (　); remove it."))
    return name


def _hire_date(text: str, bad: Complaint) -> dt.date | None:
    try:
        return _parse_date(text)
    except ValueError:
        bad("入职日期", _("Not a date (use YYYY-MM-DD)."))
        return None


def _phone(text: str, bad: Complaint) -> str | None:
    phone = normalise_phone(text) or None
    if phone and not phone_is_valid(phone):
        bad("手机号", _("Not a valid mobile or landline number."))
    return phone


def _email(email: str | None, bad: Complaint) -> str | None:
    if email and not _EMAIL_RE.match(email):
        bad("邮箱", _("Not an e-mail address."))
    return email


def _status(text: str, bad: Complaint) -> str | None:
    status = STATUS_WORDS.get(text)
    if status is None:
        bad("状态", _("Status must be 在岗, 离岗 (temporarily off post) or 离职 (left the company)."))
    return status


def _readable(attr: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Department):
        names, dept = [], value
        while dept is not None and (dept.depth > 0 or not names):
            names.insert(0, dept.name)  # the path below the company: two teams may share a name
            dept = dept.parent
        return "/".join(names)
    if isinstance(value, Position):
        return value.name
    if attr == "status":
        return STATUS_NAMES.get(value, str(value))
    if attr in MASKED:
        return MASKED[attr](value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _differences(employee: Employee, row: RosterRow) -> list[Change]:
    pairs = [
        ("姓名", "name", employee.name, row.name),
        ("部门", "department", employee.department, row.department),
        ("岗位", "position", employee.position, row.position),
        ("入职日期", "hire_date", employee.hire_date, row.hire_date),
        ("手机号", "phone", employee.phone, row.phone),
        ("身份证号", "national_id", employee.national_id, row.national_id),
        ("邮箱", "email", employee.email, row.email),
        ("状态", "status", employee.status, row.status),
    ]
    # An empty optional cell keeps what is stored (a roster export may leave them out).
    return [
        Change(label, attr, _readable(attr, old), _readable(attr, new))
        for label, attr, old, new in pairs
        if new is not None and old != new
    ]


def apply_import(plan: RosterPlan) -> list[tuple[str, str, str]]:
    """Write a valid plan (all rows or none); returns (工号, 姓名, initial password) for new accounts.

    The audit log gets one entry per person added, changed or leaving (with old → new per field, ID
    numbers and phones masked), and one summary entry for the file."""
    if not plan.ok:
        raise ValueError("cannot apply a roster plan with errors")
    existing = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    new_logins = []
    touched: list[tuple[RosterRow, Employee]] = []
    with audit.suppress_automatic(db.session):
        for row in plan.rows:
            employee = existing.get(row.employee_no)
            if employee is None:
                employee = Employee(
                    employee_no=row.employee_no,
                    name=row.name,
                    department=row.department,
                    position=row.position,
                    hire_date=row.hire_date,
                    phone=row.phone,
                    national_id=row.national_id,
                    email=row.email,
                    status=row.status,
                )
                db.session.add(employee)
                _, password = create_account(employee)
                new_logins.append((row.employee_no, row.name, password))
                touched.append((row, employee))
            elif row.action == "update":
                employee.name = row.name
                employee.department = row.department
                employee.position = row.position
                for attr in ("hire_date", "phone", "national_id", "email"):
                    if getattr(row, attr) is not None:
                        setattr(employee, attr, getattr(row, attr))
                if employee.status != row.status:
                    set_employee_status(employee, row.status)
                touched.append((row, employee))
        db.session.flush()
        for row, employee in touched:
            _audit_person(row, employee)
    audit.record(
        "roster.import",
        None,
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        employee_nos=[r.employee_no for r in plan.rows if r.action != "unchanged"],
    )
    return new_logins


def _audit_person(row: RosterRow, employee: Employee) -> None:
    """The audit entry of one person the import added, changed or made leave."""
    if row.action == "create":
        audit.record("roster.person_created", employee, employee_no=row.employee_no, name=row.name)
        return
    fields = {f"{c.field}_id" if c.field in ("department", "position") else c.field: c for c in row.changes}
    left = any(c.field == "status" for c in row.changes) and row.status == EmployeeStatus.LEFT
    audit.record(
        "roster.person_left" if left else "roster.person_changed",
        employee,
        **{key: c.new for key, c in fields.items()},
        **{audit.BEFORE: {key: c.old for key, c in fields.items()}},
    )


def logins_xlsx(logins: list[tuple[str, str, str]]) -> bytes:
    """The one-time export of new accounts' initial passwords."""
    return write_xlsx(("工号", "姓名", "初始密码"), logins, title="初始密码", widths=[12, 10, 16])
