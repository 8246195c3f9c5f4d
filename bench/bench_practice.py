"""Self-practice benchmark (issue 17), PostgreSQL, gunicorn (4 workers), production argon2id for the sign-ins.

1. Answers: 200 people sign in, each starts a random practice run of 40 questions and answers them one after
   another through the JSON answer endpoint, all 200 at once, with a think time of 1–3 s between answers
   (people reading the feedback); ``--stress`` adds a round without think time (each of the 200 clients posts
   its next answer as soon as the last one returned). Reported: answer latency p50/p95/p99 (target p95 < 100 ms).
2. Mistake book: one person with 5,000 entries opens the book (first page of 50, counts, filters): median and
   p95 of 20 requests (target < 200 ms).
3. Heatmap: 10,000 active staff in 50 departments × 100 knowledge points, one mastery row for every person and
   point (1,000,000 rows), the department sums rebuilt (``flask practice rebuild-heatmap``, timed); an admin
   opens the heatmap: median and p95 of 10 requests (target < 1 s).

Rerun:  .venv/bin/python bench/bench_practice.py [--people 200] [--per-person 40] [--stress]
        [--only answers|mistakes|heatmap] [--skip-answers] [--skip-heatmap]
Short answers-only run (a few minutes):  .venv/bin/python bench/bench_practice.py --only answers --per-person 10
The answers part also reports the gunicorn workers' CPU time per answer (utime + stime from /proc, so a loaded
machine stretches the latency but not this).
Needs PostgreSQL on 127.0.0.1 (a scratch database gridready_bench_practice is created and dropped). Prints the
load average before and after each part: the machine has 2 cores shared with other work.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_exam_load import BIN, PASSWORD, PG_ADMIN, PY, Server, csrf_from, env_for, pct  # noqa: E402

PG_DB = "gridready_bench_practice"
URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def workers_cpu_s(server) -> float:
    """CPU seconds (user + system) the server's workers have used so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in server.worker_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def fresh_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    subprocess.run(
        [str(BIN / "flask"), "db", "upgrade"], env=env_for(URL), check=True, capture_output=True, cwd=ROOT
    )


POPULATE = """
import datetime as dt, secrets
from decimal import Decimal
from sqlalchemy import insert, select
from core import create_app
from core.auth import Role
from core.extensions import db
from core.seeding import Outcome
from accounts.models import Department, Position, Employee, User, RoleGrant
from accounts.passwords import hash_password
from practice.models import PracticeOpening
from question_bank.knowledge import seed_knowledge_points
from question_bank.models import Category, KnowledgePoint, Question, QuestionVersion, question_tag_links
app = create_app()
with app.app_context():
    seed_knowledge_points(Outcome("knowledge-points"))
    points = db.session.scalars(select(KnowledgePoint.id).where(KnowledgePoint.parent_id.is_not(None))).all()
    root = Department(name="压测公司", code="BENCH", kind="company"); db.session.add(root); db.session.flush()
    root.path = f"/{root.id}/"
    pos = Position(code="BENCH", name="压测岗位"); db.session.add(pos); db.session.flush()
    h = hash_password(PASSWORD)
    db.session.execute(insert(Employee), [dict(employee_no=f"B{i:05d}", name=f"学员{i}", department_id=root.id,
        position_id=pos.id, status="active") for i in range(PEOPLE + 1)])
    ids = db.session.scalars(select(Employee.id).order_by(Employee.id)).all()
    db.session.execute(insert(User), [dict(employee_id=i, password_hash=h, session_token=secrets.token_urlsafe(32),
        active=True, must_change_password=False, failed_logins=0, created_at=dt.datetime.now(dt.UTC)) for i in ids])
    admin = db.session.scalar(select(User).where(User.employee_id == ids[-1]))
    db.session.add(RoleGrant(user_id=admin.id, role=Role.ADMIN, department_id=None))
    cat = Category(name="压测题库", path=""); db.session.add(cat); db.session.flush(); cat.path = f"/{cat.id}/"
    db.session.add(PracticeOpening(category_id=cat.id, department_id=None))
    links = []
    for n in range(QUESTIONS):
        kind = ("single", "multiple", "truefalse")[n % 3]
        if kind == "truefalse":
            options, key = [], {"answer": n % 2 == 0}
        else:
            options = [{"id": c, "html": f"选项{c}{n}", "fraction": "1" if c == "A" else "0", "feedback": ""} for c in "ABCD"]
            key = {"correct": ["A", "B"] if kind == "multiple" else ["A"]}
        q = Question(category_id=cat.id, type=kind, status="published", chapter=3 + n % 5, difficulty=3,
                     stem_text=f"q{n}", points=Decimal(1))
        db.session.add(q); db.session.flush()
        v = QuestionVersion(question_id=q.id, number=1, type=kind, stem_html=f"<p>练习压测题{n}</p>", options=options,
                            key=key, points=Decimal(1), explanation="<p>见指南。</p>")
        db.session.add(v); db.session.flush(); q.current_version_id = v.id
        links.append({"question_id": q.id, "tag_id": points[n % len(points)]})
    db.session.execute(insert(question_tag_links), links)
    db.session.commit()
    print(admin.employee.employee_no)
"""


