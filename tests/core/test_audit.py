"""The audit log records every change automatically, redacts secrets, and admin/HR can filter it."""

from sqlalchemy import select

from core.audit import AuditEntry, record
from tests import factories


def test_create_update_delete_are_recorded(db):
    dept = factories.department("审计部")
    dept.name = "审计二部"
    db.session.flush()
    db.session.delete(dept)
    db.session.flush()
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "Department", AuditEntry.object_id == str(dept.id))
        .order_by(AuditEntry.id)
    ).all()
    assert (
        actions[0] == "department.create"
        and "department.update" in actions
        and actions[-1] == "department.delete"
    )


def test_secrets_are_redacted(db):
    user = factories.user()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "User")).all()
    assert entries
    for entry in entries:
        assert user.password_hash not in str(entry.details)
        assert user.session_token not in str(entry.details)


def test_explicit_record_carries_details(db):
    record("report.export", None, rows=12)
    db.session.flush()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.export"))
    assert entry.details == {"rows": 12} and entry.user_id is None


def test_audit_page_filters_by_action_and_employee(client, login, db):
    admin = login("admin")
    other = factories.user()
    record("report.export", None, user_id=other.id, rows=1)
    db.session.flush()
    page = client.get("/admin/audit?action=auth.login").get_data(as_text=True)
    assert "auth.login" in page and "report.export" not in page
    page = client.get(f"/admin/audit?employee_no={other.employee.employee_no}").get_data(as_text=True)
    assert "report.export" in page and admin.employee.employee_no not in page.split("<tbody>")[1]


def test_scoped_hr_reads_only_what_people_in_scope_did(client, login, db):
    east = factories.department("城东")
    north = factories.department("江北")
    inside = factories.user(department=east)
    outside = factories.user(department=north)
    record("thing.inside", None, user_id=inside.id)
    record("thing.outside", None, user_id=outside.id)
    db.session.flush()
    login("hr", scope=east)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "thing.inside" in page and "thing.outside" not in page
