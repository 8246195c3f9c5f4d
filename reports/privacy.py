"""Personal data lifecycle (guide 3.4: 采集、存储、使用、传输、销毁): departed staff (离职) are anonymised a
configurable number of years after they left. Their name is masked (the surname kept: 张三 → 张*), phone,
national ID number and e-mail are removed; every record (hours, exams, drills, points, certificates) stays for
the statistics. A certificate already issued stays verifiable: the public page shows the masked name.

**The departure day** is the day the person's status became 离职 in the audit log (the automatic
``employee.update`` / ``employee.create`` entries record it). Someone whose departure the log does not show is
not touched and is listed as such by the dry run. An anonymised person is recognised by the mask, so a rerun
changes nothing. The stored certificate PDFs keep the name they were issued with (they are the person's
signed documents); only the verify page and GridReady's own pages show the mask.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import Employee, EmployeeStatus
from core import audit
from core.audit import AuditEntry
from core.extensions import db
from core.timeutil import local_date


@dataclass
class Departure:
    employee: Employee
    left_on: dt.date | None
    due: bool


def mask_name(name: str) -> str:
    """The surname and one star per remaining character: 张三 → 张*, 欧阳明月 → 欧***."""
    name = (name or "").strip()
    if not name:
        return "*"
    return name[0] + "*" * max(len(name) - 1, 1)


def is_anonymised(employee: Employee) -> bool:
    return employee.name == mask_name(employee.name) and not (
        employee.phone or employee.national_id or employee.email
    )


def departures(now: dt.datetime, years: int) -> list[Departure]:
    """Every departed person not yet anonymised, with the day they left (from the audit log) and whether the
    ``years`` have passed."""
    people = db.session.scalars(
        select(Employee).where(Employee.status == EmployeeStatus.LEFT).order_by(Employee.employee_no)
    ).all()
    people = [p for p in people if not is_anonymised(p)]
    left_on: dict[str, dt.date] = {}
    ids = [str(p.id) for p in people]
    for start in range(0, len(ids), 500):
        for entry in db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "Employee",
                AuditEntry.object_id.in_(ids[start : start + 500]),
                AuditEntry.action.in_(["employee.update", "employee.create"]),
            )
        ):
            if (entry.details or {}).get("status") == EmployeeStatus.LEFT:
                day = local_date(entry.at)
                left_on[entry.object_id] = max(day, left_on.get(entry.object_id, day))
    today = local_date(now)
    cutoff = dt.date(today.year - years, today.month, min(today.day, 28))
    return [
        Departure(
            p, left_on.get(str(p.id)), left_on.get(str(p.id)) is not None and left_on[str(p.id)] <= cutoff
        )
        for p in people
    ]


def anonymise(found: list[Departure], years: int) -> int:
    """Mask the due people (flushes; the caller commits). One audit entry for the run."""
    due = [d for d in found if d.due]
    for d in due:
        d.employee.name = mask_name(d.employee.name)
        d.employee.phone = None
        d.employee.national_id = None
        d.employee.email = None
    db.session.flush()
    audit.record(
        "report.anonymised", None, years=years, count=len(due), ids=[d.employee.id for d in due][:200]
    )
    return len(due)
