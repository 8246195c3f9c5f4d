"""Question-bank speed: importing a 10,000-question xlsx, and the trainer list's first page at 50,000.

Targets (issue 3): import < 20 s and < 300 MB peak memory; filtered first page < 300 ms on SQLite and
PostgreSQL.

    .venv/bin/python bench/bench_question_bank.py                      # SQLite (a temporary file)
    .venv/bin/python bench/bench_question_bank.py --database-url postgresql://postgres@127.0.0.1:5432/gridready_bench

The PostgreSQL database is emptied (schema dropped) first. Memory is measured twice: tracemalloc's peak of
Python allocations during the import, and the process's peak resident set size (getrusage ru_maxrss).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("TASK_QUEUE", "immediate")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from accounts.models import Department, Employee, Position, RoleGrant, User  # noqa: E402
from accounts.passwords import hash_password  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.models import utcnow  # noqa: E402
from question_bank import importing, starter  # noqa: E402
from question_bank.formats import xlsx  # noqa: E402

PASSWORD = "bench password 123"


def make_workbook(count: int, offset: int) -> bytes:
    """``count`` questions cycling through the starter bank's rows, each stem made unique."""
    rows = starter.bank_rows(starter.bank_entries())[1:]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("题库")
    sheet.append(xlsx.HEADERS)
    for n in range(count):
        row = list(rows[n % len(rows)])
        row[1] = f"{row[1]}（第{offset + n}题）"
        row[16] = f"{row[16]}/批{(offset + n) // 2000}"
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reset(url: str) -> None:
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def import_file(data: bytes, offset: int) -> dict:
    parsed = importing.parse_file(data, "xlsx")
    assert not parsed.problems, parsed.problems[:3]
    summary = importing.run_import(parsed, None, utcnow(), import_duplicates=True)
    db.session.commit()
    return summary


def admin_client(app):
    dept = Department(name="总部", code="BENCH", kind="company", path="/")
    pos = Position(code="BP", name="培训师")
    emp = Employee(employee_no="B0001", name="基准", department=dept, position=pos)
    user = User(employee=emp, password_hash=hash_password(PASSWORD), must_change_password=False)
    db.session.add_all([dept, pos, emp, user, RoleGrant(user=user, role="admin")])
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"employee_no": "B0001", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--import-count", type=int, default=10_000)
    parser.add_argument("--bank-size", type=int, default=50_000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='qb-bench-')}/bench.db"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    reset(url)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
         "SERVER_NAME": "localhost", "SESSION_COOKIE_SECURE": False, "TASK_QUEUE": "immediate"}
    )  # fmt: skip
    with app.app_context():
        upgrade()
    print(f"database: {sa.engine.make_url(url).get_backend_name()}")

    with app.test_request_context():
        data = make_workbook(args.import_count, 0)
        print(f"xlsx with {args.import_count} questions: {len(data) / 1024 / 1024:.1f} MB")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        summary = import_file(data, 0)
        elapsed = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"import {summary['created']} questions: {elapsed:.1f} s (target < 20 s)")
        print(
            f"peak RSS of the process: {rss_after:.0f} MB (was {rss_before:.0f} MB before the import; target < 300 MB)"
        )

        # The same import again (into the grown bank) under tracemalloc, for Python's own allocations.
        data2 = make_workbook(args.import_count, args.import_count)
        tracemalloc.start()
        import_file(data2, args.import_count)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"tracemalloc peak during a second {args.import_count}-question import: {peak / 1024 / 1024:.0f} MB"
        )

        done = 2 * args.import_count
        while done < args.bank_size:
            n = min(args.import_count, args.bank_size - done)
            import_file(make_workbook(n, done), done)
            done += n
        total = db.session.scalar(sa.text("SELECT count(*) FROM questions"))
        print(f"bank size: {total} questions")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))

    with app.app_context():
        client = admin_client(app)
    cases = {
        "no filter": "/question-bank/",
        "text 半年": "/question-bank/?q=半年",
        "text 服务之星": "/question-bank/?q=服务之星",
        "text rare (no match)": "/question-bank/?q=不存在的词语",
        "type+chapter": "/question-bank/?type=multiple&chapter=6",
        "status+difficulty": "/question-bank/?status=published&difficulty=4",
        "tag": "/question-bank/?tag=1",
        "category subtree": "/question-bank/?category=1",
        "text+type+chapter": "/question-bank/?q=演练&type=single&chapter=6",
    }
    worst = 0.0
    for label, path in cases.items():
        client.get(path)  # warm caches
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        best = sorted(timings)[len(timings) // 2]
        worst = max(worst, best)
        print(f"first page, {label:22s}: median {best:6.1f} ms")
    print(f"slowest filtered first page: {worst:.1f} ms (target < 300 ms)")


if __name__ == "__main__":
    main()
