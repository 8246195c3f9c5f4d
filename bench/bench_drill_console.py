"""Conduct-console benchmark (issue 19): console actions while 50 observers log notes and poll.

A drill is running (approved, started five minutes ago) with 60 planned injects (a large MSEL), two controllers and 50
evaluators. Against gunicorn (4 workers) on PostgreSQL with production settings (argon2id sign-in):
- 50 observer clients sign in, then each behaves like the observation page: poll the latest notes every
  ``--pause`` seconds (the page refreshes every 10 s) and send a note every other poll (a new client id
  each time; every fifth note is sent twice, as a phone retry would);
- 2 controller clients sign in, then each loops: poll the console state, then release, skip or add an
  unplanned inject (in turn), pause 0.5 s.
Reported: p50/p95/max of the console actions (release, skip, add), of the console state poll, and of the
observers' requests, the number of each, errors, notes stored (checked against notes sent: a retried
note is stored once), the load average before and after (other work shares the machine), and the CPU
the server's workers used per request (a measure of the app's own cost that the load does not inflate).

Rerun:  .venv/bin/python bench/bench_drill_console.py [--observers 50] [--seconds 60] [--pause 10]
Needs PostgreSQL on 127.0.0.1 (a scratch database gridready_bench_drill is created and dropped).
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_exam_load import PASSWORD, PG_ADMIN, PY, Server, csrf_from, env_for, pct  # noqa: E402

PG_DB = "gridready_bench_drill"
URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
INJECTS = 60


def populate(url: str, observers: int) -> int:
    """Schema, starter template, a unit with 2 controllers and ``observers`` evaluators, a running drill."""
    env = env_for(url)
    subprocess.run(
        [str(Path(PY).parent / "flask"), "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT
    )
    code = f"""
import datetime as dt, secrets
from sqlalchemy import insert, select
from core import create_app
from core.extensions import db
from accounts.models import Department, Position, Employee, User
from accounts.passwords import hash_password
from drills import services
from drills.catalogue import ensure_default_template
from drills.models import DrillInject, DrillParticipant, IncidentType
from drills.plans import create_plan
app = create_app()
with app.app_context():
    ensure_default_template()
    unit = Department(name="压测分公司", code="BENCHD", kind="branch"); db.session.add(unit); db.session.flush()
    unit.path = f"/{{unit.id}}/"
    pos = Position(code="BENCHD", name="压测岗位"); db.session.add(pos); db.session.flush()
    n = {observers} + 3
    db.session.execute(insert(Employee), [dict(employee_no=f"DR{{i:04d}}", name=f"人员{{i}}", department_id=unit.id,
        position_id=pos.id, status="active") for i in range(n)])
    ids = db.session.scalars(select(Employee.id).where(Employee.department_id == unit.id).order_by(Employee.id)).all()
    h = hash_password({PASSWORD!r})
    db.session.execute(insert(User), [dict(employee_id=i, password_hash=h, session_token=secrets.token_urlsafe(32),
        active=True, must_change_password=False, failed_logins=0, created_at=dt.datetime.now(dt.UTC)) for i in ids])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    plan = create_plan("YA-BENCH", "压测预案", IncidentType.BLACKOUT, [(1, "重大", "一级", "总指挥"), (2, "较大", "二级", "分管"),
        (3, "一般", "三级", "值班长")], now=now - dt.timedelta(days=60))
    start = now - dt.timedelta(minutes=5)
    drill = services.plan_drill(unit=unit, plan=plan, title="压测演练", starts_at=start, ends_at=start + dt.timedelta(hours=8),
        content_types=["simulated_event", "response", "customer_comms", "materials"], form="live", scope="full",
        purpose="testing", director=db.session.get(Employee, ids[0]), now=now - dt.timedelta(days=30))
    db.session.execute(insert(DrillParticipant), [dict(drill_id=drill.id, employee_id=e, role="controller") for e in ids[1:3]]
        + [dict(drill_id=drill.id, employee_id=e, role="evaluator") for e in ids[3:]]
        + [dict(drill_id=drill.id, employee_id=ids[0], role="player")])
    db.session.execute(insert(DrillInject), [dict(drill_id=drill.id, offset_minutes=m, event=f"情景{{m}}", expected_action="",
        responsible_role="", unplanned=False, skip_reason="") for m in range({INJECTS})])
    drill.lead_evaluator_id = ids[3]
    db.session.expire(drill)
    services.approve(drill, None, now - dt.timedelta(days=1))
    db.session.commit()
    print(drill.id)
