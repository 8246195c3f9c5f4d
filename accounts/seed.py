"""Demo organisation: a provincial customer-service organisation with three units and about 60 staff, every
one of them marked ``Employee.demo``.

Demo logins get random passwords on the first run; they are kept in ``instance/demo-logins.txt``
(mode 0600) so every later run prints the same ones.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select

from accounts.models import Department, Employee, Position, User
from accounts.passwords import hash_password
from accounts.services import create_department, grant_role, random_password
from accounts.starter import seed_positions
from accounts.validators import national_id_check_digit
from core.auth import Role
from core.extensions import db
from core.seeding import Outcome

# (code, name, kind, parent code)
DEPARTMENTS = [
    ("HY", "华源省电力公司", "company", None),
    ("HY-HR", "人力资源部", "team", "HY"),
    ("HY-IT", "信息通信中心", "team", "HY"),
    ("HY-PX", "培训中心", "team", "HY"),
    ("HY-KF", "95598客户服务中心", "center", "HY"),
    ("HY-KF-1", "话务一班", "team", "HY-KF"),
    ("HY-KF-2", "话务二班", "team", "HY-KF"),
    ("HY-KF-ZJ", "工单质检班", "team", "HY-KF"),
    ("HY-CD", "城东供电分公司", "branch", "HY"),
    ("HY-CD-YY", "营业班", "team", "HY-CD"),
    ("HY-CD-DD", "调度班", "team", "HY-CD"),
    ("HY-CD-GDS", "城东供电所", "station", "HY-CD"),
    ("HY-CD-GDS-QX", "抢修班", "team", "HY-CD-GDS"),
    ("HY-JB", "江北供电分公司", "branch", "HY"),
    ("HY-JB-YY", "营业班", "team", "HY-JB"),
    ("HY-JB-GDS", "江北供电所", "station", "HY-JB"),
    ("HY-JB-GDS-YW", "运维班", "team", "HY-JB-GDS"),
]

# team code → (position code, how many, employee-number prefix)
STAFFING = [
    ("HY-KF-1", "CSR", 10, "KF"),
    ("HY-KF-2", "CSR", 9, "KF"),
    ("HY-KF-ZJ", "CSR", 3, "KF"),
    ("HY-CD-YY", "CLERK", 6, "CD"),
    ("HY-CD-YY", "METER", 2, "CD"),
    ("HY-CD-DD", "DISP", 4, "CD"),
    ("HY-CD-GDS-QX", "ELEC", 6, "CD"),
    ("HY-CD-GDS-QX", "EMERG", 3, "CD"),
    ("HY-JB-YY", "CLERK", 5, "JB"),
    ("HY-JB-YY", "METER", 2, "JB"),
    ("HY-JB-GDS-YW", "ELEC", 5, "JB"),
    ("HY-JB-GDS-YW", "EMERG", 3, "JB"),
    ("HY-PX", "TRAIN", 2, "PX"),
    ("HY-HR", "TRAIN", 1, "HR"),
]

DEMO_LOGINS = [
    # (工号, name, department, position, role, scope department code)
    ("A0001", "系统管理员", "HY-IT", "TRAIN", Role.ADMIN, None),
    ("H0001", "周人事", "HY-HR", "TRAIN", Role.HR, None),
    ("T0001", "陈培训", "HY-PX", "TRAIN", Role.TRAINER, None),
    ("T0002", "林讲师", "HY-CD", "TRAIN", Role.TRAINER, "HY-CD"),
    ("E0001", "王小明", "HY-KF-1", "CSR", None, None),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建国红梅海燕志文斌宇浩凯晨欣怡佳琪"
REGIONS = ("330102", "330104", "330106", "330110", "330182")


def fake_national_id(rng: random.Random, birth: dt.date) -> str:
    first17 = rng.choice(REGIONS) + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return first17 + national_id_check_digit(first17)


def _logins_file() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "demo-logins.txt"


def _load_logins() -> dict[str, str]:
    path = _logins_file()
    if not path.exists():
        return {}
    return dict(line.split("\t", 1) for line in path.read_text().splitlines() if "\t" in line)


def _save_logins(logins: dict[str, str]) -> None:
    path = _logins_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.writelines(f"{no}\t{pw}\n" for no, pw in logins.items())


def seed_organisation(report) -> None:
    """Departments, positions, ~60 employees and one login per role (idempotent)."""
    positions = _seed_positions()
    departments = _seed_departments()
    rng = random.Random(20260101)  # one stream for staff and demo logins: every run makes the same people
    _seed_staff(departments, positions, rng)
    logins = _seed_demo_logins(departments, positions, rng)
    _save_logins(logins)
    report("Demo logins (工号 / password):")
    for number, name, _dept, _pos, role, scope in DEMO_LOGINS:
        label = role or Role.EMPLOYEE
        if scope:
            label += f" (scope {scope})"
        report(f"  {number:6} {logins.get(number, '(changed by its user)'):14} {label:24} {name}")


def _seed_positions() -> dict[str, Position]:
    """The guide's posts (starter content, normally loaded already by ``seed-content``), by code."""
    seed_positions(Outcome("positions"))
    return {p.code: p for p in db.session.scalars(select(Position))}


