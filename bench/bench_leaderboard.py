"""Benchmark: the unit leaderboard for a quarter with 10,000 employees and 1,000,000 ledger entries.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gridready_incentives_bench \
        .venv/bin/python bench/bench_leaderboard.py

The database named by BENCH_DATABASE_URL is WIPED and rebuilt by the migrations. The data is made with
set-based inserts (INSERT ... SELECT generate_series), then the same ``incentives.ranking.leaderboard``
the pages use is timed for a 1,000-person unit and for the whole 10,000-person company.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from accounts.models import Department  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from incentives.periods import period_of  # noqa: E402
from incentives.ranking import leaderboard  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/gridready_incentives_bench")
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "10000"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "1000000"))
UNITS = 10  # branches under the company, each with 10 teams
RUNS = 7
LIMIT_MS = 500

SETUP = [
    "INSERT INTO positions (code, name, annual_training_hours, active) VALUES ('CSR', '客户服务专员', 40, true)",
    "INSERT INTO departments (id, parent_id, name, code, kind, path, depth)"
    " VALUES (1, NULL, '华源省电力公司', 'HY', 'company', '/1/', 0)",
    # units 2..11, teams 12..111 (ten per unit)
    "INSERT INTO departments (id, parent_id, name, code, kind, path, depth)"
    " SELECT u, 1, '分公司' || u, 'U' || u, 'branch', '/1/' || u || '/', 1 FROM generate_series(2, 11) AS u",
    "INSERT INTO departments (id, parent_id, name, code, kind, path, depth)"
    " SELECT t, 2 + (t - 12) / 10, '班组' || t, 'T' || t, 'team', '/1/' || (2 + (t - 12) / 10) || '/' || t || '/', 2"
    " FROM generate_series(12, 111) AS t",
    "SELECT setval(pg_get_serial_sequence('departments', 'id'), 111)",
    "INSERT INTO employees (employee_no, name, department_id, position_id, status)"
    " SELECT 'B' || lpad(g::text, 6, '0'), '员工' || g, 12 + (g % 100), 1, 'active'"
    " FROM generate_series(1, :employees) AS g",
    "INSERT INTO point_rules (code, name, description, trigger, category, points, evidence, cap_period, active, created_at)"
    " SELECT 'R' || r, '规则' || r, '', 'manual', CASE WHEN r = 8 THEN 'complaint' ELSE 'other' END,"
    " CASE WHEN r = 8 THEN -10 ELSE r END, '', 'month', true, now() FROM generate_series(1, 8) AS r",
    # A year of activity: entries spread over 2026, every employee about 100 lines.
    "INSERT INTO point_entries (employee_id, rule_id, points, occurred_at, recorded_at, source_key, source_label, reason)"
    " SELECT e.min_id + (g % :employees), 1 + (g % 8), CASE WHEN g % 8 = 7 THEN -10 ELSE 1 + (g % 7) END,"
    " timestamptz '2026-01-01 00:00+08' + ((g::bigint * 7919) % 31536000) * interval '1 second', now(),"
    " 'bench:' || g, '基准数据', ''"
    " FROM generate_series(1, :entries) AS g, (SELECT min(id) AS min_id FROM employees) AS e",
]


def build(app) -> None:
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        started = time.perf_counter()
        with engine.begin() as conn:
            for statement in SETUP:
                conn.execute(sa.text(statement), {"employees": EMPLOYEES, "entries": ENTRIES})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        print(
            f"built {EMPLOYEES:,} employees and {ENTRIES:,} entries in {time.perf_counter() - started:.1f} s"
        )


def timed(unit, period) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(RUNS):
        db.session.expire_all()
        started = time.perf_counter()
        board = leaderboard(unit, period)
        times.append((time.perf_counter() - started) * 1000)
        size = len(board)
    return times, size


def main() -> int:
    url = (
        URL if not URL.startswith("postgresql://") else "postgresql+psycopg://" + URL[len("postgresql://") :]
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TASK_QUEUE": "immediate"})
    if os.environ.get("BENCH_REUSE") != "1":
        build(app)
    failed = False
    with app.test_request_context():
        period = period_of("quarter", 2026, 2)
        for label, code in [("one unit (1,000 people)", "U2"), ("whole company (10,000 people)", "HY")]:
            unit = db.session.scalar(sa.select(Department).where(Department.code == code))
            times, size = timed(unit, period)
            median = statistics.median(times)
            print(
                f"leaderboard {period.token}, {label}: {size:,} rows, median {median:.0f} ms, "
                f"best {min(times):.0f} ms, worst {max(times):.0f} ms over {RUNS} runs"
            )
            failed = failed or median > LIMIT_MS
        entries = db.session.scalar(sa.text("SELECT count(*) FROM point_entries"))
        print(f"ledger rows: {entries:,}; target: median under {LIMIT_MS} ms -> {'FAIL' if failed else 'OK'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