def populate(people: int, questions: int) -> str:
    code = f"PEOPLE = {people}\nQUESTIONS = {questions}\nPASSWORD = {PASSWORD!r}\n" + POPULATE
    out = subprocess.run(
        [PY, "-c", code], env=env_for(URL), check=True, capture_output=True, text=True, cwd=ROOT
    )
    return out.stdout.strip().splitlines()[-1]


class Learner:
    def __init__(self, base: str, employee_no: str):
        self.base, self.no = base, employee_no
        self.http = requests.Session()

    def login(self) -> None:
        token = csrf_from(self.http.get(self.base + "/login").text)
        r = self.http.post(
            self.base + "/login",
            data={"employee_no": self.no, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        )
        assert r.status_code == 302, (self.no, r.status_code)

    def start(self, size: int = 50) -> None:
        token = csrf_from(self.http.get(self.base + "/practice/").text)
        r = self.http.post(
            self.base + "/practice/start",
            data={"mode": "random", "size": "50", "csrf_token": token},
            allow_redirects=False,
        )
        assert r.status_code == 302, r.text[:300]
        self.run_url = (
            self.base + r.headers["Location"]
            if r.headers["Location"].startswith("/")
            else r.headers["Location"]
        )
        page = self.http.get(self.run_url).text
        match = re.search(r"\"csrf\": \"([^\"]+)\"", page)
        assert match, page[-1500:]
        self.csrf = match.group(1)
        self.answer_url = re.search(r'"answerUrl": "([^"]+)"', page).group(1)

    def answer(self, position: int, rng: random.Random) -> float:
        response = {"choice": [rng.choice("ABCD")]} if rng.random() < 0.67 else {"answer": rng.random() < 0.5}
        t0 = time.perf_counter()
        r = self.http.post(
            self.base + self.answer_url,
            json={"position": position, "response": response},
            headers={"X-CSRFToken": self.csrf},
        )
        elapsed = time.perf_counter() - t0
        if r.status_code == 400:  # the response did not fit the question type: send the other shape
            other = {"answer": True} if "choice" in response else {"choice": ["A"]}
            t0 = time.perf_counter()
            r = self.http.post(
                self.base + self.answer_url,
                json={"position": position, "response": other},
                headers={"X-CSRFToken": self.csrf},
            )
            elapsed = time.perf_counter() - t0
        assert r.status_code == 200, (r.status_code, r.text[:200])
        return elapsed


def answers(server, people: int, per_person: int, think: tuple[float, float]) -> dict:
    base = server.base
    learners = [Learner(base, f"B{i:05d}") for i in range(people)]
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(lambda x: (x.login(), x.start(per_person)), learners))
    timings: list[float] = []
    lock = threading.Lock()

    def practise(index: int) -> None:
        rng = random.Random(index)
        own = []
        for position in range(per_person):
            own.append(learners[index].answer(position, rng))
            if think[1]:
                time.sleep(rng.uniform(*think))
        with lock:
            timings.extend(own)

    t0, cpu0 = time.perf_counter(), workers_cpu_s(server)
    with ThreadPoolExecutor(people) as pool:
        list(pool.map(practise, range(people)))
    wall, cpu = time.perf_counter() - t0, workers_cpu_s(server) - cpu0
    return {
        "server_cpu_ms_per_answer": round(cpu * 1000 / max(len(timings), 1), 2),
        "answers": len(timings),
        "wall_s": round(wall, 1),
        "per_s": round(len(timings) / wall, 1),
        "p50_ms": round(pct(timings, 50), 1),
        "p95_ms": round(pct(timings, 95), 1),
        "p99_ms": round(pct(timings, 99), 1),
    }


