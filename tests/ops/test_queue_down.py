"""The queue unreachable: the request's work is committed, the queued work is kept and runs once later."""

import pytest
import redis
from sqlalchemy import select

from core import queue
from core.jobs import JobRun, job_task, start_job
from core.notifications import notify
from core.queue import PendingTask, drain_pending, pending_count
from tests import factories

RUNS: list = []


@job_task()
def _count_run(job, report, *, note: str) -> dict:
    RUNS.append((job.id, note))
    return {"note": note}


@pytest.fixture
def queue_down():
    """Every enqueue fails as it does when Redis has stopped; calling the fixture's value brings it back."""

    def refuse(_task):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    patch = pytest.MonkeyPatch()  # its own, so bringing the queue back undoes nothing else
    patch.setattr(queue.huey, "enqueue", refuse)
    yield patch.undo
    patch.undo()


def test_a_job_queued_while_the_queue_is_down_runs_once_when_it_is_back(app, committed_db, queue_down):
    RUNS.clear()
    user = factories.user()
    with app.test_request_context("/"):
        job = start_job("count", _count_run, user=user, note="证书")
        committed_db.session.commit()  # the request's commit: must not fail because the queue did
    job_id = job.id
    assert RUNS == [] and pending_count() == 1
    assert committed_db.session.get(JobRun, job_id).status == "queued"
    assert drain_pending() == 0 and pending_count() == 1  # still down: kept
    queue_down()  # Redis is back
    assert drain_pending() == 1
    assert [(job_id, "证书")] == RUNS and pending_count() == 0
    assert drain_pending() == 0 and [(job_id, "证书")] == RUNS  # once, not twice


def test_notice_emails_queued_during_an_outage_go_out_after_the_next_enqueue(
    app, committed_db, queue_down, smtp_server
):
    with app.test_request_context("/"):
        user = factories.user(email="candidate@example.com")
        notify([user], kind="test", title="考试提醒", body="明天九点")
        committed_db.session.commit()
    assert smtp_server == [] and pending_count() == 1
    [kept] = committed_db.session.scalars(select(PendingTask)).all()
    assert "Connection refused" in kept.error
    queue_down()
    with app.test_request_context("/"):
        other = factories.user(email="other@example.com")
        notify([other], kind="test", title="另一条提醒")
        committed_db.session.commit()  # a successful enqueue sends the kept work too
    assert sorted(m["To"] for m in smtp_server) == ["candidate@example.com", "other@example.com"]
    assert pending_count() == 0


def test_a_progress_page_reads_while_the_queue_storage_is_unreachable(client, login, db, monkeypatch):
    """Progress lives in the queue's storage; with Redis gone the page still answers from the job's row
    (status, result), showing no count instead of a 500. A real Redis client on a port where nothing listens."""
    from huey.storage import RedisStorage

    user = login()
    job = JobRun(id="progressjob1", kind="test.count", created_by_id=user.id, status="running")
    db.session.add(job)
    db.session.flush()
    dead = RedisStorage(name="dead", url="redis://127.0.0.1:1/0")
    monkeypatch.setattr(queue.huey, "storage", dead)
    state = client.get(f"/jobs/{job.id}.json")
    assert state.status_code == 200
    assert state.get_json()["status"] == "running" and state.get_json()["done"] == 0
    assert client.get(f"/jobs/{job.id}").status_code == 200
    queue.put_progress(job.id, {"done": 1, "total": 2})  # the job goes on; its progress is not kept
