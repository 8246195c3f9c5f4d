"""Test data builders: they add and flush, never commit (the ``db`` fixture rolls everything back)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from decimal import Decimal

from accounts.models import Department, Employee, Position, RoleGrant, User
from accounts.passwords import hash_password
from accounts.validators import national_id_check_digit
from core.extensions import db

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _n() -> int:
    return next(_seq)


def department(
    name: str | None = None, parent: Department | None = None, kind: str = "team", code=None
) -> Department:
    n = _n()
    dept = Department(name=name or f"部门{n}", code=code or f"D{n:05d}", kind=kind, parent=parent)
    db.session.add(dept)
    db.session.flush()
    dept.path = (parent.path if parent else "/") + f"{dept.id}/"
    dept.depth = parent.depth + 1 if parent else 0
    db.session.flush()
    return dept


def position(name: str | None = None, hours: int = 40) -> Position:
    n = _n()
    pos = Position(code=f"P{n:05d}", name=name or f"岗位{n}", annual_training_hours=Decimal(hours))
    db.session.add(pos)
    db.session.flush()
    return pos


def national_id(seq: int | None = None, birth: dt.date = dt.date(1990, 1, 1)) -> str:
    seq = _n() if seq is None else seq
    first17 = "330102" + birth.strftime("%Y%m%d") + f"{seq % 1000:03d}"
    return first17 + national_id_check_digit(first17)


def employee(
    name: str | None = None, department: Department | None = None, position: Position | None = None, **fields
) -> Employee:
    n = _n()
    emp = Employee(
        employee_no=fields.pop("employee_no", f"E{n:06d}"),
        name=name or f"员工{n}",
        department=department or globals()["department"](),
        position=position or globals()["position"](),
        national_id=fields.pop("national_id", national_id(n, dt.date(1980 + n % 20, 1 + n % 12, 1 + n % 28))),
        phone=fields.pop("phone", f"138{n:08d}"),
        **fields,
    )
    db.session.add(emp)
    db.session.flush()
    return emp


def password_hash() -> str:
    if PASSWORD not in _hash_cache:
        _hash_cache[PASSWORD] = hash_password(PASSWORD)
    return _hash_cache[PASSWORD]


def user(
    grants=(),
    employee_obj: Employee | None = None,
    department: Department | None = None,
    must_change_password: bool = False,
    **employee_fields,
) -> User:
    """A user with the test PASSWORD; ``grants`` is a list of (role, scope department or None)."""
    emp = employee_obj or employee(department=department, **employee_fields)
    account = User(employee=emp, password_hash=password_hash(), must_change_password=must_change_password)
    db.session.add(account)
    db.session.flush()
    for role, scope in grants:
        db.session.add(RoleGrant(user=account, role=role, department=scope))
    db.session.flush()
    db.session.refresh(account)
    return account


def damaged_workbook(data: bytes) -> bytes:
    """``data`` (an xlsx) with the second half of its first sheet's compressed bytes scrambled: the zip and
    the start of the sheet open, the sheet fails part-way through reading."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = bytearray(data)
    for k in range(start + info.compress_size // 2, start + info.compress_size - 5):
        damaged[k] ^= 0x55
    return bytes(damaged)
