"""Live-monitor benchmark (issue 16), production settings, PostgreSQL:

1. The monitor's JSON for 1,000 candidates who have all started (50 questions each, 50,000 answer rows):
   timed in-process (``exams.monitor.monitor_data``, the queries and the rows) and over HTTP through
   gunicorn (4 workers) with an invigilator's session, on an otherwise idle server. Target: < 200 ms.
2. Answer-save latency under wrk (the exam-day benchmark's save script, 64 connections) with and without
   five invigilators polling the monitor every 5 s, alternated A/B/A/B so drift in the shared machine
   shows. Target: the polling moves save p95 by < 10 %.

Rerun:  .venv/bin/python bench/bench_exam_monitor.py [--candidates 1000] [--seconds 20] [--rounds 2]
        .venv/bin/python bench/bench_exam_monitor.py --monitor-only   (part 1 only, attempts made in bulk,
        five invigilators' sign-ins: ~2 minutes; prints the server CPU per poll too)
Needs: PostgreSQL on 127.0.0.1 (a scratch database gridready_bench_monitor is created and dropped), wrk
(`make bench-deps`), Redis on 127.0.0.1:6379 for the rate limits as deployed. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_exam_day import sessions_file, storm, wrk  # noqa: E402
from bench.bench_exam_load import PASSWORD, PG_ADMIN, PY, Server, csrf_from, env_for, pct, populate  # noqa: E402

PG_DB = "gridready_bench_monitor"
URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
INVIGILATORS = 5


def add_invigilators(exam_id: int) -> list[str]:
    """Five invigilators (employees outside the audience, production password hashing), named on the exam."""
    code = f"""
from sqlalchemy import select
from core import create_app
from core.extensions import db
from accounts.models import Department, Employee, Position, User
from accounts.passwords import hash_password
from exams.models import Exam
from exams.services import set_invigilators
app = create_app()
with app.app_context():
    dept = Department(name="监考组", code="INVIG", kind="center"); db.session.add(dept); db.session.flush()
    dept.path = f"/{{dept.id}}/"
    pos = db.session.scalar(select(Position))
    users = []
    for i in range({INVIGILATORS}):
        e = Employee(employee_no=f"I{{i:05d}}", name=f"监考{{i}}", department_id=dept.id, position_id=pos.id)
        db.session.add(e); db.session.flush()
        u = User(employee_id=e.id, password_hash=hash_password({PASSWORD!r}), must_change_password=False); db.session.add(u); users.append(u)
    db.session.flush()
    set_invigilators(db.session.get(Exam, {exam_id}), users, users[0])
    db.session.commit()
"""  # noqa: S608 — a Python script for a subprocess, not SQL
    subprocess.run([PY, "-c", code], env=env_for(URL), check=True, capture_output=True, cwd=ROOT)
    return [f"I{i:05d}" for i in range(INVIGILATORS)]


def fill_attempts(exam_id: int) -> None:
    """Every candidate started (no sign-ins): one attempt drawn by the runtime, copied in bulk to the
    others with its 50 items; three answers in five saved. For ``--monitor-only``."""
    code = f"""
import datetime as dt
from sqlalchemy import insert, select
from core import create_app
from core.extensions import db
from core.models import utcnow
from accounts.models import Employee
from exams import runtime
from exams.models import Attempt, AttemptItem, Exam
app = create_app()
with app.test_request_context():
    exam = db.session.get(Exam, {exam_id})
    now = utcnow()
    people = db.session.scalars(select(Employee).where(Employee.employee_no.like("B%")).order_by(Employee.id)).all()
    first = runtime.start_attempt(exam, people[0], now)
    items = runtime.load_items(first)
    rows = [dict(exam_id=exam.id, employee_id=e.id, number=1, status="open", seed=first.seed, started_at=now,
                 deadline=first.deadline, max_score=first.max_score, device="desktop") for e in people[1:]]
    db.session.execute(insert(Attempt), rows)
    ids = db.session.scalars(select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.id != first.id)).all()
    cols = ("position", "section_title", "version_id", "question_id", "qtype", "points", "option_order")
    batch = []
    for n, attempt_id in enumerate(ids):
        for i in items:
            saved = (n + i.position) % 5 < 3
            batch.append(dict(attempt_id=attempt_id, seq=1 if saved else 0, saved_at=now if saved else None,
                              response={{"choice": ["A"]}} if saved else None, grader_comment="",
                              **{{c: getattr(i, c) for c in cols}}))
        if len(batch) >= 5000:
            db.session.execute(insert(AttemptItem), batch); batch = []
    if batch:
        db.session.execute(insert(AttemptItem), batch)
    db.session.commit()
