"""Emergency teams (issue 19 §7): the 12-month window at its boundary, picking a team into a drill, the
board's team section, the dashboard, and who may see and change a team (404 outside one's scope)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.audit import AuditEntry
from core.extensions import db
from drills import services, teams
from drills.compliance.teams import months_before, team_readiness
from drills.errors import DrillError
from drills.models import DrillParticipant, DrillStatus
from drills.team_models import EmergencyTeam, TeamMember
from tests import factories
from tests.drills.factories import bare_drill, plan, ready_drill, unit

TODAY = dt.date(2026, 12, 2)


def team_with(unit_, *roles, name="抢修一队", joined=dt.date(2024, 1, 1)):
    team = teams.create_team(unit_, name, "配网故障抢修")
    members = [teams.add_member(team, factories.employee(department=unit_), role, joined) for role in roles]
    return team, members


def took_part(employee, unit_, when: str, *, attended=True, status=DrillStatus.CLOSED):
    drill = bare_drill(unit_, plan(), when, status=status)
    db.session.add(DrillParticipant(drill=drill, employee=employee, role="player", attended=attended))
    db.session.flush()
    return drill


# ---------------------------------------------------------------- the window


def test_months_before_clamps_month_ends():
    assert months_before(dt.date(2026, 12, 2), 12) == dt.date(2025, 12, 2)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_twelve_month_boundary_in_beijing_time(db):
    u = unit()
    team, (on_day, day_before, late_evening, never, absent, planned_only) = team_with(
        u, "leader", "repair", "repair", "technical", "customer_service", "logistics"
    )
    # the cutoff is 2025-12-02 (Beijing): a drill that day still counts, the day before does not
    took_part(on_day.employee, u, "2025-12-02 00:30")  # 2025-12-01 16:30 UTC
    took_part(day_before.employee, u, "2025-12-01 23:30")
    took_part(late_evening.employee, u, "2025-12-01 20:00")
    took_part(late_evening.employee, u, "2026-06-01 09:00")  # a later drill is the one that counts
    took_part(absent.employee, u, "2026-05-01 09:00", attended=False)
    took_part(planned_only.employee, u, "2026-12-20 09:00", attended=None, status=DrillStatus.APPROVED)
    [result] = team_readiness([team], TODAY, 12)
    lapsed = {item.member.employee_id: item.last_drill for item in result.lapsed}
    assert result.active == 6
    assert on_day.employee_id not in lapsed and late_evening.employee_id not in lapsed
    assert lapsed == {
        day_before.employee_id: dt.date(2025, 12, 1),
        never.employee_id: None,
        absent.employee_id: None,
        planned_only.employee_id: None,
    }
    # a shorter window, configurable: 6 months back from 2026-12-02 is 2026-06-02
    [six] = team_readiness([team], TODAY, 6)
    assert late_evening.employee_id in {i.member.employee_id for i in six.lapsed}


def test_only_members_on_the_team_today_are_checked(db):
    u = unit()
    team, (left, future, current) = team_with(u, "repair", "repair", "repair")
    teams.change_member(left, "repair", dt.date(2026, 11, 30))
    future.joined_on = dt.date(2026, 12, 10)
    current.employee.status = "left"  # left the company
    stood_down, _ = team_with(u, "repair", name="二队")
    stood_down.active = False
    db.session.flush()
    [result] = team_readiness([team, stood_down], TODAY, 12)
    assert result.team is team and result.active == 0 and result.lapsed == []


# ---------------------------------------------------------------- members


def test_member_rules(db):
    u = unit()
    team, (member,) = team_with(u, "leader")
    with pytest.raises(DrillError):
        teams.add_member(team, member.employee, "repair", TODAY)  # already on the team
    with pytest.raises(DrillError):
        teams.change_member(member, "leader", dt.date(2023, 12, 31))  # before joining
    with pytest.raises(DrillError):
        teams.add_member(team, factories.employee(department=u), "captain", TODAY)
    with pytest.raises(DrillError):
        teams.create_team(u, "抢修一队")  # the same name in the same department
    teams.change_member(member, "leader", dt.date(2026, 6, 30))
    again = teams.add_member(team, member.employee, "deputy", TODAY)  # comes back: the same row
    assert again is member and member.left_on is None and member.role == "deputy"
    assert member.joined_on == TODAY
    assert db.session.query(TeamMember).filter_by(team_id=team.id).count() == 1


# ---------------------------------------------------------------- pick by team


def test_pick_team_adds_active_members_as_players_with_the_team(db):
    u = unit()
    drill = ready_drill(unit_=u, when="2026-12-20 09:00")
    team, (leader, repair, gone, later) = team_with(u, "leader", "repair", "repair", "customer_service")
    teams.change_member(gone, "repair", dt.date(2026, 12, 1))  # left before the drill
    later.joined_on = dt.date(2026, 12, 21)  # joins after the drill
    services.add_participant(drill, repair.employee, "evaluator")  # already in the drill
    before = len(drill.participants)
    picked = teams.pick_team(drill, team)
    assert [p.employee for p in picked.added] == [leader.employee]
    assert picked.skipped == [repair.employee]
    assert len(drill.participants) == before + 1
    row = next(p for p in drill.participants if p.employee_id == leader.employee_id)
    assert row.role == "player" and row.team_id == team.id
    assert {p.role for p in drill.participants if p.employee_id == repair.employee_id} == {"evaluator"}
    again = teams.pick_team(drill, team)
    assert again.added == [] and len(again.skipped) == 2


def test_pick_team_refuses_a_stood_down_or_empty_team(db):
    u = unit()
    drill = ready_drill(unit_=u, when="2026-12-20 09:00")
    empty = teams.create_team(u, "空队")
    with pytest.raises(DrillError):
        teams.pick_team(drill, empty)
    team, _ = team_with(u, "repair", name="三队")
    team.active = False
    with pytest.raises(DrillError):
        teams.pick_team(drill, team)


# ---------------------------------------------------------------- pages and permissions


def _scoped_trainer(u):
    return factories.user(grants=[("trainer", u)], department=u)


def test_trainer_creates_a_team_adds_members_and_it_is_audited(client, login, db):
    u = unit()
    trainer = _scoped_trainer(u)
    login(user=trainer)
    response = client.post(
        "/drills/teams", data={"department": u.id, "name": "客服应急小组", "duties": "95598话务应急"}
    )
    team = db.session.query(EmergencyTeam).filter_by(name="客服应急小组").one()
    assert response.status_code == 302 and response.location.endswith(f"/drills/teams/{team.id}")
    person = factories.employee(department=u)
    response = client.post(
        f"/drills/teams/{team.id}/members",
        data={"employee_no": person.employee_no, "role": "customer_service", "joined_on": "2026-01-05"},
    )
    assert response.status_code == 302
    member = db.session.query(TeamMember).filter_by(team_id=team.id).one()
    assert member.employee_id == person.id and member.joined_on == dt.date(2026, 1, 5)
    response = client.post(
        f"/drills/teams/{team.id}/members/{member.id}",
        data={f"m{member.id}-role": "leader", f"m{member.id}-left_on": "2026-11-30"},
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.role == "leader" and member.left_on == dt.date(2026, 11, 30)
    objects = {a.object_type for a in db.session.query(AuditEntry).filter(AuditEntry.user_id == trainer.id)}
    assert {"EmergencyTeam", "TeamMember"} <= objects
    page = client.get(f"/drills/teams/{team.id}")
    assert page.status_code == 200 and person.name in page.get_data(as_text=True)


def test_a_trainer_of_another_unit_gets_404_and_changes_nothing(client, login, db):
    mine, theirs = unit(), unit()
    team, (member,) = team_with(theirs, "repair")
    outsider = factories.employee(department=theirs)
    login(user=_scoped_trainer(mine))
    assert client.get(f"/drills/teams/{team.id}").status_code == 404
    assert client.post(f"/drills/teams/{team.id}", data={"name": "改名"}).status_code == 404
    data = {"employee_no": outsider.employee_no, "role": "repair", "joined_on": "2026-01-05"}
    assert client.post(f"/drills/teams/{team.id}/members", data=data).status_code == 404
    data = {f"m{member.id}-role": "leader"}
    assert client.post(f"/drills/teams/{team.id}/members/{member.id}", data=data).status_code == 404
    assert team.name not in client.get("/drills/teams").get_data(as_text=True)
    # creating a team in a department outside the scope is refused
    client.post("/drills/teams", data={"department": theirs.id, "name": "越权队"})
    # a person outside the trainer's departments cannot be put on the trainer's own team
    own = teams.create_team(mine, "本单位队")
    client.post(
        f"/drills/teams/{own.id}/members",
        data={**data, "employee_no": outsider.employee_no, "role": "repair", "joined_on": "2026-01-05"},
    )
    db.session.expire_all()
    assert team.name == "抢修一队" and member.role == "repair"
    assert db.session.query(EmergencyTeam).filter_by(name="越权队").count() == 0
    assert db.session.query(TeamMember).filter_by(team_id=own.id).count() == 0


def test_hr_reads_but_cannot_change_and_employees_see_nothing(client, login, db):
    u = unit()
    team, (member,) = team_with(u, "repair")
    login(role="hr", scope=u)
    assert client.get(f"/drills/teams/{team.id}").status_code == 200
    assert client.post(f"/drills/teams/{team.id}", data={"name": "改名"}).status_code == 403
    client.post("/logout")
    login(user=factories.user(employee_obj=member.employee))
    assert client.get(f"/drills/teams/{team.id}").status_code == 403
    assert client.get("/drills/teams").status_code == 403


def test_pick_by_team_over_http_and_no_foreign_team(client, login, db):
    u, other = unit(), unit()
    drill = ready_drill(unit_=u, when="2026-12-20 09:00")
    team, (leader, repair) = team_with(u, "leader", "repair")
    foreign, _ = team_with(other, "repair", name="外单位队")
    login(user=_scoped_trainer(u))
    page = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert 'data-testid="pick-team"' in page and team.name in page and foreign.name not in page
    assert client.post(f"/drills/{drill.id}/participants/team", data={"team": foreign.id}).status_code == 404
    response = client.post(f"/drills/{drill.id}/participants/team", data={"team": team.id})
    assert response.status_code == 302
    db.session.expire_all()
    picked = {p.employee_id for p in drill.participants if p.team_id == team.id}
    assert picked == {leader.employee_id, repair.employee_id}
    assert team.name in client.get(f"/drills/{drill.id}").get_data(as_text=True)


def test_board_lists_lapsed_members_per_team_and_unit(client, login, db):
    u = unit()
    team, (fresh, stale) = team_with(u, "leader", "repair")
    took_part(fresh.employee, u, "2026-10-01 09:00")
    took_part(stale.employee, u, "2025-06-01 09:00")
    login(role="trainer", scope=u)
    html = client.get("/drills/compliance").get_data(as_text=True)
    section = html[html.index('id="teams"') :]
    assert u.name in section and team.name in section
    assert stale.employee.name in section and "2025-06-01" in section
    assert fresh.employee.name not in section
    assert 'data-lapsed="1"' in section


def test_my_teams_on_the_dashboard(client, login, db):
    u = unit()
    team, (member,) = team_with(u, "deputy")
    login(user=factories.user(employee_obj=member.employee))
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="my-teams"' in html and team.name in html
