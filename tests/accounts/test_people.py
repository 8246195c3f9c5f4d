"""Staff directory: scope, own-profile-only, masking and audited unmasking, edits."""

from sqlalchemy import select

from accounts.models import Employee
from core.audit import AuditEntry
from tests import factories


def _tree():
    company = factories.department("公司", kind="company")
    east = factories.department("城东分公司", parent=company, kind="branch")
    east_team = factories.department("城东营业班", parent=east)
    north = factories.department("江北分公司", parent=company, kind="branch")
    return company, east, east_team, north


def test_employee_sees_own_profile_but_not_anothers(client, login, db):
    me = login()
    other = factories.employee()
    assert client.get(f"/people/{me.employee_id}").status_code == 200
    assert client.get(f"/people/{other.id}").status_code == 404
    assert client.get("/people/999999").status_code == 404


def test_scoped_hr_sees_only_their_subtree(client, login, db):
    _company, east, east_team, north = _tree()
    inside = factories.employee("城东员工", department=east_team)
    outside = factories.employee("江北员工", department=north)
    login("hr", scope=east)
    listing = client.get("/people?status=all").get_data(as_text=True)
    assert "城东员工" in listing and "江北员工" not in listing
    assert client.get(f"/people/{inside.id}").status_code == 200
    assert client.get(f"/people/{outside.id}").status_code == 404
    assert client.get(f"/people/{outside.id}/edit").status_code == 404


def test_scoped_trainer_lists_only_their_subtree(client, login, db):
    _company, east, east_team, north = _tree()
    factories.employee("城东甲", department=east_team)
    factories.employee("江北乙", department=north)
    login("trainer", scope=east)
    page = client.get("/people").get_data(as_text=True)
    assert "城东甲" in page and "江北乙" not in page


def test_national_id_is_masked_everywhere(client, login, db):
    emp = factories.employee(national_id="110105199001011232", phone="13812345678")
    login("hr")
    for url in ("/people?status=all", f"/people/{emp.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "110105199001011232" not in page
        assert "110***********1232" in page
        assert "13812345678" not in page and "138****5678" in page


def test_hr_in_scope_unmasks_one_id_and_it_is_audited(client, login, db):
    _company, east, east_team, _north = _tree()
    emp = factories.employee(department=east_team, national_id="110105199001011232")
    hr = login("hr", scope=east)
    page = client.post(f"/people/{emp.id}/national-id").get_data(as_text=True)
    assert "110105199001011232" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "employee.national_id_unmasked"))
    assert entry.user_id == hr.id and entry.object_id == str(emp.id) and entry.ip == "127.0.0.1"


def test_unmasking_refused_outside_scope_and_for_other_roles(app, client, login, db):
    _company, east, _east_team, north = _tree()
    emp = factories.employee(department=north, national_id="110105199001011232")
    login("hr", scope=east)
    assert client.post(f"/people/{emp.id}/national-id").status_code == 404
    for role in ("trainer", "admin", "employee"):
        other = app.test_client()
        user = factories.user(grants=[] if role == "employee" else [(role, None)])
        other.post("/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD})
        assert other.post(f"/people/{emp.id}/national-id").status_code in (403, 404)
        assert "110105199001011232" not in other.get(f"/people/{emp.id}").get_data(as_text=True)
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "employee.national_id_unmasked"))
        is None
    )


def test_hr_edits_an_employee_and_changes_are_audited(client, login, db):
    emp = factories.employee("旧名字")
    login("hr")
    response = client.post(
        f"/people/{emp.id}/edit",
        data={
            "employee_no": emp.employee_no,
            "name": "新名字",
            "department_id": emp.department_id,
            "position_id": emp.position_id,
            "phone": "13900001111",
            "national_id": "",
            "email": "",
            "status": "active",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, emp.id).name == "新名字"
    assert db.session.get(Employee, emp.id).national_id == emp.national_id  # empty field keeps it
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "employee.update", AuditEntry.object_id == str(emp.id))
    ).all()
    changed = {k: v for e in entries for k, v in e.details.items()}  # one entry per flush
    assert changed["name"] == "新名字" and changed["phone"] == "<redacted>"
    assert "13900001111" not in str(changed)


