"""Exam-day load benchmark: gunicorn (4 workers) on PostgreSQL and on SQLite, 1,000 candidates each
sign in, start an attempt, save 50 answers over HTTP and submit; then every saved answer is checked
against the graded attempt. Also two fault tests: workers SIGKILLed in the middle of submits, and two
tabs of one candidate racing.

Rerun:  .venv/bin/python bench/bench_exam_load.py [--db postgres|sqlite|both] [--candidates 1000]
        [--answers 50] [--clients 24]
PostgreSQL: a database gridready_bench_exam is created and dropped on 127.0.0.1 (user postgres).
Only 127.0.0.1 is contacted. Password hashing has the production cost (sign-in is not part of the timed
saves; bench_exam_day.py times it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
BIN = Path(PY).parent
PASSWORD = "bench-password-1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "gridready_bench_exam"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY="bench-secret-key",
        SESSION_COOKIE_SECURE="0",
        TASK_QUEUE="immediate",
        GRIDREADY_INSTANCE="/tmp/gridready-bench-instance",
        FLASK_APP="wsgi",
    )
    return env


# ---------------------------------------------------------------- data


def populate(url: str, candidates: int, answers: int) -> int:
    """Schema, a department of candidates, a bank of answers+10 questions, an exam open now. Returns exam id."""
    env = env_for(url)
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    code = f"""
import datetime as dt
from decimal import Decimal
from sqlalchemy import insert, select
from core import create_app
from core.extensions import db
from accounts.models import Department, Position, Employee, User
from accounts.passwords import hash_password
from exams.models import PaperBlueprint, BlueprintSection, BlueprintRule, Exam, ExamAudience
from question_bank.models import Category, Question, QuestionVersion
app = create_app()
with app.app_context():
    dept = Department(name="压测中心", code="BENCH", kind="center"); db.session.add(dept); db.session.flush()
    dept.path = f"/{{dept.id}}/"
    pos = Position(code="BENCH", name="压测岗位"); db.session.add(pos); db.session.flush()
    db.session.execute(insert(Employee), [dict(employee_no=f"B{{i:05d}}", name=f"考生{{i}}", department_id=dept.id,
        position_id=pos.id, status="active") for i in range({candidates})])
    ids = db.session.scalars(select(Employee.id).order_by(Employee.id)).all()
    h = hash_password({PASSWORD!r})
    import secrets
    db.session.execute(insert(User), [dict(employee_id=i, password_hash=h, session_token=secrets.token_urlsafe(32),
        active=True, must_change_password=False, failed_logins=0, created_at=dt.datetime.now(dt.UTC)) for i in ids])
    cat = Category(name="压测题库", path=""); db.session.add(cat); db.session.flush(); cat.path = f"/{{cat.id}}/"
    for n in range({answers} + 10):
        kind = ("single", "multiple", "truefalse")[n % 3]
        if kind == "truefalse":
            options, key = [], {{"answer": n % 2 == 0}}
        else:
            options = [{{"id": c, "html": f"选项{{c}}{{n}}", "fraction": "0.5" if c in "AB" and kind == "multiple" else ("1" if c == "A" else "0"), "feedback": ""}} for c in "ABCD"]
            key = {{"correct": ["A", "B"] if kind == "multiple" else ["A"]}}
        q = Question(category_id=cat.id, type=kind, status="published", chapter=3, difficulty=3, stem_text=f"q{{n}}", points=Decimal(2))
        db.session.add(q); db.session.flush()
        v = QuestionVersion(question_id=q.id, number=1, type=kind, stem_html=f"<p>压测题{{n}}</p>", options=options, key=key, points=Decimal(2))
        db.session.add(v); db.session.flush(); q.current_version_id = v.id
    bp = PaperBlueprint(title="压测组卷"); db.session.add(bp); db.session.flush()
    sec = BlueprintSection(blueprint=bp, title="一、试题", position=1); db.session.add(sec)
    sec.rules.append(BlueprintRule(kind="draw", count={answers}, points=Decimal(2), chapters=[3]))
    now = dt.datetime.now(dt.UTC)
    exam = Exam(title="压测考试", blueprint=bp, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=6),
        duration_minutes=240, max_attempts=1, published=True, multiple_rule="partial_no_wrong", pass_percent=Decimal(60))
    db.session.add(exam); db.session.flush()
    exam.audience.append(ExamAudience(kind="department", target_id=dept.id))
    db.session.commit()
    print(exam.id)
