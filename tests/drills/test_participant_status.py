"""A drill still ahead reads 即将开始 to the people taking part, never 已批准 (read as "passed") — issue 25 §3."""

import datetime as dt

from core.models import utcnow
from tests.todo.builders import upcoming_drill_role


def test_future_drill_on_the_dashboard_reads_upcoming(client, login, db):
    user = login()
    upcoming_drill_role(user, now=utcnow(), days=5)
    page = client.get("/").get_data(as_text=True)
    card = page.split('data-card="drills.mine"')[1].split("data-card=")[0]
    assert "即将开始" in card
    assert "已批准" not in card and "已通过" not in card


def test_future_drill_page_and_list_read_upcoming(client, login, db):
    user = login()
    drill = upcoming_drill_role(user, now=utcnow(), days=5)
    page = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert 'data-testid="drill-status">即将开始<' in page
    listing = client.get("/drills/").get_data(as_text=True)
    assert "即将开始" in listing.split("<tbody>")[1]


def test_drill_under_way_and_held(db):
    from drills.labels import phase_label

    class D:  # the three moments of an approved drill
        status = "approved"
        starts_at = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC)
        ends_at = starts_at + dt.timedelta(hours=2)

    assert str(phase_label(D, D.starts_at - dt.timedelta(minutes=1))) == "即将开始"
    assert str(phase_label(D, D.starts_at + dt.timedelta(minutes=1))) == "进行中"
    assert str(phase_label(D, D.ends_at)) == "已结束，待登记出勤"
