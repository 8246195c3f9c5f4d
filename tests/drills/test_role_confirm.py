"""A participant confirms the role the drill notice told them about, on the page the notice links to."""

import pytest
from sqlalchemy import select

from core.models import utcnow
from core.notifications import Notification
from drills import services
from tests import factories
from tests.todo.builders import upcoming_drill_role


def test_role_page_confirms_with_one_button(client, login, db):
    user = login()
    drill = upcoming_drill_role(user, now=utcnow(), days=3)
    page = client.get(f"/drills/{drill.id}/my-role").get_data(as_text=True)
    assert "参演" in page and "确认参加" in page and 'data-testid="drill-status">即将开始<' in page
    response = client.post(f"/drills/{drill.id}/my-role")
    assert response.status_code == 302
    page = client.get(f"/drills/{drill.id}/my-role").get_data(as_text=True)
    assert 'data-testid="role-confirmed"' in page
    [row] = [p for p in drill.participants if p.employee_id == user.employee_id]
    db.session.refresh(row)
    assert row.confirmed_at is not None
    # the trainer's list shows it
    trainer = factories.user(grants=[("trainer", drill.unit)])
    client.post("/logout")
    login(user=trainer)
    assert "已确认参加" in client.get(f"/drills/{drill.id}").get_data(as_text=True)


def test_the_drill_page_offers_the_button_too(client, login, db):
    user = login()
    drill = upcoming_drill_role(user, now=utcnow(), days=3)
    page = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert 'data-testid="confirm-role"' in page and f'action="/drills/{drill.id}/my-role"' in page


def test_someone_without_a_role_gets_404(client, login, db):
    other = factories.user()
    drill = upcoming_drill_role(other, now=utcnow(), days=3)
    login()
    assert client.get(f"/drills/{drill.id}/my-role").status_code == 404
    assert client.post(f"/drills/{drill.id}/my-role").status_code == 404
    assert all(p.confirmed_at is None for p in drill.participants)


def test_confirming_needs_the_form_token(client, login, db, request):
    user = login()
    drill = upcoming_drill_role(user, now=utcnow(), days=3)
    request.getfixturevalue("csrf_enabled")
    assert client.post(f"/drills/{drill.id}/my-role").status_code == 400
    assert all(p.confirmed_at is None for p in drill.participants)


def test_a_drill_that_ended_takes_no_confirmation(db):
    user = factories.user()
    drill = upcoming_drill_role(user, now=utcnow(), days=3)
    from drills.errors import DrillError
    from drills.roles import confirm_role

    with pytest.raises(DrillError):
        confirm_role(drill, user.employee, drill.ends_at)


def test_the_notice_links_to_the_role_page_once_per_person(db):
    user = factories.user()
    drill = upcoming_drill_role(user, now=utcnow(), days=3)
    late = factories.user(department=drill.unit)
    services.add_participant(drill, late.employee, "observer")
    services.add_participant(drill, late.employee, "player")  # a second role: no second notice
    notes = db.session.scalars(
        select(Notification).where(
            Notification.kind == "drill.role", Notification.user_id.in_([user.id, late.id])
        )
    ).all()
    assert sorted(n.user_id for n in notes) == sorted([user.id, late.id])
    assert {n.link for n in notes} == {f"/drills/{drill.id}/my-role"}
    assert all("请确认" in n.title for n in notes)
