"""Qualifications (资质证书): certificate types, records per employee with renewal history, the
持证上岗 matrix and expiry reminders (guide 3.1: 持证上岗 + 定期培训)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, or_, select

from accounts.models import Department, Employee, EmployeeStatus, Position, User
from core import signals
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from core.spreadsheets import write_xlsx
from core.timeutil import local_date
from training.certificates import (
    CertificateSpec,
    issue_certificates,
    reissue_certificate,
    revoke_certificate,
)
from training.errors import CertificateError, QualificationError
from training.expiry import (
    EXPIRING_DAYS,
    ExpiryStatus,
    expiry_for,
    expiry_status,
    expiry_window,
)
from training.labels import MATRIX_FLAGS
from training.models import (
    CertificateKind,
    CertificateType,
    ExpiryReminder,
    QualificationRecord,
    StoredFile,
    TypeOrigin,
    certificate_type_positions,
)


def current_record(employee: Employee, certificate_type: CertificateType) -> QualificationRecord | None:
    """The employee's current (not superseded) record of this type."""
    return db.session.scalar(
        select(QualificationRecord).where(
            QualificationRecord.employee_id == employee.id,
            QualificationRecord.certificate_type_id == certificate_type.id,
            QualificationRecord.superseded_at.is_(None),
        )
    )


def record_status(record: QualificationRecord, today: dt.date) -> ExpiryStatus:
    """有效 / 即将到期 / 已过期 / 已吊销 of a record on ``today``."""
    return expiry_status(record.expires_on, today, revoked=record.revoked_at is not None)


def _number(certificate_type: CertificateType, employee: Employee, issued_on: dt.date) -> str:
    previous = db.session.scalar(
        select(func.count(QualificationRecord.id)).where(
            QualificationRecord.employee_id == employee.id,
            QualificationRecord.certificate_type_id == certificate_type.id,
        )
    )
    base = (
        f"{certificate_type.number_prefix or certificate_type.code}-{issued_on.year}-{employee.employee_no}"
    )
    return base if not previous else f"{base}-{previous + 1}"


def _supersede(employee: Employee, certificate_type: CertificateType, now: dt.datetime):
    old = current_record(employee, certificate_type)
    if old is not None:
        old.superseded_at = now
        db.session.flush()
    return old


@dataclass
class Grant:
    """One internal qualification to grant (see ``grant_qualifications``)."""

    employee: Employee
    certificate_type: CertificateType
    source_key: str
    issued_on: dt.date


def grant_qualification(
    employee: Employee,
    certificate_type: CertificateType,
    *,
    source_key: str,
    issued_on: dt.date,
    now: dt.datetime,
) -> QualificationRecord:
    """Grant or renew an internal qualification and issue its PDF certificate (idempotent per
    ``source_key``); sends ``core.signals.qualification_granted``. Exams call this on a passed
    certification exam; course completion calls it for a course that grants a type."""
    return grant_qualifications([Grant(employee, certificate_type, source_key, issued_on)], now=now)[0]


def grant_qualifications(grants: list[Grant], *, now: dt.datetime) -> list[QualificationRecord]:
    """``grant_qualification`` for many at once: the new certificates are laid out in one batch
    (renewals of a current certificate are reissued one by one, as a new version of it)."""
    records: list[QualificationRecord] = []
    created: list[QualificationRecord] = []
    pending: list[tuple[QualificationRecord, CertificateSpec]] = []
    for grant in grants:
        existing = db.session.scalar(
            select(QualificationRecord).where(QualificationRecord.source_key == grant.source_key)
        )
        if existing is not None:
            records.append(existing)
            continue
        record, spec = _granted_record(grant, now)
        if spec is not None:
            pending.append((record, spec))
        db.session.add(record)
        db.session.flush()  # the next grant of the same employee and type must see this one as current
        records.append(record)
        created.append(record)
    _issue_certificates_of(pending, now)
    for record in created:
        signals.qualification_granted.send(
            record,
            employee=record.employee,
            certificate_type=record.certificate_type,
            source_key=record.source_key,
            now=now,
        )
    return records