"""  # noqa: S608 — a Python script for a subprocess, not SQL
    out = subprocess.run([PY, "-c", code], env=env, check=True, capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout.strip().splitlines()[-1])


class Client:
    def __init__(self, base: str, number: str, drill_id: int):
        self.base, self.no, self.drill = base, number, drill_id
        self.http = requests.Session()

    def login(self):
        token = csrf_from(self.http.get(self.base + "/login").text)
        r = self.http.post(
            self.base + "/login",
            data={"employee_no": self.no, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        )
        assert r.status_code == 302, (self.no, r.status_code)
        self.headers = {
            "X-CSRFToken": csrf_from(self.http.get(self.base + "/login").text),
            "Accept": "application/json",
        }

    def timed(self, method: str, path: str, **kwargs) -> tuple[float, int, dict]:
        t0 = time.perf_counter()
        r = self.http.request(
            method, f"{self.base}/drills/{self.drill}{path}", headers=self.headers, **kwargs
        )
        took = time.perf_counter() - t0
        try:
            data = r.json()
        except ValueError:
            data = {}
        return took, r.status_code, data


def server_cpu_seconds(server: Server) -> float:
    """User + system CPU the gunicorn workers have used so far (from /proc; 0 where it cannot be read).
    Per request, it measures the app's own cost, which the machine's load does not inflate the way it
    inflates wall-clock latency."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in server.worker_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def run(base: str, drill_id: int, observers: int, seconds: float, pause: float, cpu=lambda: 0.0) -> dict:
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    times: dict[str, list[float]] = {"action": [], "state": [], "observer": []}
    errors: list[str] = []
    sent: set[str] = set()

    def note(kind: str, took: float, status: int, ok=(200, 201)):
        with lock:
            times[kind].append(took)
            if status not in ok:
                errors.append(f"{kind}:{status}")

    def observer(c: Client, n: int):
        time.sleep(random.uniform(0, pause))  # phones do not poll in step
        i = 0
        while time.monotonic() < stop:
            took, status, _ = c.timed("GET", "/observations")
            note("observer", took, status)
            if i % 2 == 0:  # a note every other poll
                cid = uuid.uuid4().hex
                data = {"client_id": cid, "text": f"观察{n}-{i}", "step": "respond"}
                for _ in range(2 if i % 10 == 0 else 1):  # now and then a retry of the same note
                    took, status, _ = c.timed("POST", "/observations", data=data)
                    note("observer", took, status)
                with lock:
                    sent.add(cid)
            i += 1
            time.sleep(pause)

    def controller(c: Client, n: int):
        i = n
        while time.monotonic() < stop:
            took, status, state = c.timed("GET", "/console/state")
            note("state", took, status)
            pending = [x["id"] for x in state.get("injects", []) if x["state"] == "pending"]
            kind = i % 3
            if kind == 2:
                took, status, _ = c.timed("POST", "/console/injects", json={"event": f"追加{n}-{i}"})
            elif pending:
                target = pending[n] if len(pending) > n else pending[0]
                path = f"/console/injects/{target}/" + ("release" if kind == 0 else "skip")
                took, status, _ = c.timed("POST", path, json={"reason": "压测"})
            note("action", took, status, ok=(200, 409))  # 409: the other controller got there first
            i += 1
            time.sleep(0.5)

    clients = [Client(base, f"DR{i:04d}", drill_id) for i in range(1, observers + 3)]
    alone = Client(base, "DR0001", drill_id)
    alone.login()
    solo = {"state": [], "action": []}
    for k in range(20):  # one controller alone first: the floor the machine allows right now
        solo["state"].append(alone.timed("GET", "/console/state")[0])
        solo["action"].append(
            alone.timed("POST", "/console/injects", json={"event": f"单独{k}", "release_now": False})[0]
        )
    t0 = time.perf_counter()
    threads = [threading.Thread(target=c.login) for c in clients]
    [t.start() for t in threads]
    [t.join() for t in threads]
    login_s = time.perf_counter() - t0
    stop = time.monotonic() + seconds
    cpu_before = cpu()
    work = [threading.Thread(target=controller, args=(c, n)) for n, c in enumerate(clients[:2])]
    work += [threading.Thread(target=observer, args=(c, n)) for n, c in enumerate(clients[2:])]
    [t.start() for t in work]
    [t.join() for t in work]
    return {
        "times": times,
        "errors": errors,
        "sent": len(sent),
        "login_s": login_s,
        "solo": solo,
        "cpu_s": cpu() - cpu_before,
    }


