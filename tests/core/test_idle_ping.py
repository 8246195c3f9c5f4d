"""Pooled connections are pinged before use only after sitting idle (issue 14 §3: the ping on every
checkout was a sixth of an answer save's database round trips); a dead idle connection is replaced."""

from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from core.database import install_idle_ping


def _engine(tmp_path, monkeypatch, idle_seconds=10.0):
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.db'}", poolclass=QueuePool, pool_size=1)
    pings = []

    def ping(dbapi_connection):
        pings.append(dbapi_connection)
        return not getattr(engine, "_dead", False)

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    install_idle_ping(engine, idle_seconds)
    return engine, pings


def _age(engine, seconds):
    """Make the pooled connection look idle for ``seconds`` more."""
    for record in list(engine.pool._pool.queue):
        record.info["gridready_idle_since"] -= seconds


def test_a_connection_used_a_moment_ago_is_not_pinged(tmp_path, monkeypatch):
    engine, pings = _engine(tmp_path, monkeypatch)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar() == 1
    assert pings == []


def test_an_idle_connection_is_pinged_first(tmp_path, monkeypatch):
    engine, pings = _engine(tmp_path, monkeypatch)
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    _age(engine, 11)
    with engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar() == 1
        assert conn.connection.dbapi_connection is first  # alive: kept
    assert pings == [first]


def test_a_dead_idle_connection_is_replaced_without_an_error(tmp_path, monkeypatch):
    engine, pings = _engine(tmp_path, monkeypatch)
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    _age(engine, 11)
    engine._dead = True  # the first ping fails (the server restarted overnight)

    def revive(*_args):
        engine._dead = False

    from sqlalchemy import event

    event.listen(engine.pool, "connect", revive)
    with engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not first
    assert pings[0] is first


def test_zero_pings_on_every_checkout(tmp_path, monkeypatch):
    engine, pings = _engine(tmp_path, monkeypatch, idle_seconds=0)
    for _ in range(3):
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    assert len(pings) == 3
