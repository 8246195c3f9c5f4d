"""The console's polled JSON and actions run a fixed, small number of queries whatever the scenario's
size (issue 19: console actions p95 < 100 ms with 50 observers). The counts are pinned here; a new query
on these paths must be a deliberate change of these numbers."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from core.extensions import db as _db
from drills import services
from tests.drills.test_conduct import by_role, running_drill

# statements per request, for a controller who takes part in the drill (the bench's controllers) and
# an evaluator keeping the log; transaction control (SAVEPOINT / RELEASE) is not counted
LIMITS = {"state": 5, "unchanged": 4, "release": 7, "skip": 7, "add": 6, "notes": 4}


def _statements(call) -> tuple[list[str], object]:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        response = call()
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return seen, response


@pytest.mark.parametrize("extra_injects", [0, 60])
def test_console_requests_run_a_fixed_number_of_queries(app, db, client, login, extra_injects):
    drill, controller = running_drill()
    for minute in range(extra_injects):
        services.add_inject(drill, 20 + minute, f"情景{minute}", "", "")
    first, second, *_ = sorted(drill.injects, key=lambda i: (i.offset_minutes, i.id))
    evaluator = by_role(drill, "evaluator")[0].user
    drill_id, ids = drill.id, (first.id, second.id)
    db.session.expunge_all()  # each request loads what it needs, as in production
    login(user=controller)
    base = f"/drills/{drill_id}/console"
    counts = {}
    counts["release"], r = _statements(lambda: client.post(f"{base}/injects/{ids[0]}/release", json={}))
    assert r.status_code == 200 and r.json["counts"]["released"] == 1
    assert next(i for i in r.json["injects"] if i["id"] == ids[0])["released_by"] == controller.employee.name
    counts["skip"], r = _statements(
        lambda: client.post(f"{base}/injects/{ids[1]}/skip", json={"reason": "条件不具备"})
    )
    assert r.status_code == 200 and r.json["counts"]["skipped"] == 1
    counts["add"], r = _statements(lambda: client.post(f"{base}/injects", json={"event": "追加：媒体来电"}))
    assert r.status_code == 200 and any(i["unplanned"] for i in r.json["injects"])
    after_add = r.json["version"]  # computed from the rows the answer was built from
    counts["state"], r = _statements(lambda: client.get(f"{base}/state"))
    assert r.status_code == 200 and len(r.json["injects"]) == extra_injects + 3
    version = r.json["version"]  # from the aggregate query
    assert version == after_add
    counts["unchanged"], r = _statements(lambda: client.get(f"{base}/state", query_string={"since": version}))
    assert r.json.get("unchanged") is True  # the version computed from the rows matches the aggregate's
    client.post("/logout")
    login(user=evaluator)
    counts["notes"], r = _statements(lambda: client.get(f"/drills/{drill_id}/observations"))
    assert r.status_code == 200
    over = {k: (len(v), LIMITS[k], v) for k, v in counts.items() if len(v) > LIMITS[k]}
    assert not over, over