def stored_notes(drill_id: int) -> int:
    out = subprocess.run(
        ["psql", URL, "-tAc", f"select count(*) from drill_observations where drill_id={drill_id}"],  # noqa: S608 — an integer id
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pause", type=float, default=10.0)
    args = parser.parse_args()
    subprocess.run(["psql", PG_ADMIN, "-qc", f"drop database if exists {PG_DB}"], check=True)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"create database {PG_DB}"], check=True)
    server = None
    try:
        drill_id = populate(URL, args.observers)
        server = Server("wsgi:app", URL, workers=4)
        load_before = os.getloadavg()
        result = run(
            server.base,
            drill_id,
            args.observers,
            args.seconds,
            args.pause,
            lambda: server_cpu_seconds(server),
        )
        load_after = os.getloadavg()
        stored = stored_notes(drill_id)
    finally:
        if server:
            server.stop()
        subprocess.run(["psql", PG_ADMIN, "-qc", f"drop database if exists {PG_DB}"], check=False)
    t = result["times"]
    print(
        f"observers {args.observers}, {args.seconds:.0f} s, pause {args.pause} s; sign-in of {args.observers + 2}: "
        f"{result['login_s']:.1f} s (argon2id)"
    )
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
    )
    for kind, label in (
        ("action", "console actions (release/skip/add)"),
        ("state", "console state poll"),
        ("observer", "observers' requests (list + note)"),
    ):
        v = t[kind]
        if v:
            print(
                f"{label:38s} n={len(v):5d}  p50 {pct(v, 50):6.1f} ms  p95 {pct(v, 95):6.1f} ms  max {max(v) * 1000:6.1f} ms"
            )
    solo = result["solo"]
    print(
        f"one controller alone, before the load: state p50 {pct(solo['state'], 50):.1f} ms, "
        f"add inject p50 {pct(solo['action'], 50):.1f} ms (n=20 each)"
    )
    requests_made = sum(len(v) for v in t.values())
    if requests_made and result["cpu_s"]:
        print(
            f"server CPU (gunicorn workers, user+system) under the load: {result['cpu_s']:.1f} s for "
            f"{requests_made} requests = {result['cpu_s'] * 1000 / requests_made:.1f} ms per request"
        )
    print(
        f"notes sent {result['sent']}, stored {stored}; errors {len(result['errors'])} {sorted(set(result['errors']))[:5]}"
    )
    ok = t["action"] and pct(t["action"], 95) < 100
    print("console actions p95 < 100 ms:", "yes" if ok else "NO")


if __name__ == "__main__":
    main()