def _edit_data(emp, **changes) -> dict:
    data = {
        "employee_no": emp.employee_no,
        "name": emp.name,
        "department_id": emp.department_id,
        "position_id": emp.position_id,
        "national_id": "",
        "email": "",
        "status": "active",
    }
    return {**data, **changes}


def test_edit_form_shows_the_phone_masked_and_keeps_it_when_untouched(client, login, db):
    emp = factories.employee(phone="13812345678")
    login("hr")
    page = client.get(f"/people/{emp.id}/edit").get_data(as_text=True)
    assert "13812345678" not in page and 'value="138****5678"' in page
    # Sent back untouched: the stored number stays.
    response = client.post(f"/people/{emp.id}/edit", data=_edit_data(emp, phone="138****5678"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, emp.id).phone == "13812345678"
    # Another field wrong: the form comes back, the phone still masked.
    page = client.post(
        f"/people/{emp.id}/edit", data=_edit_data(emp, phone="138****5678", national_id="110105199001011234")
    ).get_data(as_text=True)
    assert "13812345678" not in page and 'value="138****5678"' in page
    # A new number is typed in full; a half-masked one is refused.
    assert client.post(f"/people/{emp.id}/edit", data=_edit_data(emp, phone="139****5678")).status_code == 200
    assert client.post(f"/people/{emp.id}/edit", data=_edit_data(emp, phone="13900001111")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, emp.id).phone == "13900001111"


def test_edit_rejects_a_bad_id_number(client, login, db):
    emp = factories.employee()
    login("hr")
    page = client.post(
        f"/people/{emp.id}/edit",
        data={
            "employee_no": emp.employee_no,
            "name": emp.name,
            "department_id": emp.department_id,
            "position_id": emp.position_id,
            "national_id": "110105199001011234",
            "status": "active",
        },
    ).get_data(as_text=True)
    assert "身份证号" in page and "is-invalid" in page


def test_create_employee_shows_the_initial_password_once(client, login, db):
    dept, pos = factories.department(), factories.position()
    login("hr")
    response = client.post(
        "/people/new",
        data={
            "employee_no": "new01",
            "name": "新员工",
            "department_id": dept.id,
            "position_id": pos.id,
            "status": "active",
        },
    )
    page = response.get_data(as_text=True)
    assert 'data-testid="password"' in page
    emp = db.session.scalar(select(Employee).where(Employee.employee_no == "NEW01"))
    assert emp.user is not None and emp.user.must_change_password


def test_scoped_hr_cannot_create_outside_scope(client, login, db):
    _company, east, _east_team, north = _tree()
    pos = factories.position()
    login("hr", scope=east)
    response = client.post(
        "/people/new",
        data={
            "employee_no": "X1",
            "name": "越权",
            "department_id": north.id,
            "position_id": pos.id,
            "status": "active",
        },
    )
    assert response.status_code in (200, 404)
    assert db.session.scalar(select(Employee).where(Employee.employee_no == "X1")) is None


def test_hr_cannot_take_over_a_staff_account(app, client, login, db):
    """HR edits and resets ordinary employees in scope; accounts holding a staff role (here an admin
    in the same department) are managed by administrators only, so HR cannot reset their password,
    disable them or rename them."""
    east = factories.department("城东")
    admin = factories.user(grants=[("admin", None)], department=east)
    worker = factories.user(department=east)
    hash_before = admin.password_hash
    login("hr", scope=east)
    page = client.get(f"/people/{admin.employee_id}").get_data(as_text=True)
    assert "/reset-password" not in page and f"/people/{admin.employee_id}/edit" not in page
    assert client.post(f"/people/{admin.employee_id}/reset-password").status_code == 403
    assert client.get(f"/people/{admin.employee_id}/edit").status_code == 403
    refused = client.post(
        f"/people/{admin.employee_id}/edit",
        data={"employee_no": admin.employee.employee_no, "name": "改名", "status": "left"},
    )
    assert refused.status_code == 403
    db.session.refresh(admin)
    db.session.refresh(admin.employee)
    assert admin.password_hash == hash_before and admin.employee.status == "active"
    # An ordinary employee in scope: HR may reset the password.
    assert "/reset-password" in client.get(f"/people/{worker.employee_id}").get_data(as_text=True)
    assert client.post(f"/people/{worker.employee_id}/reset-password").status_code == 200