def _granted_record(grant: Grant, now: dt.datetime) -> tuple[QualificationRecord, CertificateSpec | None]:
    """The new record of ``grant`` (superseding the current one) with its certificate: a renewal reissues
    the current certificate as a new version; otherwise the spec of a new one to issue in the batch."""
    employee, certificate_type = grant.employee, grant.certificate_type
    if certificate_type.origin != TypeOrigin.INTERNAL:
        raise QualificationError(
            _("%(name)s is issued outside; record it from a scan.", name=certificate_type.name)
        )
    expires_on = expiry_for(grant.issued_on, certificate_type.validity_months)
    number = _number(certificate_type, employee, grant.issued_on)
    old = _supersede(employee, certificate_type, now)
    old_cert = old.certificate if old is not None else None
    record = QualificationRecord(
        employee=employee,
        certificate_type=certificate_type,
        number=number,
        issued_on=grant.issued_on,
        expires_on=expires_on,
        source_key=grant.source_key,
        recorded_at=now,
        note="换证" if old is not None else "",  # stored data, shown as is
    )
    if old_cert is not None and old_cert.revoked_at is None and old_cert.superseded_at is None:
        record.certificate = reissue_certificate(
            old_cert, now=now, number=number, issued_on=grant.issued_on, expires_on=expires_on
        )
        return record, None
    spec = CertificateSpec(
        CertificateKind.QUALIFICATION,
        employee,
        certificate_type.name,
        number,
        grant.issued_on,
        expires_on,
        certificate_type.issuer,
        f"qualification:{grant.source_key}",
        {"certificate_type": certificate_type.code},
    )
    return record, spec


def _issue_certificates_of(pending: list[tuple[QualificationRecord, CertificateSpec]], now: dt.datetime):
    """Issue the new certificates of ``pending`` records in one layout pass and attach each to its record."""
    if not pending:
        return
    certificates = issue_certificates([spec for _record, spec in pending], now=now)
    for (record, _spec), cert in zip(pending, certificates, strict=True):
        record.certificate = cert
    db.session.flush()


def record_external_qualification(
    employee: Employee,
    certificate_type: CertificateType,
    *,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
    now: dt.datetime,
    scan: StoredFile | None = None,
    note: str = "",
) -> QualificationRecord:
    """HR records a certificate issued elsewhere (from its scan); a newer one supersedes the current."""
    number = (number or "").strip()
    if not number:
        raise QualificationError(_("The certificate number is required."))
    if expires_on is not None and expires_on < issued_on:
        raise QualificationError(_("The expiry date is before the issue date."))
    if expires_on is None and certificate_type.validity_months:
        expires_on = expiry_for(issued_on, certificate_type.validity_months)
    _supersede(employee, certificate_type, now)
    record = QualificationRecord(
        employee=employee,
        certificate_type=certificate_type,
        number=number[:60],
        issued_on=issued_on,
        expires_on=expires_on,
        scan=scan,
        note=note[:300],
        recorded_at=now,
    )
    db.session.add(record)
    db.session.flush()
    return record


def revoke_qualification(record: QualificationRecord, reason: str, *, now: dt.datetime) -> None:
    """Revoke a record (and its PDF certificate) with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise QualificationError(_("Give a reason for revoking."))
    if record.revoked_at is not None:
        raise QualificationError(_("This record is already revoked."), status=409)
    record.revoked_at = now
    record.revoke_reason = reason[:300]
    if record.certificate is not None:
        try:
            revoke_certificate(record.certificate, reason, now=now)
        except CertificateError as exc:  # pragma: no cover — reason was checked above
            raise QualificationError(str(exc)) from exc
    db.session.flush()


def history(employee: Employee, certificate_type: CertificateType | None = None) -> list[QualificationRecord]:
    """Every record of the employee (renewal history), newest first."""
    query = select(QualificationRecord).where(QualificationRecord.employee_id == employee.id)
    if certificate_type is not None:
        query = query.where(QualificationRecord.certificate_type_id == certificate_type.id)
    return list(
        db.session.scalars(
            query.order_by(QualificationRecord.issued_on.desc(), QualificationRecord.id.desc())
        )
    )


def current_records(employee: Employee) -> list[QualificationRecord]:
    """The employee's current records, one per type."""
    return list(
        db.session.scalars(
            select(QualificationRecord)
            .where(
                QualificationRecord.employee_id == employee.id, QualificationRecord.superseded_at.is_(None)
            )
            .order_by(QualificationRecord.expires_on.is_(None), QualificationRecord.expires_on)
        )
    )


