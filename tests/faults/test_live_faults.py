"""Candidates keep answering while PostgreSQL restarts and while a gunicorn worker is killed.

The exam page's contract: an answer the server confirmed (200, ``saved``) is in the graded attempt; an
answer it did not confirm is sent again. These tests play the page's part with real HTTP against gunicorn
(production password hashing) on a PostgreSQL cluster of their own, break a part while saves are in flight,
and then compare every confirmed answer with the graded attempts (``bench.bench_exam_load.verify``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from bench.bench_exam_load import Candidate, Server, free_port, populate, verify

CANDIDATES = 4
ANSWERS = 40
PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
RUNUSER = shutil.which("runuser")


class Cluster:
    """A throw-away PostgreSQL cluster owned by the ``postgres`` user, on 127.0.0.1 and a free port."""

    def __init__(self):
        self.bin = PG_BINS[-1].parent
        self.base = Path(tempfile.mkdtemp(prefix="gridready-faults-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        owner = pwd.getpwnam("postgres")
        os.chown(self.base, owner.pw_uid, owner.pw_gid)
        self._as_postgres(
            "initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-locale"
        )

    def new_database(self, name: str) -> str:
        """An empty database of the cluster; returns its URL."""
        self._as_postgres(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-qc",
            f"CREATE DATABASE {name}",
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _as_postgres(self, tool: str, *args: str) -> None:
        command = [RUNUSER, "-u", "postgres", "--", str(self.bin / tool), *args]
        subprocess.run(command, check=True, capture_output=True)

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base}"
        log = str(self.base / "server.log")
        self._as_postgres("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", *extra, action)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """Stop (fast: open connections are cut, as in a crash or failover) and start again."""
        self._ctl("restart", "-m", "fast")

    def remove(self) -> None:
        subprocess.run(
            [
                RUNUSER,
                "-u",
                "postgres",
                "--",
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    if os.geteuid() != 0 or not PG_BINS or RUNUSER is None:
        pytest.skip("needs root and PostgreSQL's server binaries")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("needs the postgres system user")
    made = Cluster()
    made.start()
    yield made
    made.remove()


class Answers:
    """Saves that retry like the exam page: after a refused connection or a 503 (waiting Retry-After,
    shortened), never after a 4xx. Counts what the server answered on the way."""

    def __init__(self):
        self.statuses: dict[str, int] = {}
        self.lock = threading.Lock()

    def _count(self, what: str) -> None:
        with self.lock:
            self.statuses[what] = self.statuses.get(what, 0) + 1

    def save(self, candidate: Candidate, position: int, response: dict, deadline: float) -> None:
        url = f"{candidate.base}/api/exams/attempts/{candidate.attempt_id}/answers/{position}"
        seq = 1
        while time.monotonic() < deadline:
            try:
                r = candidate.http.put(
                    url, json={"seq": seq, "response": response}, headers=candidate.headers, timeout=10
                )
            except requests.RequestException:
                self._count("no answer")
                time.sleep(0.2)
                seq += 1
                continue
            self._count(str(r.status_code))
            if r.status_code == 200 and r.json().get("saved"):
                candidate.expected[position] = r.json()["response"]
                return
            if r.status_code == 503:
                assert r.headers.get("Retry-After"), "a 503 without Retry-After"
                time.sleep(0.2)
                seq += 1
                continue
            raise AssertionError(f"save answered {r.status_code}: {r.text[:200]}")
        raise AssertionError("an answer was never confirmed")

    def submit(self, candidate: Candidate, deadline: float) -> None:
        url = f"{candidate.base}/api/exams/attempts/{candidate.attempt_id}/submit"
        while time.monotonic() < deadline:
            try:
                r = candidate.http.post(url, headers=candidate.headers, timeout=30)
            except requests.RequestException:
                time.sleep(0.2)
                continue
            if r.status_code == 503:
                time.sleep(0.2)
                continue
            assert r.status_code == 200, r.text[:200]
            return
        raise AssertionError("the submit was never confirmed")


def _sit_while(candidates, answers: Answers, breaking, deadline: float) -> None:
    """Every candidate answers every question in a thread of their own while ``breaking`` runs."""
    errors: list[BaseException] = []

    def sit(c: Candidate):
        try:
            for q in c.paper["questions"][:ANSWERS]:
                answers.save(
                    c,
                    q["position"],
                    {"choice": [q["options"][0]["id"]]} if q["options"] else {"answer": True},
                    deadline,
                )
                time.sleep(0.02)
        except BaseException as exc:  # noqa: BLE001 — reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=sit, args=(c,)) for c in candidates]
    for t in threads:
        t.start()
    breaking()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    for c in candidates:
        answers.submit(c, deadline)


def _signed_in(server: Server, exam_id: int) -> list[Candidate]:
    candidates = [Candidate(server.base, i, exam_id) for i in range(CANDIDATES)]
    for c in candidates:
        c.login()
        c.start()
    return candidates


def test_a_postgresql_restart_during_saves_loses_no_confirmed_answer(cluster):
    url = cluster.new_database("restart")
    exam_id = populate(url, CANDIDATES, ANSWERS)
    server = Server("wsgi:app", url, workers=2)
    try:
        candidates = _signed_in(server, exam_id)
        answers = Answers()

        def restart_twice():
            for _ in range(2):
                time.sleep(0.6)
                cluster.restart()

        _sit_while(candidates, answers, restart_twice, deadline=time.monotonic() + 120)
    finally:
        server.stop_keeping_log()
        (Path(tempfile.gettempdir()) / "gridready-faults-restart.log").write_bytes(server.log_bytes)
    checked, lost, misgraded = verify(url, {c.attempt_id: c.expected for c in candidates})
    assert checked == CANDIDATES * ANSWERS
    assert (lost, misgraded) == (0, 0)
    assert "500" not in answers.statuses, answers.statuses
    # the restarts really happened under the saves: some were refused and tried again
    assert answers.statuses.get("503", 0) + answers.statuses.get("no answer", 0) > 0, answers.statuses


def test_a_worker_killed_mid_save_loses_no_confirmed_answer(cluster):
    url = cluster.new_database("killed")
    exam_id = populate(url, CANDIDATES, ANSWERS)
    server = Server("wsgi:app", url, workers=2)
    killed: list[int] = []
    try:
        candidates = _signed_in(server, exam_id)
        answers = Answers()

        def kill_workers():
            for _ in range(3):
                time.sleep(0.4)
                pids = server.worker_pids()
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])

        _sit_while(candidates, answers, kill_workers, deadline=time.monotonic() + 120)
    finally:
        server.stop()
    assert len(killed) == 3
    checked, lost, misgraded = verify(url, {c.attempt_id: c.expected for c in candidates})
    assert checked == CANDIDATES * ANSWERS
    assert (lost, misgraded) == (0, 0)
    assert "500" not in answers.statuses, answers.statuses
