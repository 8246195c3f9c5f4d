"""The audit log records every change automatically, redacts secrets, and admin/HR can filter it."""

import ast
from pathlib import Path

from sqlalchemy import select

from core.audit import AuditEntry, action_label, object_label, record
from core.extensions import db as _db
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


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


def _recorded_actions() -> set[str]:
    """Every action passed to ``audit.record(...)`` in the packages' source."""
    actions = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {"tests", "migrations", "bench", "scripts", ".venv"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                actions |= {c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant)}
    return actions


def test_every_audited_model_and_recorded_action_has_words(app):
    recorded = _recorded_actions()
    assert {"auth.login", "attempt.auto_submit", "drill.report_exported"} <= recorded
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        unnamed = [a for a in sorted(recorded) if action_label(a) == a]
        audited = [
            m.class_.__name__ for m in _db.Model.registry.mappers if getattr(m.class_, "__audit__", True)
        ]
        unnamed += [f"{name} (model)" for name in audited if object_label(name) == name]
        assert unnamed == []
        assert action_label("user.update") == "修改用户账号"
        assert action_label("employee.create") == "新建人员信息"
        assert action_label("auth.login_failed") == "登录失败（密码错误）"


def test_audit_page_shows_actions_and_objects_in_words(client, login, db):
    login("admin")
    dept = factories.department("审计部")
    dept.name = "审计二部"
    record("question_bank.export", None, count=3)
    db.session.flush()
    page = client.get("/admin/audit").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    assert "修改部门" in rows and "导出试题" in rows and "登录" in rows
    assert ">department.update<" not in rows and "<code>auth.login</code>" not in rows
    assert '<option value="user.update">修改用户账号</option>' in page  # the filter offers words
    page = client.get("/admin/audit?action=department.update").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    assert "修改部门" in rows and "导出试题" not in rows
