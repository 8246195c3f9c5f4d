"""The nightly heatmap rebuild (``practice.jobs.rebuild_heatmap``): it puts right what answers cannot see (a
person moving to another department, leaving) and running it twice changes nothing."""

from __future__ import annotations

from decimal import Decimal

from huey.api import PeriodicTask
from sqlalchemy import select

from accounts.models import EmployeeStatus
from core.extensions import db
from practice import jobs, runs
from practice.models import DepartmentMastery, Mode
from tests import factories
from tests.practice.helpers import NOW, learner, open_bank, right, wrong


def _sums() -> dict:
    db.session.expire_all()
    return {
        (r.department_id, r.knowledge_point_id): (r.people, r.share_sum.quantize(Decimal("0.01")))
        for r in db.session.scalars(select(DepartmentMastery))
        if r.people
    }


def test_the_nightly_rebuild_follows_moves_and_leavers_and_is_idempotent(app, db):
    _cat, kp, questions = open_bank(3)
    north, south = factories.department(), factories.department()
    mover, stayer, leaver = (learner(department=d) for d in (north, north, south))
    for user, answer in ((mover, right), (stayer, wrong), (leaver, right)):
        run = runs.start_run(user.employee, Mode.SEQUENTIAL, runs.Filters(), NOW)
        for q in questions:
            runs.answer(run, run.position, answer(q), NOW)
    db.session.commit()
    assert _sums()[(north.id, kp.id)] == (2, Decimal("1.00"))
    assert _sums()[(south.id, kp.id)] == (1, Decimal("1.00"))

    # what no answer tells the sums: the mover joins south, the leaver leaves
    mover.employee.department_id = south.id
    leaver.employee.status = EmployeeStatus.LEFT
    db.session.commit()
    assert _sums()[(north.id, kp.id)] == (2, Decimal("1.00"))  # stale until the rebuild

    jobs.rebuild_heatmap()  # run as the queue runs it (the tests' queue is immediate): own session, one commit
    after = _sums()
    assert after[(north.id, kp.id)] == (1, Decimal("0.00"))  # the stayer, all wrong
    assert after[(south.id, kp.id)] == (1, Decimal("1.00"))  # the mover only; the leaver is gone
    jobs.rebuild_heatmap()
    assert _sums() == after  # idempotent


def test_the_rebuild_is_scheduled_nightly_on_the_queue(app):
    task = jobs.rebuild_heatmap.task_class()
    assert isinstance(task, PeriodicTask)
    schedule = task.validate_datetime
    import datetime as dt

    runs_at = [
        moment
        for moment in (dt.datetime(2026, 12, 2, h, m) for h in range(24) for m in range(60))
        if schedule(moment)
    ]
    assert runs_at == [dt.datetime(2026, 12, 2, 19, 40)]  # once a day, 03:40 in Shanghai