"""  # noqa: S608 — a Python script for a subprocess, not SQL
    out = subprocess.run([PY, "-c", code], env=env, check=True, capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- servers


class Server:
    def __init__(self, app: str, url: str, workers: int = 4):
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 — lives as long as the server; closed in stop()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
                "--timeout",
                "60",
                "--log-level",
                "warning",
                app,
            ],
            env=env_for(url),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            # a file, not a pipe: nobody reads the log during a run, and a full pipe would stop gunicorn
            stderr=self.log,
        )
        for _ in range(200):
            try:
                requests.get(self.base + "/healthz" if app == "wsgi:app" else self.base + "/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop_keeping_log(self):
        """Stop, keeping what the server logged in ``log_bytes``."""
        self.log.flush()
        self.stop(close_log=False)
        self.log.seek(0)
        self.log_bytes = self.log.read()
        self.log.close()

    def stop(self, close_log: bool = True):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if close_log:
            self.log.close()


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


class Candidate:
    def __init__(self, base: str, number: int, exam_id: int):
        self.base, self.no, self.exam_id = base, f"B{number:05d}", exam_id
        self.http = requests.Session()
        self.expected: dict[int, dict] = {}

    def login(self):
        token = csrf_from(self.http.get(self.base + "/login").text)
        r = self.http.post(
            self.base + "/login",
            data={"employee_no": self.no, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        )
        assert r.status_code == 302, (self.no, r.status_code)
        self.token = csrf_from(self.http.get(f"{self.base}/exams/{self.exam_id}").text)
        self.headers = {"X-CSRFToken": self.token}

    def start(self) -> dict:
        r = self.http.post(f"{self.base}/api/exams/{self.exam_id}/start", headers=self.headers)
        assert r.status_code == 200, r.text[:200]
        self.paper = r.json()
        self.attempt_id = self.paper["attempt_id"]
        return self.paper

    def answer_for(self, q: dict, rng: random.Random) -> dict:
        if q["type"] == "truefalse":
            return {"answer": rng.random() < 0.5}
        ids = [o["id"] for o in q["options"]]
        if q["type"] == "single":
            return {"choice": [rng.choice(ids)]}
        return {"choice": sorted(rng.sample(ids, rng.randint(1, 3)))}

    def save(self, position: int, seq: int, response: dict) -> float:
        t0 = time.perf_counter()
        r = self.http.put(
            f"{self.base}/api/exams/attempts/{self.attempt_id}/answers/{position}",
            json={"seq": seq, "response": response},
            headers=self.headers,
        )
        elapsed = time.perf_counter() - t0
        assert r.status_code == 200 and r.json()["saved"], r.text[:200]
        self.expected[position] = r.json()["response"]
        return elapsed

    def submit(self) -> float:
        t0 = time.perf_counter()
        r = self.http.post(f"{self.base}/api/exams/attempts/{self.attempt_id}/submit", headers=self.headers)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 200, r.text[:200]
        return elapsed


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


# ---------------------------------------------------------------- verification


def verify(url: str, expected: dict[int, dict[int, dict]]) -> tuple[int, int, int]:
    """Recompute every mark from the stored keys and the answers the server confirmed.
    Returns (answers checked, lost answers, misgraded attempts)."""
    os.environ.update(env_for(url))
    from sqlalchemy import select  # noqa: PLC0415

    from core import create_app  # noqa: PLC0415 — the app must read this run's DATABASE_URL
    from core.extensions import db  # noqa: PLC0415
    from exams.grading import grade_response  # noqa: PLC0415
    from exams.models import Attempt, AttemptItem  # noqa: PLC0415
    from question_bank.models import QuestionVersion  # noqa: PLC0415

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url
            if not url.startswith("postgresql://")
            else url.replace("postgresql://", "postgresql+psycopg://", 1)
        }
    )
    checked = lost = misgraded = 0
    with app.app_context():
        versions = {v.id: v for v in db.session.scalars(select(QuestionVersion))}
        for attempt_id, answers in expected.items():
            attempt = db.session.get(Attempt, attempt_id)
            items = {
                i.position: i
                for i in db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
            }
            total = Decimal(0)
            for position, item in items.items():
                v = versions[item.version_id]
                if position in answers:
                    checked += 1
                    if item.response != answers[position]:
                        lost += 1
                mark = grade_response(
                    item.qtype, v.key, v.options, answers.get(position), item.points, "partial_no_wrong"
                )
                total += mark
                if item.mark != mark:
                    misgraded += 1
            if attempt.status != "graded" or attempt.score != total:
                misgraded += 1
        db.session.remove()  # give the connection back before the pool is closed
        db.engine.dispose()
    return checked, lost, misgraded


# ---------------------------------------------------------------- runs


def load_run(label: str, url: str, n: int, answers: int, clients: int) -> dict:
    exam_id = populate(url, n, answers)
    server = Server("wsgi:app", url)
    bare = Server("bench._bare_app:app", url)
    try:
        cands = [Candidate(server.base, i, exam_id) for i in range(n)]
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda c: c.login(), cands))
            list(pool.map(lambda c: c.start(), cands))
        save_times, submit_times = [], []
        lock = threading.Lock()

        def sit(c: Candidate):
            rng = random.Random(c.no)
            local = []
            for q in c.paper["questions"][:answers]:
                local.append(c.save(q["position"], 1, c.answer_for(q, rng)))
            s = c.submit()
            with lock:
                save_times.extend(local)
                submit_times.append(s)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(sit, cands))
        wall = time.perf_counter() - t0
        saves_per_s = len(save_times) / wall

        http = [requests.Session() for _ in range(clients)]
        count = min(len(save_times), 10000)

        def hit(i):
            r = http[i % clients].put(
                f"{bare.base}/bare/{i % 50}", json={"seq": i, "response": {"choice": ["A"]}}
            )
            assert r.status_code == 200

        t1 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(hit, range(count)))
        bare_per_s = count / (time.perf_counter() - t1)
        checked, lost, misgraded = verify(url, {c.attempt_id: c.expected for c in cands})
        result = {
            "db": label,
            "candidates": n,
            "saves": len(save_times),
            "save_p50_ms": pct(save_times, 50),
            "save_p95_ms": pct(save_times, 95),
            "submit_p95_ms": pct(submit_times, 95),
            "saves_per_s": saves_per_s,
            "bare_per_s": bare_per_s,
            "ratio": saves_per_s / bare_per_s,
            "checked": checked,
            "lost": lost,
            "misgraded": misgraded,
        }
        result.update(fault_tests(server, url, exam_id, n))
        return result
    finally:
        server.stop()
        bare.stop()


def fault_tests(server: Server, url: str, exam_id: int, n: int) -> dict:
    """Kill every worker right after sending submits; two tabs of one candidate race saves and submits."""
    # The load run used one attempt per candidate (max_attempts=1): allow more for the fault tests.
    env = env_for(url)
    subprocess.run(
        [
            PY,
            "-c",
            f"""