def timed_gets(http: requests.Session, url: str, n: int) -> dict:
    http.get(url)  # warm
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = http.get(url)
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.status_code
    return {"median_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(pct(times, 95), 1)}


def fill_mistakes(employee_no: str, entries: int) -> None:
    """``entries`` questions and one mistake-book entry for each, for one person (SQL, fast)."""
    with psycopg.connect(URL) as conn:
        cat = conn.execute("SELECT id FROM question_categories ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO questions (category_id, type, status, created_at, updated_at, chapter, difficulty,"
            " stem_text, stem_key, points, source_ref, name, exam_only)"
            " SELECT %s, 'single', 'published', now(), now(), 3 + g %% 5, 3, 'm' || g, '', 1, '§3.3', '', false"
            " FROM generate_series(1, %s) g",
            (cat, entries),
        )
        conn.execute(
            "INSERT INTO question_versions (question_id, number, type, name, stem_html, options, key, explanation,"
            " general_feedback, points, difficulty, chapter, source_ref, created_at, change_note, used)"
            " SELECT id, 1, 'single', '', '<p>错题本压测题' || id || '</p>',"
            ' \'[{"id": "A", "html": "甲", "fraction": "1", "feedback": ""},'
            ' {"id": "B", "html": "乙", "fraction": "0", "feedback": ""}]\','
            " '{\"correct\": [\"A\"]}', '', '', 1, 3, chapter, '', now(), '', false"
            " FROM questions WHERE stem_text LIKE 'm%%' AND current_version_id IS NULL"
        )
        conn.execute(
            "UPDATE questions q SET current_version_id = v.id FROM question_versions v"
            " WHERE v.question_id = q.id AND q.current_version_id IS NULL"
        )
        emp = conn.execute("SELECT id FROM employees WHERE employee_no = %s", (employee_no,)).fetchone()[0]
        conn.execute(
            "INSERT INTO practice_mistakes (employee_id, question_id, times_wrong, first_wrong_at, last_wrong_at,"
            " source, streak, times_mastered)"
            " SELECT %s, id, 1 + id %% 4, now() - (id || ' minutes')::interval, now() - (id || ' minutes')::interval,"
            " 'practice', 0, 0 FROM questions WHERE stem_text LIKE 'm%%'",
            (emp,),
        )


def fill_heatmap(staff: int, points: int, departments: int) -> None:
    """``staff`` active people in ``departments`` departments, ``points`` section-level knowledge points, and a
    mastery row for every person and point."""
    with psycopg.connect(URL) as conn:
        root = conn.execute("SELECT id, path FROM departments WHERE code = 'BENCH'").fetchone()
        for d in range(departments):
            dept = conn.execute(
                "INSERT INTO departments (parent_id, name, code, kind, path, depth) VALUES (%s, %s, %s, 'station', '', 1)"
                " RETURNING id",
                (root[0], f"压测供电所{d}", f"BENCH-{d}"),
            ).fetchone()[0]
            conn.execute("UPDATE departments SET path = %s WHERE id = %s", (f"{root[1]}{dept}/", dept))
        chapter = conn.execute("SELECT id, path FROM knowledge_points WHERE guide_section = '3'").fetchone()
        have = conn.execute(
            "SELECT count(*) FROM knowledge_points WHERE path ~ '^/[0-9]+/[0-9]+/$'"
        ).fetchone()[0]
        for k in range(max(0, points - have)):
            kp = conn.execute(
                "INSERT INTO knowledge_points (name, guide_section, parent_id, path, position) VALUES (%s, '3', %s, '', %s)"
                " RETURNING id",
                (f"压测知识点{k}", chapter[0], 100 + k),
            ).fetchone()[0]
            conn.execute("UPDATE knowledge_points SET path = %s WHERE id = %s", (f"{chapter[1]}{kp}/", kp))
        pos = conn.execute("SELECT id FROM positions WHERE code = 'BENCH'").fetchone()[0]
        conn.execute(
            "INSERT INTO employees (employee_no, name, department_id, position_id, status, demo)"
            " SELECT 'H' || lpad(g::text, 6, '0'), '员工' || g,"
            " (SELECT id FROM departments WHERE code = 'BENCH-' || (g %% %s)), %s, 'active', false"
            " FROM generate_series(1, %s) g",
            (departments, pos, staff),
        )
        conn.execute(
            "INSERT INTO practice_mastery (employee_id, knowledge_point_id, recent, right_count, answered, updated_at)"
            " SELECT e.id, k.id, r.recent, length(replace(r.recent, '0', '')), length(r.recent), now()"
            " FROM employees e CROSS JOIN (SELECT id FROM knowledge_points WHERE path ~ '^/[0-9]+/[0-9]+/$'"
            " ORDER BY id LIMIT %s) k"
            " CROSS JOIN LATERAL (SELECT substr('1101101110010111011', 1 + (e.id + k.id) %% 9, 3 + (e.id * k.id) %% 8)"
            " AS recent) r WHERE e.employee_no LIKE 'H%%'",
            (points,),
        )
        conn.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--per-person", type=int, default=40)
    parser.add_argument("--skip-answers", action="store_true")
    parser.add_argument("--skip-heatmap", action="store_true")
    parser.add_argument("--stress", action="store_true", help="also the round without think time")
    parser.add_argument("--only", choices=["answers", "mistakes", "heatmap"], help="run one part only")
    args = parser.parse_args()
    run_answers = not args.skip_answers and args.only in (None, "answers")
    run_mistakes = args.only in (None, "mistakes")
    run_heatmap = not args.skip_heatmap and args.only in (None, "heatmap")
    print(f"load before set-up: {load()}")
    fresh_database()
    admin_no = populate(args.people, 400)
    server = Server("wsgi:app", URL)
    try:
        if run_answers:
            rounds = [("think time 1-3 s", (1.0, 3.0))] + (
                [("no think time", (0.0, 0.0))] if args.stress else []
            )
            for label, think in rounds:
                before = load()
                result = answers(server, args.people, args.per_person, think)
                print(f"answers, {args.people} people at once, {label}: {result}  load {before} -> {load()}")
        if run_mistakes:
            fill_mistakes("B00000", 5000)
            reader = Learner(server.base, "B00000")
            reader.login()
            before = load()
            book = timed_gets(reader.http, server.base + "/practice/mistakes", 20)
            print(f"mistake book, 5,000 entries, first page: {book}  load {before} -> {load()}")
        if run_heatmap:
            fill_heatmap(10_000, 100, 50)
            t0 = time.perf_counter()
            subprocess.run(
                [str(BIN / "flask"), "practice", "rebuild-heatmap"],
                env=env_for(URL),
                check=True,
                cwd=ROOT,
                capture_output=True,
            )
            print(
                f"rebuild of the department sums from 1,000,000 rows: {time.perf_counter() - t0:.1f} s  load {load()}"
            )
            admin = Learner(server.base, admin_no)
            admin.login()
            before = load()
            heat = timed_gets(admin.http, server.base + "/practice/heatmap", 10)
            print(
                f"heatmap, 10,000 staff x 100 points (1,000,000 mastery rows): {heat}  load {before} -> {load()}"
            )
    finally:
        server.stop()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