def _seed_departments() -> dict[str, Department]:
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    for code, name, kind, parent in DEPARTMENTS:
        if code not in departments:
            departments[code] = create_department(name, code, kind, departments[parent] if parent else None)
    db.session.flush()
    return departments


def _seed_staff(
    departments: dict[str, Department], positions: dict[str, Position], rng: random.Random
) -> None:
    """The teams' staff (``STAFFING``), each with an account nobody can sign in to yet."""
    existing = set(db.session.scalars(select(Employee.employee_no)))
    counters: dict[str, int] = {}
    for team, position, count, prefix in STAFFING:
        for _ in range(count):
            counters[prefix] = counters.get(prefix, 0) + 1
            number = f"{prefix}{counters[prefix]:03d}"
            # Drawn before the existence check so a re-run draws the same numbers for the later people.
            birth = dt.date(rng.randint(1970, 2001), rng.randint(1, 12), rng.randint(1, 28))
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            hired = dt.date(rng.randint(max(birth.year + 20, 1992), 2025), rng.randint(1, 12), 1)
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            national_id = fake_national_id(rng, birth)
            if number in existing:
                continue
            employee = Employee(
                employee_no=number,
                name=name,
                department=departments[team],
                position=positions[position],
                hire_date=hired,
                phone=phone,
                national_id=national_id,
                demo=True,
            )
            db.session.add(employee)
            # Staff accounts get an unusable random password; HR hands out real ones (reset password).
            db.session.add(
                User(
                    employee=employee,
                    password_hash=hash_password(random_password()),
                    must_change_password=True,
                )
            )


def _seed_demo_logins(
    departments: dict[str, Department], positions: dict[str, Position], rng: random.Random
) -> dict[str, str]:
    """One login per role (``DEMO_LOGINS``); returns 工号 → password, the same ones as the first run."""
    logins = _load_logins()
    for number, name, dept, position, role, scope in DEMO_LOGINS:
        user = db.session.scalar(select(User).join(User.employee).where(Employee.employee_no == number))
        if user is None:
            employee = Employee(
                employee_no=number,
                name=name,
                department=departments[dept],
                position=positions[position],
                hire_date=dt.date(2015, 7, 1),
                phone=f"139{rng.randrange(10**8):08d}",
                national_id=fake_national_id(rng, dt.date(1988, 5, 17)),
                demo=True,
            )
            password = logins.get(number) or random_password()
            logins[number] = password
            user = User(employee=employee, password_hash=hash_password(password), must_change_password=False)
            db.session.add_all([employee, user])
            db.session.flush()
            if role is not None:
                grant_role(user, role, departments[scope] if scope else None)
    return logins


# ---------------------------------------------------------------- keeping the demo out of production


def demo_people() -> list[Employee]:
    """Every person of the demo organisation (``Employee.demo``), by 工号."""
    return list(
        db.session.scalars(select(Employee).where(Employee.demo.is_(True)).order_by(Employee.employee_no))
    )


def real_people_refusal() -> str | None:
    """Why the demo must not be loaded here: the database holds people who are not from the demo."""
    count = db.session.scalar(select(func.count(Employee.id)).where(Employee.demo.is_(False))) or 0
    if not count:
        return None
    return f"This database holds {count} real (non-demo) {'person' if count == 1 else 'people'}."


def remove_demo_people(employee_ids: list[int], user_ids: list[int]) -> None:
    """Delete the demo people; their accounts, role grants and inboxes go with them (ON DELETE CASCADE)."""
    if employee_ids:
        db.session.execute(delete(Employee).where(Employee.id.in_(employee_ids)))
