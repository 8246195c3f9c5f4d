"""Administration: roles and scopes, departments tree, positions."""

from sqlalchemy import select

from accounts.models import Department, Position, RoleGrant
from tests import factories


def test_admin_grants_a_scoped_trainer_role_and_revokes_it(client, login, db):
    login("admin")
    target = factories.user()
    east = factories.department("城东")
    response = client.post(f"/admin/users/{target.id}", data={"role": "trainer", "department_id": east.id})
    assert response.status_code == 302
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == target.id))
    assert grant.role == "trainer" and grant.department_id == east.id
    # the same grant twice is refused
    page = client.post(f"/admin/users/{target.id}", data={"role": "trainer", "department_id": east.id})
    assert page.status_code == 200 and "已拥有" in page.get_data(as_text=True)
    assert client.post(f"/admin/users/{target.id}/grants/{grant.id}/revoke").status_code == 302
    assert db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == target.id)) is None


def test_revoke_of_a_grant_from_another_user_is_404(client, login, db):
    login("admin")
    a, b = factories.user(grants=[("hr", None)]), factories.user()
    grant = a.grants[0]
    assert client.post(f"/admin/users/{b.id}/grants/{grant.id}/revoke").status_code == 404


def test_admin_cannot_disable_themselves(client, login, db):
    admin = login("admin")
    client.post(f"/admin/users/{admin.id}/active")
    db.session.refresh(admin)
    assert admin.active


def test_department_tree_create_and_move(client, login, db):
    login("admin")
    root = factories.department("公司", kind="company")
    a = factories.department("甲分公司", parent=root, kind="branch")
    b = factories.department("乙分公司", parent=root, kind="branch")
    client.post(
        "/admin/departments", data={"name": "甲一班", "code": "a-1", "kind": "team", "parent_id": a.id}
    )
    team = db.session.scalar(select(Department).where(Department.code == "A-1"))
    assert team.path == f"{a.path}{team.id}/" and team.depth == a.depth + 1
    response = client.post(
        f"/admin/departments/{a.id}",
        data={"name": "甲分公司", "code": a.code, "kind": "branch", "parent_id": b.id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    team = db.session.get(Department, team.id)
    assert team.path.startswith(db.session.get(Department, b.id).path) and team.depth == 3


def test_department_cannot_move_under_itself(client, login, db):
    login("admin")
    a = factories.department("甲")
    child = factories.department("甲一", parent=a)
    page = client.post(
        f"/admin/departments/{a.id}",
        data={"name": "甲", "code": a.code, "kind": "team", "parent_id": child.id},
    )
    assert page.status_code == 200
    db.session.expire_all()
    assert db.session.get(Department, a.id).parent_id is None


def test_duplicate_department_code_is_refused(client, login, db):
    login("admin")
    factories.department(code="DUP")
    page = client.post(
        "/admin/departments", data={"name": "x", "code": "dup", "kind": "team", "parent_id": 0}
    )
    assert "DUP" in page.get_data(as_text=True)
    assert len(db.session.scalars(select(Department).where(Department.code == "DUP")).all()) == 1


def test_positions_add_and_edit_hours(client, login, db):
    login("admin")
    client.post(
        "/admin/positions",
        data={"code": "dispx", "name": "电力调度员X", "annual_training_hours": "48", "active": "y"},
    )
    pos = db.session.scalar(select(Position).where(Position.code == "DISPX"))
    assert pos.annual_training_hours == 48
    client.post(
        f"/admin/positions/{pos.id}",
        data={"code": "DISPX", "name": "电力调度员X", "annual_training_hours": "56.5", "active": "y"},
    )
    db.session.refresh(pos)
    assert str(pos.annual_training_hours) == "56.5"
    page = client.post(
        "/admin/positions", data={"code": "DISPX", "name": "别的", "annual_training_hours": "-1"}
    )
    assert (
        page.status_code == 200 and db.session.scalar(select(Position).where(Position.name == "别的")) is None
    )
