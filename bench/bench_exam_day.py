"""Exam-day benchmark with production settings (issue 14): the morning storm, answer-save throughput by wrk,
and the same behind nginx with two app nodes.

1. Storm: 1,000 candidates of one exam sign in (login page, sign-in with the production argon2id cost, the
   exam's page) and start their attempt, as fast as 64 client threads allow, against gunicorn (4 workers) on
   PostgreSQL. Reported: wall time for all 1,000, sign-in and start p50/p95.
2. Throughput: wrk (a compiled load generator, Debian package) PUTs answers for the 1,000 signed-in
   candidates to the save endpoint, then the same PUT to a bare Flask app (bench/_bare_app.py) on the same
   gunicorn settings, in the same run: requests/s of each and their ratio, latency p50/p95/p99.
3. Two nodes: the same two measurements through a local nginx in front of two gunicorn nodes (2 workers
   each) sharing the database and Redis (rate limits) — on 2 cores this shows the proxy's cost, not scaling.

Rerun:  .venv/bin/python bench/bench_exam_day.py [--candidates 1000] [--clients 64] [--seconds 20] [--skip-nodes]
Needs: PostgreSQL on 127.0.0.1 (a scratch database gridready_bench_day is created and dropped), wrk and
nginx (`make bench-deps`), Redis on 127.0.0.1:6379 for the two-node run. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_exam_load import (  # noqa: E402
    PG_ADMIN,
    Candidate,
    Server,
    env_for,
    free_port,
    pct,
    populate,
)

PG_DB = "gridready_bench_day"
URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
WRK_DIR = ROOT / "bench" / "wrk"


def storm(base: str, exam_id: int, n: int, clients: int) -> tuple[list[Candidate], dict]:
    """Every candidate signs in and starts, ``clients`` at a time; timings per step."""
    cands = [Candidate(base, i, exam_id) for i in range(n)]

    def one(c: Candidate) -> tuple[float, float]:
        t0 = time.perf_counter()
        c.login()
        t1 = time.perf_counter()
        c.start()
        return t1 - t0, time.perf_counter() - t1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        timings = list(pool.map(one, cands))
    wall = time.perf_counter() - t0
    sign_in = [t[0] for t in timings]
    start = [t[1] for t in timings]
    return cands, {
        "storm_wall_s": wall,
        "sign_in_p50_ms": pct(sign_in, 50),
        "sign_in_p95_ms": pct(sign_in, 95),
        "start_p50_ms": pct(start, 50),
        "start_p95_ms": pct(start, 95),
    }


def sessions_file(cands: list[Candidate]) -> Path:
    """One line per candidate for the wrk script: session cookie, CSRF token, attempt id, positions."""
    path = Path(tempfile.mkstemp(prefix="gridready-wrk-", suffix=".txt")[1])
    lines = []
    for c in cands:
        cookie = "; ".join(f"{k}={v}" for k, v in c.http.cookies.items())
        positions = ",".join(str(q["position"]) for q in c.paper["questions"] if q["type"] == "single")
        lines.append(f"{cookie.replace(' ', '')} {c.token} {c.attempt_id} {positions or '1'}")
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(
    base: str, script: str, args: list[str], seconds: int, threads: int = 2, connections: int = 64
) -> dict:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "-s",
        str(WRK_DIR / script),
        base,
        "--",
        *args,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"(\w+)=(\d+)", out.split("WRK", 1)[1]))
    requests = int(fields["requests"])
    return {
        "per_s": requests / (int(fields["duration_us"]) / 1e6),
        "p50_ms": int(fields["p50_us"]) / 1000,
        "p95_ms": int(fields["p95_us"]) / 1000,
        "p99_ms": int(fields["p99_us"]) / 1000,
        "errors": int(fields["errors"]),
        "non2xx": int(fields["non2xx"]),
        "requests": requests,
    }


def throughput(save_base: str, bare_base: str, cands: list[Candidate], seconds: int) -> dict:
    path = sessions_file(cands)
    try:
        save = wrk(save_base, "save.lua", [str(path), "2"], seconds)
        bare = wrk(bare_base, "bare.lua", [], seconds)
    finally:
        path.unlink(missing_ok=True)
    return {"save": save, "bare": bare, "ratio": save["per_s"] / bare["per_s"]}


class Nginx:
    """nginx in front of the given upstreams on a free port, from deploy/nginx/gridready.conf's settings."""

    def __init__(self, upstreams: list[int]):
        self.prefix = Path(tempfile.mkdtemp(prefix="gridready-nginx-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
        site = (ROOT / "deploy" / "nginx" / "gridready.conf").read_text()
        location = site[
            site.index("    location / {") : site.index("    }\n", site.index("    location / {")) + 6
        ]
        conf = f"""
worker_processes 1;
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {self.prefix}/body;
  proxy_temp_path {self.prefix}/proxy;
  upstream gridready {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.port};
{location}
  }}
}}
"""
        (self.prefix / "nginx.conf").write_text(conf)
        self.proc = subprocess.Popen(
            ["nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
        )
        time.sleep(0.5)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.prefix, ignore_errors=True)


def fresh_database(n: int) -> int:
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"], check=True)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
    return populate(URL, n, 50)


def one_node(n: int, clients: int, seconds: int) -> dict:
    exam_id = fresh_database(n)
    server, bare = Server("wsgi:app", URL), Server("bench._bare_app:app", URL)
    try:
        cands, result = storm(server.base, exam_id, n, clients)
        result.update(throughput(server.base, bare.base, cands, seconds))
        return result
    finally:
        server.stop()
        bare.stop()


def two_nodes(n: int, clients: int, seconds: int) -> dict:
    exam_id = fresh_database(n)
    os.environ["PROXY_FIX_HOPS"] = "1"
    nodes = [Server("wsgi:app", URL, workers=2) for _ in range(2)]
    bares = [Server("bench._bare_app:app", URL, workers=2) for _ in range(2)]
    front, bare_front = Nginx([s.port for s in nodes]), Nginx([b.port for b in bares])
    try:
        cands, result = storm(front.base, exam_id, n, clients)
        result.update(throughput(front.base, bare_front.base, cands, seconds))
        return result
    finally:
        for proc in (front, bare_front, *nodes, *bares):
            proc.stop()
        os.environ.pop("PROXY_FIX_HOPS", None)


def report(label: str, r: dict) -> str:
    s, b = r["save"], r["bare"]
    return (
        f"{label}: storm {r['storm_wall_s']:.1f} s | sign-in p50 {r['sign_in_p50_ms']:.0f} ms p95 "
        f"{r['sign_in_p95_ms']:.0f} ms | start p50 {r['start_p50_ms']:.0f} ms p95 {r['start_p95_ms']:.0f} ms | "
        f"wrk saves {s['per_s']:.0f}/s (p50 {s['p50_ms']:.1f} p95 {s['p95_ms']:.1f} p99 {s['p99_ms']:.1f} ms, "
        f"{s['non2xx']} non-2xx, {s['errors']} errors) | wrk bare Flask {b['per_s']:.0f}/s (p95 {b['p95_ms']:.1f} ms) | "
        f"ratio {100 * r['ratio']:.0f}%"
    )


def main() -> None:
    # Production-like: sign-in limits (their defaults) and the rate-limit counters in Redis, as deployed.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--skip-nodes", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk", "nginx", "psql"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: make bench-deps")
    env = env_for(URL)
    print(
        f"argon2id: t={env.get('ARGON2_TIME_COST', 'default')} m={env.get('ARGON2_MEMORY_COST', 'default')} "
        f"(production defaults unless set); cores {os.cpu_count()}; load before {os.getloadavg()}"
    )
    lines = [report("one node, gunicorn 4 workers", one_node(args.candidates, args.clients, args.seconds))]
    if not args.skip_nodes:
        lines.append(
            report("nginx + two nodes × 2 workers", two_nodes(args.candidates, args.clients, args.seconds))
        )
    print(f"load after {os.getloadavg()}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
