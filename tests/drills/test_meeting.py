"""The after-action workflow: the draft report, the meeting (date, attendees, decisions), the issued report
carrying the meeting, and a corrected meeting in the next re-issued version."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from core.timeutil import local_date
from drills import issued_reports, meeting
from drills.errors import DrillError, DrillStateError
from tests import factories
from tests.drills.factories import evaluating_drill, evaluator_forms, rate_all, ready_drill


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def test_meeting_rules(db):
    drill = ready_drill()
    user = factories.user()
    day = local_date(drill.starts_at)
    with pytest.raises(DrillStateError):  # not conducted yet
        meeting.record(drill, held_on=day, attendees="甲", decisions="乙", user=user, now=drill.ends_at)
    drill = evaluating_drill()
    now = drill.ends_at + dt.timedelta(days=2)
    with pytest.raises(DrillError):
        meeting.record(
            drill, held_on=day - dt.timedelta(days=400), attendees="甲", decisions="乙", user=user, now=now
        )
    with pytest.raises(DrillError):
        meeting.record(
            drill, held_on=local_date(drill.starts_at), attendees="", decisions="乙", user=user, now=now
        )
    held = meeting.record(
        drill, held_on=local_date(drill.starts_at), attendees="甲", decisions="乙", user=user, now=now
    )
    again = meeting.record(
        drill, held_on=local_date(now), attendees="甲、丙", decisions="乙", user=user, now=now
    )
    assert held.id == again.id and again.attendees == "甲、丙"


def test_meeting_is_in_the_issued_report_and_a_correction_in_the_next_version(app, client, login, db):
    drill = evaluating_drill()
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P")
    admin = login("admin")
    now = drill.ends_at + dt.timedelta(days=1)
    draft = client.get(f"/drills/{drill.id}/report.pdf")
    assert "未记录总结会议" in _text(draft.data)
    response = client.post(
        f"/drills/{drill.id}/meeting",
        data={
            "held_on": local_date(now).isoformat(),
            "attendees": "总指挥、评估组",
            "decisions": "修订抢修集结流程",
        },
    )
    assert response.status_code == 302
    assert "修订抢修集结流程" in client.get(f"/drills/{drill.id}").get_data(as_text=True)
    drill.summary = "总体顺利"
    from drills import assessment

    with app.test_request_context():
        assessment.issue_report(drill, now)
        first = issued_reports.issue_first(drill, now)
    assert "修订抢修集结流程" in _text(first.pdf) and "总指挥、评估组" in _text(first.pdf)
    meeting.record(
        drill,
        held_on=local_date(now),
        attendees="总指挥、评估组",
        decisions="修订抢修集结流程；增加夜间演练",
        user=admin,
        now=now,
    )
    with app.test_request_context():
        second = issued_reports.reissue(drill, "补记会议决定", now + dt.timedelta(hours=1), None)
    assert "增加夜间演练" in _text(second.pdf) and "增加夜间演练" not in _text(first.pdf)
    assert second.version == 2


def test_only_managers_record_the_meeting(client, login, db):
    drill = evaluating_drill()
    login("employee")
    response = client.post(
        f"/drills/{drill.id}/meeting", data={"held_on": "2026-03-10", "attendees": "x", "decisions": "y"}
    )
    assert response.status_code in (403, 404)
