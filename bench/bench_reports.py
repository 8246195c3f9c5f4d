"""Benchmark of the reports package (issue 18 §1, §7):
- a department's sheets as PDFs (≥ 20 sheets/s), 200 people with a year of records each;
- one person's sheet page (< 300 ms) with five years of records, through the web page (sign-in, audit);
- the readiness dashboard for 10,000 staff in 200 departments with 8 quarters of history (< 1 s).

- the nightly assignment job, 10,000 staff and 50 rules (< 60 s).

Rerun: BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gr_reports .venv/bin/python bench/bench_reports.py
(the database's tables are dropped and rebuilt; without BENCH_DATABASE_URL a throw-away SQLite file is used).
BENCH_ONLY=assignment builds the same data and runs only the nightly assignment job (about 2 minutes).
Production settings: real argon2 hashing for the sign-in, the task queue inline, PDF_WORKERS unset (one
process per core). Prints the load average beside every figure, and the machine-independent evidence: the
queries per request and the CPU seconds each sheet costs (this process and the PDF workers together)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import resource
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("TASK_QUEUE", "immediate")
TMP = tempfile.mkdtemp(prefix="gridready-bench-")
os.environ.setdefault("GRIDREADY_INSTANCE", TMP)

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from accounts.models import Department, Employee, Position, RoleGrant, User  # noqa: E402
from accounts.passwords import hash_password  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.pdf import default_workers  # noqa: E402
from exams.models import Attempt, Exam, PaperBlueprint  # noqa: E402
from incentives.models import PointEntry, PointRule  # noqa: E402
from reports.assignment import run_all  # noqa: E402
from reports.bundles import write_bundle  # noqa: E402
from reports.models import AssignmentRule, ServiceIndicator  # noqa: E402
from reports.periods import parse_period  # noqa: E402
from reports.readiness import build_dashboard  # noqa: E402
from training.models import (  # noqa: E402
    CertificateType,
    Course,
    CourseCompletion,
    HoursEntry,
    QualificationRecord,
    TrainingSession,
)

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
PASSWORD = "Bench-password-1"
KEYS = itertools.count(1)


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


class Counted:
    """Counts the SQL statements run while open."""

    def __enter__(self):
        self.count = 0
        sa.event.listen(db.engine, "before_cursor_execute", self._one)
        return self

    def _one(self, *_args):
        self.count += 1

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._one)


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the PDF workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)


def reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()


def catalogue():
    pos = Position(code="CSR", name="客户服务专员", annual_training_hours=Decimal(40))
    ctype = CertificateType(
        code="KF", name="客户服务专员证", validity_months=24, issuer="培训中心", positions=[pos]
    )
    course = Course(code="FW", title="供电服务规范", hours=Decimal(4), form="classroom")
    bp = PaperBlueprint(title="服务规范试卷")
    rule = PointRule(code="P", name="表扬", trigger="manual", category="praise", points=Decimal(5))
    db.session.add_all([pos, ctype, course, bp, rule])
    db.session.flush()
    exams = []
    for i in range(24):
        opens = utc(dt.date(2022, 1, 10) + dt.timedelta(days=75 * i))
        exams.append(
            Exam(
                title=f"季度考试{i + 1}",
                blueprint_id=bp.id,
                opens_at=opens,
                closes_at=opens + dt.timedelta(days=3),
            )
        )
    db.session.add_all(exams)
    db.session.flush()
    return pos, ctype, course, exams, rule


def records(employee_ids, days, ctype, course, exams, rule, stride=1):
    """Hours, completions, attempts, points and indicators for ``employee_ids`` over ``days``."""
    completions, hours, attempts, points, indicators, quals = [], [], [], [], [], []
    numbers: dict = {}
    for eid in employee_ids:
        quals.append(
            {
                "employee_id": eid,
                "certificate_type_id": ctype.id,
                "number": f"KF{eid}",
                "issued_on": days[0],
                "expires_on": days[-1] + dt.timedelta(days=400),
                "recorded_at": NOW,
            }
        )
        for n, day in enumerate(days[::stride]):
            key = next(KEYS)
            completions.append(
                {
                    "id": key,
                    "employee_id": eid,
                    "course_id": course.id,
                    "source_key": f"c:{key}",
                    "completed_at": utc(day),
                    "completed_on": day,
                }
            )
            hours.append(
                {
                    "employee_id": eid,
                    "hours": Decimal(4),
                    "source": "course",
                    "source_key": f"completion:{key}",
                    "earned_on": day,
                    "created_at": NOW,
                }
            )
            points.append(
                {
                    "employee_id": eid,
                    "rule_id": rule.id,
                    "points": Decimal(5),
                    "occurred_at": utc(day),
                    "recorded_at": NOW,
                    "source_key": f"p:{key}",
                }
            )
            exam = exams[n % len(exams)]
            attempts.append(
                {
                    "exam_id": exam.id,
                    "employee_id": eid,
                    "number": numbers.setdefault((exam.id, eid), itertools.count(1)).__next__(),
                    "status": "graded",
                    "seed": 1,
                    "started_at": utc(day),
                    "deadline": utc(day),
                    "submitted_at": utc(day),
                    "score": Decimal(50 + key % 50),
                    "max_score": Decimal(100),
                    "passed": key % 50 >= 10,
                }
            )
        for month in sorted({d.replace(day=1) for d in days}):
            indicators.append(
                {
                    "employee_id": eid,
                    "month": month,
                    "work_orders": 120,
                    "satisfaction": Decimal("97.5"),
                    "complaints": 0,
                    "commendations": 1,
                    "imported_at": NOW,
                }
            )
    for model, rows in (
        (QualificationRecord, quals),
        (CourseCompletion, completions),
        (HoursEntry, hours),
        (PointEntry, points),
        (Attempt, attempts),
        (ServiceIndicator, indicators),
    ):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start : start + 5000])


def people(department_id, position_id, count, prefix):
    rows = [
        {
            "employee_no": f"{prefix}{i:05d}",
            "name": f"员工{prefix}{i}",
            "department_id": department_id,
            "position_id": position_id,
            "status": "active",
        }
        for i in range(count)
    ]
    db.session.execute(insert(Employee), rows)
    return list(
        db.session.scalars(
            select(Employee.id).where(Employee.employee_no.startswith(prefix)).order_by(Employee.id)
        )
    )


def tree(departments: int):
    root = Department(name="华源省电力公司", code="ROOT", kind="company", path="", depth=0)
    db.session.add(root)
    db.session.flush()
    root.path = f"/{root.id}/"
    branches, teams = [], []
    for b in range(departments // 10):
        branch = Department(
            name=f"分公司{b}", code=f"B{b}", kind="branch", parent_id=root.id, depth=1, path=""
        )
        db.session.add(branch)
        db.session.flush()
        branch.path = f"{root.path}{branch.id}/"
        branches.append(branch)
        for t in range(9):
            team = Department(
                name=f"班组{b}-{t}", code=f"T{b}-{t}", kind="team", parent_id=branch.id, depth=2, path=""
            )
            db.session.add(team)
            db.session.flush()
            team.path = f"{branch.path}{team.id}/"
            teams.append(team)
    return root, branches, teams


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP}/bench.db")
    reset(url)
    uri = url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "SERVER_NAME": "localhost",
            "SESSION_COOKIE_SECURE": False,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_DIR": f"{TMP}/uploads",
        }
    )
    print(f"database {url.split('@')[-1]}; cores {os.cpu_count()}; load before {os.getloadavg()}")
    with app.app_context():
        upgrade()
        pos, ctype, course, exams, rule = catalogue()
        root, branches, teams = tree(200)
        t0 = time.perf_counter()
        for i, team in enumerate(teams):
            ids = people(
                team.id, pos.id, 10_000 // len(teams) + (1 if i < 10_000 % len(teams) else 0), f"S{i:03d}-"
            )
            days = [
                dt.date(2024, 12, 1) + dt.timedelta(days=45 * k) for k in range(16)
            ]  # 8 quarters, 2 a quarter
            records(ids, days, ctype, course, exams, rule, stride=2)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # as autovacuum would after a bulk load
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        print(
            f"built 10,000 staff in {len(teams) + len(branches) + 1} departments with 8 quarters of records in {time.perf_counter() - t0:.0f} s"
        )
        admin_emp = people(root.id, pos.id, 1, "ADM")[0]
        admin = User(employee_id=admin_emp, password_hash=hash_password(PASSWORD), must_change_password=False)
        db.session.add(admin)
        db.session.flush()
        db.session.add(RoleGrant(user_id=admin.id, role="admin", department_id=None))
        db.session.commit()
        if os.environ.get("BENCH_ONLY") == "assignment":  # the nightly job alone, on the same data
            assignment_bench(pos, course, ctype, exams)
            print(f"load after {os.getloadavg()}")
            return

        timings = []
        for _ in range(5):
            start = time.perf_counter()
            board = build_dashboard(admin, root, "quarter", NOW)
            timings.append(time.perf_counter() - start)
            db.session.rollback()
        print(
            f"dashboard (build_dashboard), 10,000 staff / {len(teams) + len(branches) + 1} departments / 8 quarters: median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms ({len(board.rows)} rows, {len(board.teams)} teams ranked) — target < 1 s; {load()}"
        )

        # one person with five years of records, through the page
        five = people(teams[0].id, pos.id, 1, "FIVE")
        days = [dt.date(2021, 12, 1) + dt.timedelta(days=6 * k) for k in range(300)]
        records(five, days, ctype, course, exams, rule)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"employee_no": "ADM00000", "password": PASSWORD})
        timings = []
        client.get(f"/reports/readiness?unit={root.id}&kind=quarter")
        for _ in range(5):
            start = time.perf_counter()
            with Counted() as queries:
                response = client.get(f"/reports/readiness?unit={root.id}&kind=quarter")
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        print(
            f"dashboard page (sign-in, audit, charts, HTML): median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms, {queries.count} queries — target < 1 s; {load()}"
        )
        timings = []
        for token in ("2026H2", "2026", "2022-01-01~2026-11-30") * 3:
            start = time.perf_counter()
            with Counted() as queries:
                response = client.get(f"/reports/people/{five[0]}/sheet?period={token}")
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        print(
            f"sheet page, 5 years of records (300 courses, 300 exam attempts, 300 point lines, 60 months): median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms, {queries.count} queries — target < 300 ms; {load()}"
        )

        # a department's sheets as PDFs
        ids = [
            e
            for e in db.session.scalars(
                select(Employee)
                .where(Employee.department_id.in_([t.id for t in teams[:4]]))
                .order_by(Employee.id)
            )
        ][:200]
        period = parse_period("2026", NOW)
        ids = db.session.scalars(
            select(Employee)
            .options(sa.orm.joinedload(Employee.department), sa.orm.joinedload(Employee.position))
            .where(Employee.id.in_([e.id for e in ids]))
            .order_by(Employee.id)
        ).all()
        workers = app.config.get("PDF_WORKERS") or default_workers()
        with app.test_request_context():
            start, cpu = time.perf_counter(), cpu_seconds()
            with Counted() as queries:
                count = write_bundle(ids, period, NOW, Path(TMP) / "bench.zip", lambda *a: None)
            elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        print(
            f"department zip: {count} sheets in {elapsed:.1f} s = {count / elapsed:.1f} sheets/s with {workers} PDF workers — target ≥ 20/s; {queries.count} queries; CPU {cpu:.1f} s = {cpu / count * 1000:.0f} ms a sheet (all processes), i.e. {workers / (cpu / count):.1f} sheets/s on {workers} idle cores; {load()}"
        )
        assignment_bench(pos, course, ctype, exams)
    print(f"load after {os.getloadavg()}")


def assignment_bench(pos, course, ctype, exams) -> None:
    """10,000 staff with accounts on 10 posts, 50 rules (40 course rules, 10 renewal rules): the nightly job
    twice (the first night adds and notifies 140,000 people, the second nobody)."""
    positions = [pos] + [
        Position(code=f"P{i}", name=f"岗位{i}", annual_training_hours=Decimal(40)) for i in range(1, 10)
    ]
    db.session.add_all(positions[1:])
    db.session.flush()
    ids = db.session.scalars(
        select(Employee.id).where(Employee.employee_no.startswith("S")).order_by(Employee.id)
    ).all()
    shared_hash = hash_password(PASSWORD)  # every person has an account, so the job's notices are real
    for start in range(0, len(ids), 5000):
        db.session.execute(
            insert(User),
            [
                {"employee_id": e, "password_hash": shared_hash, "must_change_password": False}
                for e in ids[start : start + 5000]
            ],
        )
    for index, position in enumerate(positions):
        db.session.execute(
            sa.update(Employee).where(Employee.id.in_(ids[index::10])).values(position_id=position.id)
        )
    root = db.session.scalar(select(Department).where(Department.code == "ROOT"))
    courses = [
        Course(code=f"AC{i}", title=f"必修课程{i}", hours=Decimal(2), form="online") for i in range(40)
    ]
    db.session.add_all(courses)
    db.session.flush()
    for c in courses:
        db.session.add(
            TrainingSession(
                course_id=c.id,
                department_id=root.id,
                title=c.title,
                starts_at=NOW + dt.timedelta(days=20),
                ends_at=NOW + dt.timedelta(days=20, hours=2),
                checkin_token=f"tok{c.id}",
            )
        )
    rules = [
        AssignmentRule(
            name=f"课程规则{i}",
            kind="course",
            position_id=positions[i % 10].id,
            course_id=courses[i].id,
            every_months=12,
            enabled=True,
        )
        for i in range(40)
    ] + [
        AssignmentRule(
            name=f"复审规则{i}",
            kind="renewal",
            certificate_type_id=ctype.id,
            exam_id=exams[i].id,
            days_before=400 + i,
            enabled=True,
        )
        for i in range(10)
    ]
    db.session.add_all(rules)
    db.session.commit()
    for label in ("first night", "second night (nothing new)"):
        start = time.perf_counter()
        result = run_all(NOW)
        db.session.commit()
        elapsed = time.perf_counter() - start
        print(
            f"assignment job, 10,000 staff x 50 rules, {label}: {elapsed:.1f} s, {sum(result.values())} added — target < 60 s; {load()}"
        )


if __name__ == "__main__":
    main()
