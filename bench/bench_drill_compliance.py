"""Benchmark: the drill compliance board for 200 units × 6 half years (target < 1 s).

    .venv/bin/python bench/bench_drill_compliance.py                  # SQLite (a temporary file)
    BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/gridready_bench .venv/bin/python bench/bench_drill_compliance.py

The PostgreSQL database named in BENCH_PG_URL is EMPTIED (schema dropped and rebuilt): use a scratch one.
History: 200 units (branches and stations) each with two or three drills per half year over six half
years (≈2,600 drills) and a deficiency with an action on every fifth drill; the board is computed five
times and the median and worst times are printed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("GRIDREADY_INSTANCE", tempfile.mkdtemp(prefix="gridready-bench-"))

import sqlalchemy as sa  # noqa: E402
from flask_babel import force_locale  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from accounts.models import Department, Employee, Position  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.timeutil import LOCAL_TZ  # noqa: E402
from drills import compliance  # noqa: E402
from drills.catalogue import PLANS  # noqa: E402
from drills.evaluation_models import CorrectiveAction, Finding  # noqa: E402
from drills.halfyear import HalfYear, half_years  # noqa: E402
from drills.models import ContentType, Drill, EmergencyPlan  # noqa: E402

UNITS = 200
HALVES = half_years(HalfYear(2024, 1), HalfYear(2026, 2))


def reset(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))


def populate() -> list[Department]:
    rng = random.Random(7)
    company = Department(name="公司", code="B-ROOT", kind="company", path="", depth=0)
    db.session.add(company)
    db.session.flush()
    company.path = f"/{company.id}/"
    position = Position(code="B-P", name="岗位")
    db.session.add(position)
    units = []
    for i in range(UNITS):
        kind = "branch" if i % 4 == 0 else "station"
        dept = Department(name=f"单位{i:03d}", code=f"B-{i:03d}", kind=kind, parent=company, depth=1)
        db.session.add(dept)
        units.append(dept)
    db.session.flush()
    for dept in units:
        dept.path = f"{company.path}{dept.id}/"
    owner = Employee(employee_no="B0001", name="责任人", department=units[0], position=position)
    db.session.add(owner)
    plans = []
    for code, title, itype, kinds, _summary, _levels in PLANS:
        plan = EmergencyPlan(code=code, title=title, incident_type=itype, unit_kinds=list(kinds))
        db.session.add(plan)
        plans.append(plan)
    db.session.flush()
    drills, findings, actions = [], [], []
    all_types = [c.value for c in ContentType]
    n = 0
    for dept in units:
        for half in HALVES:
            for k in range(rng.choice((2, 2, 3))):
                n += 1
                plan = rng.choice(plans)
                day = half.first_day + dt.timedelta(days=rng.randrange(170))
                start = dt.datetime.combine(day, dt.time(9), tzinfo=LOCAL_TZ).astimezone(dt.UTC)
                tier = rng.choice(["excellent", "good", "pass", "pass", "fail"])
                drills.append(
                    {
                        "id": n,
                        "title": f"演练{n}",
                        "unit_id": dept.id,
                        "plan_id": plan.id,
                        "incident_type": plan.incident_type,
                        "level": 3,
                        "form": "live",
                        "scope": "full" if k == 0 else "single",
                        "purpose": "testing",
                        "content_types": all_types if k == 0 else all_types[:2],
                        "starts_at": start,
                        "ends_at": start + dt.timedelta(hours=3),
                        "place": "",
                        "objectives": "",
                        "scenario": "",
                        "resources": "",
                        "status": "closed",
                        "status_reason": "",
                        "tier": tier,
                        "critical_failure": False,
                        "summary": "",
                        "lessons": "",
                        "suggestions": "",
                        "plan_decision_note": "",
                        "created_at": start,
                        "conducted_at": start,
                        "reported_at": start + dt.timedelta(days=rng.choice((5, 10, 20))),
                    }
                )
                if n % 5 == 0:
                    findings.append(
                        {
                            "id": n,
                            "drill_id": n,
                            "kind": "improvement",
                            "severity": "deficiency",
                            "element": "plan",
                            "title": "问题",
                            "description": "",
                            "recommendation": "",
                            "escalation_reason": "",
                            "created_at": start,
                        }
                    )
                    actions.append(
                        {
                            "finding_id": n,
                            "owner_id": owner.id,
                            "unit_id": dept.id,
                            "description": "整改",
                            "due_date": day + dt.timedelta(days=30),
                            "status": rng.choice(["closed", "in_progress"]),
                            "evidence": "",
                            "created_at": start,
                            "overdue_reminders": 0,
                            "closed_at": start + dt.timedelta(days=20),
                        }
                    )
    db.session.execute(sa.insert(Drill), drills)
    db.session.execute(sa.insert(Finding), findings)
    db.session.execute(sa.insert(CorrectiveAction), actions)
    db.session.commit()
    print(
        f"  history: {UNITS} units, {len(drills)} drills, {len(findings)} deficiencies, half years {HALVES[0]}–{HALVES[-1]}"
    )
    return units


def run(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TASK_QUEUE": "immediate", "TESTING": True})
    with app.app_context(), force_locale("zh_CN"):
        reset(db.engine)
        upgrade()
        populate()
        now = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)
        timings, cpu = [], []
        for _ in range(5):
            db.session.expunge_all()
            start, start_cpu = time.perf_counter(), time.process_time()
            units = compliance.board_units()
            board = compliance.build_board(units, HALVES, now)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        cells = sum(len(c) for _u, c in board.rows)
        print(
            f"  board: {len(board.rows)} units × {len(HALVES)} half years = {cells} cells; states {board.counts()}"
        )
        print(
            f"  time: median {statistics.median(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms wall; "
            f"median {statistics.median(cpu) * 1000:.0f} ms CPU of this process (5 runs; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )


def main() -> None:
    path = Path(tempfile.mkdtemp(prefix="gridready-bench-")) / "bench.db"
    print(f"SQLite ({path})")
    run(f"sqlite:///{path}")
    pg = os.environ.get("BENCH_PG_URL")
    if pg:
        print(f"PostgreSQL ({pg.rsplit('@', 1)[-1]})")
        run(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    else:
        print("PostgreSQL: skipped (set BENCH_PG_URL to a scratch database)")


if __name__ == "__main__":
    main()