# ---------------------------------------------------------------- expiring list


def expiring_records(scope_condition, today: dt.date, *, days: int = EXPIRING_DAYS, limit: int | None = None):
    """Current, unrevoked records that expire within ``days`` or have expired, soonest first, for the
    employees matching ``scope_condition`` (a clause on Employee.department_id)."""
    query = (
        select(QualificationRecord)
        .join(QualificationRecord.employee)
        .where(
            QualificationRecord.superseded_at.is_(None),
            QualificationRecord.revoked_at.is_(None),
            QualificationRecord.expires_on.is_not(None),
            QualificationRecord.expires_on <= today + dt.timedelta(days=days),
            Employee.status == EmployeeStatus.ACTIVE,
            scope_condition,
        )
        .order_by(QualificationRecord.expires_on)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- 持证上岗 matrix

LACKING = {"missing", "expired", "revoked"}


@dataclass
class MatrixRow:
    employee_id: int
    employee_no: str
    name: str
    department: str
    position: str
    flags: dict[int, str] = field(default_factory=dict)  # certificate type id → flag
    expires: dict[int, dt.date | None] = field(default_factory=dict)
    certificates: dict[int, int] = field(default_factory=dict)  # type id → issued PDF certificate id
    scans: dict[int, int] = field(default_factory=dict)  # type id → record id of a certificate from elsewhere

    @property
    def lacking(self) -> bool:
        return any(flag in LACKING for flag in self.flags.values())

    @property
    def expiring(self) -> bool:
        return any(flag == "expiring" for flag in self.flags.values())


def matrix_types() -> list[CertificateType]:
    """Certificate types that some position requires (the matrix's columns)."""
    return list(
        db.session.scalars(
            select(CertificateType)
            .where(CertificateType.id.in_(select(certificate_type_positions.c.certificate_type_id)))
            .order_by(CertificateType.code)
        )
    )


@dataclass(frozen=True)
class MatrixFilter:
    """What HR narrows the matrix to: a department subtree, a position, a name or 工号 fragment."""

    department: Department | None = None
    position_id: int | None = None
    search: str = ""


def matrix_rows(
    scope_condition, today: dt.date, *, department: Department | None = None, only: MatrixFilter | None = None
) -> list[MatrixRow]:
    """Per active employee in scope, the flag of every type their position requires: missing /
    revoked / expired / expiring (≤ 90 days) / ok, with the expiry date and the certificate to open.
    One SQL query; flags are computed by the database."""
    only = only or MatrixFilter(department=department)
    record = QualificationRecord
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    flag = case(
        (record.id.is_(None), literal("missing")),
        (record.revoked_at.is_not(None), literal("revoked")),
        (and_(record.expires_on.is_not(None), record.expires_on < today), literal("expired")),
        (and_(record.expires_on.is_not(None), record.expires_on <= soon), literal("expiring")),
        else_=literal("ok"),
    )
    query = (
        select(
            Employee.id,
            Employee.employee_no,
            Employee.name,
            Department.name,
            Position.name,
            certificate_type_positions.c.certificate_type_id,
            flag,
            record.expires_on,
            record.certificate_id,
            record.id,
            record.scan_id,
        )
        .join(Department, Department.id == Employee.department_id)
        .join(Position, Position.id == Employee.position_id)
        .join(certificate_type_positions, certificate_type_positions.c.position_id == Employee.position_id)
        .outerjoin(
            record,
            and_(
                record.employee_id == Employee.id,
                record.certificate_type_id == certificate_type_positions.c.certificate_type_id,
                record.superseded_at.is_(None),
            ),
        )
        .where(Employee.status == EmployeeStatus.ACTIVE, scope_condition, *_matrix_filters(only))
        .order_by(Employee.employee_no)
    )
    rows: dict[int, MatrixRow] = {}
    for (
        emp_id,
        number,
        name,
        dept,
        position,
        type_id,
        row_flag,
        expires_on,
        cert_id,
        record_id,
        scan_id,
    ) in db.session.execute(query):
        row = rows.get(emp_id)
        if row is None:
            row = rows[emp_id] = MatrixRow(emp_id, number, name, dept, position)
        row.flags[type_id] = row_flag
        row.expires[type_id] = expires_on
        if cert_id is not None:
            row.certificates[type_id] = cert_id
        elif scan_id is not None:
            row.scans[type_id] = record_id
    return list(rows.values())


def _matrix_filters(only: MatrixFilter) -> list:
    conditions = []
    if only.department is not None:
        conditions.append(Department.path.startswith(only.department.path))
    if only.position_id:
        conditions.append(Employee.position_id == only.position_id)
    text = (only.search or "").strip()
    if text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        conditions.append(or_(Employee.name.like(like), Employee.employee_no.like(like.upper())))
    return conditions


def matrix_workbook(rows: list[MatrixRow], types: list[CertificateType]) -> bytes:
    """The 持证上岗 matrix as xlsx: one row per employee, one column per required type."""
    flags = {k: str(v) for k, v in MATRIX_FLAGS.items()}
    headers = [_("Employee number"), _("Name"), _("Department"), _("Position"), *(t.name for t in types)]

    def cell(row: MatrixRow, type_id: int) -> str | None:
        flag = row.flags.get(type_id)
        if flag is None:
            return None  # blank where the position does not require the type: no cell is written for it
        expires = row.expires.get(type_id)
        if expires is None or flag in {"missing", "revoked"}:
            return flags[flag]
        return _("%(flag)s (expires %(date)s)", flag=flags[flag], date=expires.isoformat())

    body = ([r.employee_no, r.name, r.department, r.position, *(cell(r, t.id) for t in types)] for r in rows)
    return write_xlsx(headers, body, title="持证上岗", widths=[12, 10, 18, 14, *([16] * len(types))])


def matrix_summary(rows: list[MatrixRow]) -> dict:
    """Counts for the HR card: employees lacking a required certificate, and with one expiring."""
    return {
        "employees": len(rows),
        "lacking": sum(1 for r in rows if r.lacking),
        "expiring": sum(1 for r in rows if r.expiring),
    }


# ---------------------------------------------------------------- reminders


@dataclass
class DueRenewal:
    record: QualificationRecord
    window: int
    notified: bool


def run_reminders(today: dt.date, *, now: dt.datetime) -> list[DueRenewal]:
    """Every current record inside a 90 / 30 / 0-day window; notifies the holder (in-app, and e-mail when
    SMTP is configured) once per record and window, never twice."""
    due: list[DueRenewal] = []
    records = expiring_records(literal(True), today)
    sent = {
        (r, w)
        for r, w in db.session.execute(
            select(ExpiryReminder.record_id, ExpiryReminder.window).where(
                ExpiryReminder.record_id.in_([r.id for r in records] or [0])
            )
        )
    }
    for record in records:
        window = expiry_window(record.expires_on, today)
        if window is None:
            continue
        already = (record.id, window) in sent
        due.append(DueRenewal(record, window, notified=not already))
        if already:
            continue
        user = db.session.scalar(select(User).where(User.employee_id == record.employee_id))
        if user is not None and user.active:
            if window == 0:
                title = _l("Your certificate %(name)s has expired", name=record.certificate_type.name)
            else:
                title = _l(
                    "Your certificate %(name)s expires on %(date)s",
                    name=record.certificate_type.name,
                    date=record.expires_on.isoformat(),
                )
            notify(
                [user],
                kind="training.expiry",
                title=title,
                body=_l("Please arrange the renewal (复审) in time."),
                link="/training/my/qualifications",  # a path: reminders run from the CLI
                now=now,
                key=f"expiry:{record.id}:{window}",
            )
        db.session.add(ExpiryReminder(record_id=record.id, window=window, sent_at=now))
    db.session.flush()
    return due


def employee_certificate_windows(employee: Employee, today: dt.date) -> list[dict]:
    """The employee's current records with status and reminder window (dashboard card)."""
    out = []
    for record in current_records(employee):
        out.append(
            {
                "record": record,
                "status": record_status(record, today),
                "window": None if record.revoked_at else expiry_window(record.expires_on, today),
            }
        )
    return out


def today_of(now: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of ``now``."""
    return local_date(now)