"""  # noqa: S608 — a Python script for a subprocess, not SQL
    subprocess.run([PY, "-c", code], env=env_for(URL), check=True, capture_output=True, cwd=ROOT)


def in_process(exam_id: int, runs: int = 20) -> dict:
    """monitor_data timed inside one process (no HTTP), after one warm-up call: wall time, and the CPU time
    of the Python side (the rest is PostgreSQL's, or waiting for a core on a shared machine)."""
    code = f"""
import time
from sqlalchemy import event
from core import create_app
from core.extensions import db
from core.models import utcnow
from exams import monitor
from exams.models import Exam
app = create_app()
with app.test_request_context():
    exam = db.session.get(Exam, {exam_id})
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
    data = monitor.monitor_data(exam, utcnow())
    first = len(statements)
    times, cpu = [], []
    for _ in range({runs}):
        db.session.expire_all()
        t0, c0 = time.perf_counter(), time.process_time()
        data = monitor.monitor_data(exam, utcnow())
        times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
    times.sort(); cpu.sort()
    print(first, len(data["rows"]), times[len(times) // 2] * 1000, times[int(len(times) * 0.95)] * 1000, cpu[len(cpu) // 2] * 1000)
"""
    out = subprocess.run(
        [PY, "-c", code], env=env_for(URL), check=True, capture_output=True, text=True, cwd=ROOT
    )
    queries, rows, p50, p95, cpu = out.stdout.split()[-5:]
    return {
        "queries": int(queries),
        "rows": int(rows),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "cpu_ms": float(cpu),
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


class Invigilator:
    def __init__(self, base: str, number: str, exam_id: int):
        self.base, self.url = base, f"{base}/api/exams/{exam_id}/monitor"
        self.http = requests.Session()
        token = csrf_from(self.http.get(base + "/login").text)
        r = self.http.post(
            base + "/login",
            data={"employee_no": number, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        )
        assert r.status_code == 302, (number, r.status_code)

    def poll(self) -> tuple[float, int]:
        t0 = time.perf_counter()
        r = self.http.get(self.url, allow_redirects=False)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json"), (
            r.status_code
        )
        return elapsed, len(r.json()["rows"])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used (from /proc), in seconds; a process gone counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def postgres_backends() -> list[int]:
    out = subprocess.run(
        ["psql", PG_ADMIN, "-Atc", f"SELECT pid FROM pg_stat_activity WHERE datname = '{PG_DB}'"],  # noqa: S608 — a constant name
        capture_output=True,
        text=True,
        check=True,
    )
    return [int(p) for p in out.stdout.split()]


def over_http(inv: Invigilator, server: Server, runs: int = 30) -> dict:
    """Polls one after another; besides the wall time, the CPU the server side spent per poll (gunicorn's
    workers and the database's backends, read from /proc): what the code costs, whatever the machine's load."""
    for _ in range(12):  # every worker's first polls (imports, compiled statements) are not the steady cost
        inv.poll()
    workers, backends = server.worker_pids(), postgres_backends()
    app0, db0 = cpu_seconds(workers), cpu_seconds(backends)
    times = [inv.poll()[0] for _ in range(runs)]
    app_ms = (cpu_seconds(workers) - app0) * 1000 / runs
    db_ms = (cpu_seconds(backends) - db0) * 1000 / runs
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "app_cpu_ms": app_ms, "db_cpu_ms": db_ms}


def polling(
    invigilators: list[Invigilator], stop: threading.Event, every: float, seen: list
) -> list[threading.Thread]:
    def loop(inv: Invigilator, offset: float):
        stop.wait(offset)
        while not stop.is_set():
            t0 = time.monotonic()
            seen.append(inv.poll()[0])
            stop.wait(max(0.0, every - (time.monotonic() - t0)))

    threads = [
        threading.Thread(target=loop, args=(inv, i * every / len(invigilators)), daemon=True)
        for i, inv in enumerate(invigilators)
    ]
    for t in threads:
        t.start()
    return threads


def main() -> None:
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--monitor-only",
        action="store_true",
        help="only the monitor JSON timing, attempts made in bulk (no sign-ins)",
    )
    args = parser.parse_args()
    for tool in ("psql",) if args.monitor_only else ("wrk", "psql"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: make bench-deps")
    print(f"cores {os.cpu_count()}; load before {os.getloadavg()}")
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"], check=True)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
    exam_id = populate(URL, args.candidates, 50)
    if args.monitor_only:
        fill_attempts(exam_id)
        proc = in_process(exam_id)
        print(
            f"monitor JSON, {proc['rows']} candidates × 50 questions, in-process: p50 {proc['p50_ms']:.0f} ms, "
            f"p95 {proc['p95_ms']:.0f} ms, Python CPU p50 {proc['cpu_ms']:.0f} ms, {proc['queries']} queries "
            f"(load {os.getloadavg()[0]:.2f})"
        )
        server = Server("wsgi:app", URL)
        try:
            http = over_http(Invigilator(server.base, add_invigilators(exam_id)[0], exam_id), server)
        finally:
            server.stop()
        print(
            f"over HTTP (gunicorn, one invigilator polling alone): p50 {http['p50_ms']:.0f} ms, "
            f"p95 {http['p95_ms']:.0f} ms; server CPU per poll: gunicorn {http['app_cpu_ms']:.0f} ms + "
            f"PostgreSQL {http['db_cpu_ms']:.0f} ms (load {os.getloadavg()[0]:.2f})"
        )
        print(
            f"target 1, monitor JSON < 200 ms: {verdict(http['p50_ms'] < 200)} over HTTP "
            f"(p50 {http['p50_ms']:.0f} ms; in-process p50 {proc['p50_ms']:.0f} ms)"
        )
        print("target 2, save p95 moved < 10 % by five invigilators: run without --monitor-only")
        subprocess.run(
            ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"], check=False
        )
        return
    numbers = add_invigilators(exam_id)
    server = Server("wsgi:app", URL)
    try:
        cands, storm_result = storm(server.base, exam_id, args.candidates, 64)
        print(f"storm: {args.candidates} signed in and started in {storm_result['storm_wall_s']:.1f} s")
        path = sessions_file(cands)
        wrk(server.base, "save.lua", [str(path), "2"], 10)  # warm up and fill answers
        proc = in_process(exam_id)
        invigilators = [Invigilator(server.base, n, exam_id) for n in numbers]
        http = over_http(invigilators[0], server)
        print(
            f"monitor JSON, {proc['rows']} candidates: in-process p50 {proc['p50_ms']:.0f} ms p95 {proc['p95_ms']:.0f} ms "
            f"(Python CPU p50 {proc['cpu_ms']:.0f} ms, {proc['queries']} queries); "
            f"over HTTP p50 {http['p50_ms']:.0f} ms p95 {http['p95_ms']:.0f} ms, server CPU per poll: "
            f"gunicorn {http['app_cpu_ms']:.0f} ms + PostgreSQL {http['db_cpu_ms']:.0f} ms "
            f"(load {os.getloadavg()[0]:.2f})"
        )
        results = []
        for round_no in range(args.rounds):
            base = wrk(server.base, "save.lua", [str(path), "2"], args.seconds)
            stop, seen = threading.Event(), []
            threads = polling(invigilators, stop, 5.0, seen)
            watched = wrk(server.base, "save.lua", [str(path), "2"], args.seconds)
            stop.set()
            for t in threads:
                t.join()
            results.append((base, watched, seen))
            print(
                f"round {round_no + 1}: saves alone {base['per_s']:.0f}/s p50 {base['p50_ms']:.1f} p95 {base['p95_ms']:.1f} ms | "
                f"with {INVIGILATORS} invigilators polling every 5 s {watched['per_s']:.0f}/s p50 {watched['p50_ms']:.1f} "
                f"p95 {watched['p95_ms']:.1f} ms ({100 * (watched['p95_ms'] / base['p95_ms'] - 1):+.1f} %); "
                f"{len(seen)} polls under load p95 {pct(seen, 95):.0f} ms | load {os.getloadavg()[0]:.2f}"
            )
        base_p95 = sum(r[0]["p95_ms"] for r in results) / len(results)
        watched_p95 = sum(r[1]["p95_ms"] for r in results) / len(results)
        change = 100 * (watched_p95 / base_p95 - 1)
        print(
            f"save p95 over {len(results)} rounds: alone {base_p95:.1f} ms, watched {watched_p95:.1f} ms, "
            f"change {change:+.1f} % (target < 10 %)"
        )
        print(
            f"target 1, monitor JSON < 200 ms: {verdict(http['p50_ms'] < 200)} over HTTP (p50 {http['p50_ms']:.0f} ms)"
        )
        print(f"target 2, save p95 moved < 10 %: {verdict(change < 10)} ({change:+.1f} %)")
        path.unlink(missing_ok=True)
    finally:
        server.stop()
        print(f"load after {os.getloadavg()}")
        subprocess.run(
            ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"], check=False
        )


if __name__ == "__main__":
    main()
