"""GET /healthz: ok, degraded (Redis, worker, kept work, disk) and down (database), with nothing secret in it."""

import collections
import time

import pytest

from core import health, queue
from tests.ops.test_redis_down import DEAD_REDIS


@pytest.fixture
def config(app):
    saved = dict(app.config)
    yield app.config
    app.config.clear()
    app.config.update(saved)


def _get(app):
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json(), response.get_data(as_text=True)


def test_all_well_is_ok(app, committed_db):
    code, body, _ = _get(app)
    assert code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "disk"}  # no Redis configured, tasks inline
    assert body["checks"]["queue"] == {"status": "ok", "depth": 0, "kept": 0}
    assert body["checks"]["disk"]["free_mb"] > 0 and body["checks"]["disk"]["writable"] is True


def test_database_down_is_down_with_503(app, committed_db, monkeypatch):
    monkeypatch.setattr(health, "_database", lambda: {"status": "down"})
    monkeypatch.setattr(health, "pending_count", lambda: (_ for _ in ()).throw(RuntimeError("no db")))
    code, body, _ = _get(app)
    assert code == 503 and body["status"] == "down" and body["checks"]["database"]["status"] == "down"


def test_database_really_unreachable_is_down(app, committed_db, monkeypatch):
    def refuse():
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(health.db.engine, "connect", refuse)
    code, body, _ = _get(app)
    assert code == 503 and body["status"] == "down"


def test_redis_unreachable_is_degraded_and_names_no_address(app, committed_db, config):
    config["REDIS_URL"] = DEAD_REDIS.replace("redis://", "redis://:s3cret-pass@")
    code, body, text = _get(app)
    assert code == 200 and body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "degraded"
    assert "s3cret" not in text and "127.0.0.1" not in text


def test_worker_without_heartbeat_is_degraded_and_a_fresh_one_is_ok(app, committed_db, config, monkeypatch):
    config["TASK_QUEUE"] = "redis"
    monkeypatch.setattr(health, "last_heartbeat", lambda: None)
    code, body, _ = _get(app)
    assert body["status"] == "degraded" and body["checks"]["worker"] == {
        "status": "degraded",
        "heartbeat_age_seconds": None,
    }
    monkeypatch.setattr(health, "last_heartbeat", lambda: time.time() - 30)
    code, body, _ = _get(app)
    assert body["status"] == "ok" and body["checks"]["worker"]["status"] == "ok"


def test_the_worker_heartbeat_is_read_back(app):
    queue.huey.storage.put_data(queue.HEARTBEAT_KEY, str(time.time() - 5).encode())
    assert 4 <= time.time() - queue.last_heartbeat() < 60


def test_kept_queue_work_is_degraded(app, committed_db, monkeypatch):
    monkeypatch.setattr(health, "pending_count", lambda: 3)
    code, body, _ = _get(app)
    assert body["status"] == "degraded" and body["checks"]["queue"]["kept"] == 3


def test_queue_storage_unreachable_is_degraded(app, committed_db, monkeypatch):
    def refuse():
        raise ConnectionError("refused")

    monkeypatch.setattr(health, "queue_depth", refuse)
    code, body, _ = _get(app)
    assert body["status"] == "degraded" and body["checks"]["queue"]["depth"] is None


def test_a_nearly_full_instance_folder_is_degraded(app, committed_db, monkeypatch):
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(health.shutil, "disk_usage", lambda _p: usage(10**10, 10**10 - 10**6, 10**6))
    code, body, _ = _get(app)
    assert code == 200 and body["status"] == "degraded"
    assert body["checks"]["disk"] == {"status": "degraded", "free_mb": 0, "writable": True}
