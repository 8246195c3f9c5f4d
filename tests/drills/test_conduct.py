"""The conduct console, the observation log, the timeline's timing suggestions and hotwash feedback:
services with a fixed clock, then the pages and their permissions over HTTP."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from core.audit import AuditEntry
from core.models import utcnow
from core.timeutil import LOCAL_TZ
from drills import assessment, conduct, feedback, observations, services, timeline
from drills.conduct_models import Observation
from drills.errors import DrillError, DrillStateError
from drills.evaluation_models import Method
from tests import factories
from tests.drills.factories import ready_drill

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def running_drill(start: dt.datetime | None = None, **kwargs):
    """An approved drill with a controller, a second inject at T+15, starting at ``start`` (default: now)."""
    start = start or utcnow().replace(microsecond=0)
    when = start.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    drill = ready_drill(when=when, **kwargs)
    services.add_inject(drill, 15, "95598来电激增", "汇总工单", "客服值班长")
    controller = factories.user(department=drill.unit)
    services.add_participant(drill, controller.employee, "controller")
    services.approve(drill, None, drill.starts_at - dt.timedelta(days=1))
    return drill, controller


def by_role(drill, role):
    return [p.employee for p in drill.participants if p.role == role]


def user_of(employee):
    return employee.user


# ---------------------------------------------------------------- console services


def test_release_skip_add_record_server_time_and_deviation(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    first, second = conduct.ordered_injects(drill)
    at = drill.starts_at + dt.timedelta(minutes=7, seconds=30)
    conduct.release(drill, first.id, controller, at)
    assert first.released_at == at and first.released_by == controller
    assert conduct.deviation_minutes(first) == 7 and conduct.punctuality(first) == "late"
    conduct.skip(drill, second.id, "现场条件不具备", controller, at)
    assert second.skipped_at == at and second.skip_reason == "现场条件不具备"
    added = conduct.add_unplanned(
        drill, event="追加：媒体来电", user=controller, now=at + dt.timedelta(minutes=1)
    )
    assert added.unplanned and added.offset_minutes == 8 and added.released_at is not None
    assert conduct.punctuality(added) == "on_time"
    state = conduct.console_state(drill, at)
    assert state["counts"] == {"released": 2, "skipped": 1, "pending": 0}
    db.session.flush()
    actions = {a.action for a in db.session.query(AuditEntry).filter(AuditEntry.object_type == "DrillInject")}
    assert "DrillInject.update" in actions or any("update" in a for a in actions)


def test_early_release_and_on_time_tolerance(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    first, second = conduct.ordered_injects(drill)
    conduct.release(drill, second.id, controller, drill.starts_at + dt.timedelta(minutes=10))
    assert conduct.punctuality(second) == "early" and conduct.deviation_minutes(second) == -5
    conduct.release(drill, first.id, controller, drill.starts_at + dt.timedelta(minutes=2, seconds=59))
    assert conduct.punctuality(first) == "on_time"


def test_an_inject_is_released_once_and_a_skip_needs_a_reason(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    first, second = conduct.ordered_injects(drill)
    conduct.release(drill, first.id, controller, drill.starts_at)
    with pytest.raises(DrillStateError):
        conduct.release(drill, first.id, controller, drill.starts_at)
    with pytest.raises(DrillStateError):
        conduct.skip(drill, first.id, "晚了", controller, drill.starts_at)
    with pytest.raises(DrillError):
        conduct.skip(drill, second.id, "  ", controller, drill.starts_at)


def test_console_closed_before_opening_and_after_conduct(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    first = conduct.ordered_injects(drill)[0]
    with pytest.raises(DrillStateError):
        conduct.release(drill, first.id, controller, drill.starts_at - dt.timedelta(hours=3))
    services.record_conducted(drill, {p.id for p in drill.participants}, drill.ends_at)
    with pytest.raises(DrillStateError):
        conduct.release(drill, first.id, controller, drill.ends_at)


def test_who_controls_and_who_observes(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    evaluator = user_of(by_role(drill, "evaluator")[0])
    player = user_of(by_role(drill, "player")[0])
    assert conduct.can_control(controller, drill) and conduct.can_observe(controller, drill)
    assert not conduct.can_control(evaluator, drill) and conduct.can_observe(evaluator, drill)
    assert not conduct.can_control(player, drill) and not conduct.can_observe(player, drill)
    other, _c = running_drill(dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC))
    assert not conduct.can_control(controller, other)


# ---------------------------------------------------------------- observations and timing


def test_a_note_sent_twice_is_stored_once(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    evaluator = user_of(by_role(drill, "evaluator")[0])
    now = drill.starts_at + dt.timedelta(minutes=5)
    kwargs = dict(
        client_id="abcdef123456", text="值班员8分钟后报告", author=evaluator.employee, user=evaluator, now=now
    )
    first, created = observations.add(drill, **kwargs)
    again, created_again = observations.add(drill, **kwargs)
    assert created and not created_again and first.id == again.id
    assert db.session.query(Observation).filter_by(drill_id=drill.id).count() == 1


def test_note_time_is_the_phones_when_believable(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    now = drill.starts_at + dt.timedelta(minutes=30)
    taken = drill.starts_at + dt.timedelta(minutes=12)
    note, _ = observations.add(
        drill,
        client_id="note-0000001",
        text="a",
        author=controller.employee,
        user=controller,
        now=now,
        observed_at=taken.isoformat(),
    )
    assert note.observed_at == taken and note.received_at == now
    future, _ = observations.add(
        drill,
        client_id="note-0000002",
        text="b",
        author=controller.employee,
        user=controller,
        now=now,
        observed_at=(now + dt.timedelta(hours=1)).isoformat(),
    )
    assert future.observed_at == now


def test_note_refuses_foreign_criteria_and_injects(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    other, _c = running_drill(dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC))
    now = drill.starts_at
    with pytest.raises(DrillError):
        observations.add(
            drill,
            client_id="note-0000003",
            text="x",
            author=controller.employee,
            user=controller,
            now=now,
            inject_id=other.injects[0].id,
        )
    with pytest.raises(DrillError):
        observations.add(
            drill,
            client_id="note-0000004",
            text="x",
            author=controller.employee,
            user=controller,
            now=now,
            criterion_ids=[999999],
        )
    with pytest.raises(DrillError):
        observations.add(
            drill, client_id="bad id!", text="x", author=controller.employee, user=controller, now=now
        )


def timing_criterion(drill):
    return next(
        c
        for c in assessment.applicable_criteria(drill)
        if c.method == Method.TIMING and timeline.limit_minutes(c)
    )


def test_timing_suggestion_from_release_to_first_linked_note(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC))
    criterion = timing_criterion(drill)
    first = conduct.ordered_injects(drill)[0]
    conduct.release(drill, first.id, controller, drill.starts_at)  # 10:00 Beijing
    observations.add(
        drill,
        client_id="note-1000001",
        text="未关联",
        author=controller.employee,
        user=controller,
        now=drill.starts_at + dt.timedelta(minutes=3),
    )
    observations.add(
        drill,
        client_id="note-1000002",
        text="完成研判",
        author=controller.employee,
        user=controller,
        now=drill.starts_at + dt.timedelta(minutes=7),
        inject_id=first.id,
        criterion_ids=[criterion.id],
    )
    observations.add(
        drill,
        client_id="note-1000003",
        text="再次",
        author=controller.employee,
        user=controller,
        now=drill.starts_at + dt.timedelta(minutes=20),
        criterion_ids=[criterion.id],
    )
    suggestion = next(s for s in timeline.suggestions(drill) if s.criterion.id == criterion.id)
    assert suggestion.minutes == 7 and suggestion.start == first and suggestion.check is None
    # never a silent score: no rating exists until an evaluator rates
    assert all(not f.ratings for f in assessment.forms_of(drill))


def test_timing_confirm_and_correct(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC))
    criterion = timing_criterion(drill)
    evaluator = user_of(by_role(drill, "evaluator")[0])
    with pytest.raises(DrillError):  # nothing computed to confirm
        timeline.confirm(drill, criterion.id, None, "", evaluator, drill.starts_at)
    first = conduct.ordered_injects(drill)[0]
    conduct.release(drill, first.id, controller, drill.starts_at)
    observations.add(
        drill,
        client_id="note-2000001",
        text="研判",
        author=evaluator.employee,
        user=evaluator,
        now=drill.starts_at + dt.timedelta(minutes=40),
        criterion_ids=[criterion.id],
    )
    check = timeline.confirm(drill, criterion.id, None, "", evaluator, drill.ends_at)
    assert (check.computed_minutes, check.minutes) == (40, 40)
    with pytest.raises(DrillError):  # a correction needs a reason
        timeline.confirm(drill, criterion.id, 25, "", evaluator, drill.ends_at)
    check = timeline.confirm(drill, criterion.id, 25, "记录员晚记了15分钟", evaluator, drill.ends_at)
    assert (check.computed_minutes, check.minutes) == (40, 25)
    suggestion = next(s for s in timeline.suggestions(drill) if s.criterion.id == criterion.id)
    assert suggestion.within is (suggestion.limit >= 25)


def test_limit_minutes_reads_minutes_and_hours(db):
    class C:
        standard, text = "调拨指令下达后2小时内物资到达", ""

    assert timeline.limit_minutes(C) == 120
    C.standard = "接报后30分钟内完成初步研判"
    assert timeline.limit_minutes(C) == 30
    C.standard = C.text = "及时"
    assert timeline.limit_minutes(C) is None


# ---------------------------------------------------------------- feedback


def test_feedback_one_per_participant_and_summary(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC))
    drill.objectives = "30分钟内完成研判\n- 1小时内发布停电信息"
    players = by_role(drill, "player")
    evaluator = by_role(drill, "evaluator")[0]
    now = drill.starts_at + dt.timedelta(hours=2)
    feedback.submit(
        drill, players[0], went_well="配合好", to_improve="", ratings={"overall": 4, "o1": 3}, now=now
    )
    feedback.submit(
        drill, players[0], went_well="配合很好", to_improve="通信慢", ratings={"overall": 5}, now=now
    )
    feedback.submit(
        drill, players[1], went_well="", to_improve="", ratings={"overall": "3", "o2": "5"}, now=now
    )
    with pytest.raises(DrillError):
        feedback.submit(drill, evaluator, went_well="", to_improve="", ratings={"overall": 3}, now=now)
    with pytest.raises(DrillError):
        feedback.submit(drill, players[1], went_well="", to_improve="", ratings={"overall": 6}, now=now)
    summary = feedback.summary(drill, "总体")
    assert summary.count == 2
    assert summary.ratings[0] == ("overall", "总体", 2, 4.0)
    assert summary.ratings[2] == ("o2", "1小时内发布停电信息", 1, 5.0)
    assert summary.went_well == [("", "配合很好")]  # anonymous by default
    drill.feedback_anonymous = False
    assert feedback.summary(drill, "总体").to_improve == [(players[0].name, "通信慢")]


# ---------------------------------------------------------------- pages and permissions


def test_console_over_http_two_controllers_see_each_other(app, db, client, login):
    drill, controller = running_drill()
    second = factories.user(department=drill.unit)
    services_add = services.add_participant
    drill.status = "planned"
    services_add(drill, second.employee, "commander")
    drill.status = "approved"
    login(user=controller)
    first = conduct.ordered_injects(drill)[0]
    page = client.get(f"/drills/{drill.id}/console")
    assert page.status_code == 200 and "导调台" in page.get_data(as_text=True)
    response = client.post(
        f"/drills/{drill.id}/console/injects/{first.id}/release",
        json={},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.json["counts"]["released"] == 1
    again = client.post(
        f"/drills/{drill.id}/console/injects/{first.id}/release",
        json={},
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 409 and "error" in again.json
    other_client = app.test_client()
    other_client.post(
        "/login", data={"employee_no": second.employee.employee_no, "password": factories.PASSWORD}
    )
    state = other_client.get(f"/drills/{drill.id}/console/state").json
    assert state["injects"][0]["state"] == "released"
    assert state["injects"][0]["released_by"] == controller.employee.name
    added = other_client.post(
        f"/drills/{drill.id}/console/injects",
        json={"event": "追加险情"},
        headers={"Accept": "application/json"},
    )
    assert added.status_code == 200
    assert any(i["unplanned"] for i in client.get(f"/drills/{drill.id}/console/state").json["injects"])


def test_a_controller_of_one_drill_touches_no_other(app, db, client, login):
    drill, controller = running_drill()
    other, _c = running_drill()
    services_player = factories.user(department=other.unit)
    login(user=controller)
    inject = other.injects[0]
    for method, url in [
        ("GET", f"/drills/{other.id}/console"),
        ("GET", f"/drills/{other.id}/console/state"),
        ("POST", f"/drills/{other.id}/console/injects/{inject.id}/release"),
        ("POST", f"/drills/{other.id}/console/injects/{inject.id}/skip"),
        ("POST", f"/drills/{other.id}/console/injects"),
        ("GET", f"/drills/{other.id}/observe"),
        ("GET", f"/drills/{other.id}/observations"),
        ("GET", f"/drills/{other.id}/timeline"),
    ]:
        assert client.open(url, method=method, json={}).status_code == 404, url
    # an inject of another drill through this drill's URL is refused too
    response = client.post(
        f"/drills/{drill.id}/console/injects/{inject.id}/release",
        json={},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert inject.released_at is None
    assert services_player is not None


def test_players_never_see_evaluators_notes(app, db, client, login):
    drill, controller = running_drill()
    evaluator = user_of(by_role(drill, "evaluator")[0])
    player = user_of(by_role(drill, "player")[0])
    observations.add(
        drill,
        client_id="secret-note-1",
        text="评估员的笔记",
        author=evaluator.employee,
        user=evaluator,
        now=utcnow(),
    )
    login(user=player)
    for url in (
        f"/drills/{drill.id}/observe",
        f"/drills/{drill.id}/observations",
        f"/drills/{drill.id}/timeline",
        f"/drills/{drill.id}/console",
    ):
        assert client.get(url).status_code == 404, url
    note = db.session.query(Observation).filter_by(drill_id=drill.id).one()
    assert client.get(f"/drills/{drill.id}/observations/{note.id}/photo").status_code == 404
    page = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert "评估员的笔记" not in page
    assert client.get(f"/drills/{drill.id}/feedback").status_code == 200


def test_observation_over_http_with_photo_is_idempotent(app, db, client, login):
    drill, controller = running_drill()
    evaluator = user_of(by_role(drill, "evaluator")[0])
    login(user=evaluator)

    def data():
        return {
            "client_id": "phone-note-0001",
            "text": "抢修队到达",
            "step": "respond",
            "photo": (io.BytesIO(PNG), "x.png"),
        }

    first = client.post(
        f"/drills/{drill.id}/observations", data=data(), headers={"Accept": "application/json"}
    )
    assert first.status_code == 201 and first.json["created"] and first.json["note"]["photo"]
    again = client.post(
        f"/drills/{drill.id}/observations", data=data(), headers={"Accept": "application/json"}
    )
    assert again.status_code == 200 and not again.json["created"]
    note_id = first.json["note"]["id"]
    photo = client.get(f"/drills/{drill.id}/observations/{note_id}/photo")
    assert photo.status_code == 200 and photo.data.startswith(b"\x89PNG")
    photo.close()
    bad = client.post(
        f"/drills/{drill.id}/observations",
        data={"client_id": "phone-note-0002", "text": "x", "photo": (io.BytesIO(b"<html>"), "a.jpg")},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400
    assert client.get(f"/drills/{drill.id}/observe").status_code == 200
    assert client.get(f"/drills/{drill.id}/timeline").status_code == 200


def test_feedback_over_http(app, db, client, login):
    drill, controller = running_drill(utcnow() - dt.timedelta(minutes=30))
    player = user_of(by_role(drill, "player")[0])
    login(user=player)
    response = client.post(f"/drills/{drill.id}/feedback", data={"rating-overall": "4", "went_well": "好"})
    assert response.status_code == 302
    assert feedback.mine(drill, player.employee).ratings == {"overall": 4}
    assert client.get(f"/drills/{drill.id}/feedback/qr").status_code == 404


def test_report_holds_timeline_timings_and_feedback_but_not_the_notes(app, db):
    from drills import report

    drill, controller = running_drill(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC))
    criterion = timing_criterion(drill)
    first, second = conduct.ordered_injects(drill)
    conduct.release(drill, first.id, controller, drill.starts_at + dt.timedelta(minutes=7))
    conduct.skip(drill, second.id, "时间不足", controller, drill.starts_at + dt.timedelta(minutes=20))
    observations.add(
        drill,
        client_id="note-3000001",
        text="机密的现场笔记",
        author=controller.employee,
        user=controller,
        now=drill.starts_at + dt.timedelta(minutes=19),
        inject_id=first.id,
        criterion_ids=[criterion.id],
    )
    timeline.confirm(drill, criterion.id, None, "", controller, drill.ends_at)
    feedback.submit(
        drill,
        by_role(drill, "player")[0],
        went_well="分工明确",
        to_improve="通信不畅",
        ratings={"overall": 4},
        now=drill.ends_at,
    )
    with app.test_request_context():
        html = report.report_html(drill)
    assert "延后 7 分钟" in html and "跳过：时间不足" in html
    assert f"{criterion.code} {criterion.text}" in html and "12 分钟" in html
    assert "分工明确" in html and "通信不畅" in html and "4.0" in html
    assert "机密的现场笔记" not in html


def test_a_poll_with_the_current_version_gets_the_short_answer(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    now = drill.starts_at
    state = conduct.console_state(drill, now)
    assert conduct.polled_state(drill, now, state["version"]) == {
        "server_now": now.isoformat(),
        "unchanged": True,
        "version": state["version"],
    }
    conduct.release(drill, conduct.ordered_injects(drill)[0].id, controller, now)
    after = conduct.polled_state(drill, now, state["version"])
    assert "injects" in after and after["version"] != state["version"]
    conduct.add_unplanned(drill, event="追加", release_now=False, user=controller, now=now)
    assert "injects" in conduct.polled_state(drill, now, after["version"])
    assert "injects" in conduct.polled_state(drill, now, "")


def test_latest_notes_are_the_newest_in_time_order(db):
    drill, controller = running_drill(dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))
    for n in range(5):
        observations.add(
            drill,
            client_id=f"note-latest-{n}",
            text=str(n),
            author=controller.employee,
            user=controller,
            now=drill.starts_at + dt.timedelta(minutes=n),
        )
    assert [n.text for n in observations.notes_of(drill, latest=3)] == ["2", "3", "4"]
    assert [n.text for n in observations.notes_of(drill)] == ["0", "1", "2", "3", "4"]