from core import create_app
from core.extensions import db
from exams.models import Exam
app = create_app()
with app.app_context():
    db.session.get(Exam, {exam_id}).max_attempts = 50; db.session.commit()
""",
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    outcomes = {"submitted": 0, "open": 0, "inconsistent": 0}
    victims = []
    for k in range(8):
        c = Candidate(server.base, k, exam_id)
        c.login()
        c.start()
        rng = random.Random(k)
        for q in c.paper["questions"][:20]:
            c.save(q["position"], 1, c.answer_for(q, rng))
        victims.append(c)
    for k, c in enumerate(victims):

        def fire(c=c):
            with contextlib.suppress(requests.RequestException):
                c.http.post(
                    f"{server.base}/api/exams/attempts/{c.attempt_id}/submit", headers=c.headers, timeout=10
                )

        t = threading.Thread(target=fire)
        t.start()
        time.sleep(0.002 * k)  # sweep the moment of the kill across the submit
        for pid in server.worker_pids():
            os.kill(pid, signal.SIGKILL)
        t.join()
        time.sleep(1.0)  # the master respawns workers
    for c in victims:
        for _ in range(50):
            try:
                r = c.http.get(f"{server.base}/api/exams/attempts/{c.attempt_id}/time", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        status = r.json()["status"]
        outcomes["submitted" if status != "open" else "open"] += 1
        if status == "open":
            c.submit()  # a retried submit finishes the job
    checked, lost, misgraded = verify(url, {c.attempt_id: c.expected for c in victims})
    outcomes["inconsistent"] = lost + misgraded
    # Two tabs: two sessions of one candidate alternate saves on the same questions, then both submit.
    tab_a, tab_b = Candidate(server.base, 20, exam_id), Candidate(server.base, 20, exam_id)
    tab_a.login()
    tab_b.login()
    tab_a.start()
    tab_b.start()
    assert tab_a.attempt_id == tab_b.attempt_id
    final: dict[int, tuple[int, dict]] = {}
    lock = threading.Lock()

    def tab(c: Candidate, offset: int):
        rng = random.Random(offset)
        for seq in range(1 + offset, 41, 2):
            q = c.paper["questions"][seq % 5]
            resp = c.answer_for(q, rng)
            r = c.http.put(
                f"{server.base}/api/exams/attempts/{c.attempt_id}/answers/{q['position']}",
                json={"seq": seq, "response": resp},
                headers=c.headers,
            ).json()
            with lock:
                if r["saved"] and seq > final.get(q["position"], (0, None))[0]:
                    final[q["position"]] = (seq, r["response"])

    threads = [threading.Thread(target=tab, args=(tab_a, 0)), threading.Thread(target=tab, args=(tab_b, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    view_a = {
        q["position"]: q["response"]
        for q in tab_a.http.get(f"{server.base}/api/exams/attempts/{tab_a.attempt_id}").json()["questions"]
    }
    view_b = {
        q["position"]: q["response"]
        for q in tab_b.http.get(f"{server.base}/api/exams/attempts/{tab_b.attempt_id}").json()["questions"]
    }
    tabs_ok = view_a == view_b and all(view_a[p] == r for p, (_s, r) in final.items())
    results = []
    both = [
        threading.Thread(
            target=lambda c=c: results.append(
                c.http.post(
                    f"{server.base}/api/exams/attempts/{c.attempt_id}/submit", headers=c.headers
                ).json()
            )
        )
        for c in (tab_a, tab_b)
    ]
    for t in both:
        t.start()
    for t in both:
        t.join()
    tabs_ok = tabs_ok and results[0].get("score") == results[1].get("score")
    return {
        "kill_submitted": outcomes["submitted"],
        "kill_open": outcomes["open"],
        "kill_inconsistent": outcomes["inconsistent"],
        "kill_checked": checked,
        "two_tabs_consistent": tabs_ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--answers", type=int, default=50)
    parser.add_argument("--clients", type=int, default=24)
    args = parser.parse_args()
    runs = []
    if args.db in ("postgres", "both"):
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB}"], check=True)
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
        try:
            runs.append(
                load_run(
                    "PostgreSQL",
                    f"postgresql://postgres@127.0.0.1:5432/{PG_DB}",
                    args.candidates,
                    args.answers,
                    args.clients,
                )
            )
        finally:
            subprocess.run(
                ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"], check=False
            )
    if args.db in ("sqlite", "both"):
        path = Path("/tmp/gridready-bench-exam.db")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        runs.append(load_run("SQLite", f"sqlite:///{path}", args.candidates, args.answers, args.clients))
    print(
        f"cpu cores: {os.cpu_count()}, load average before/after: {os.getloadavg()}, client threads: {args.clients}"
    )
    for r in runs:
        print(
            f"{r['db']}: {r['candidates']} candidates, {r['saves']} saves | save p50 {r['save_p50_ms']:.1f} ms, "
            f"p95 {r['save_p95_ms']:.1f} ms | submit p95 {r['submit_p95_ms']:.1f} ms | saves {r['saves_per_s']:.0f}/s, "
            f"bare Flask {r['bare_per_s']:.0f}/s, ratio {100 * r['ratio']:.0f}% | checked {r['checked']} answers: "
            f"lost {r['lost']}, misgraded {r['misgraded']} | kill -9 during submit: {r['kill_submitted']} submitted, "
            f"{r['kill_open']} still open, {r['kill_inconsistent']} inconsistent ({r['kill_checked']} answers checked) | "
            f"two tabs consistent: {r['two_tabs_consistent']}"
        )
    failed = any(
        r["lost"] or r["misgraded"] or r["kill_inconsistent"] or not r["two_tabs_consistent"] for r in runs
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
