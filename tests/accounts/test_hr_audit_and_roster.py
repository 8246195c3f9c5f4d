"""The audit log answers "who changed what about this person", and the roster import shows and records each
change: old → new per field, a full-width space in a name, 离职 versus 离岗."""

import datetime as dt

from sqlalchemy import select

from accounts.models import Employee, EmployeeStatus
from core.audit import AuditEntry, record
from incentives.models import PointClaim
from incentives.starter import standard_rules
from tests import factories
from tests.accounts.test_roster_import import GOOD, _confirm, _upload, _xlsx, org  # noqa: F401


def test_search_by_the_affected_person_and_by_who_acted_with_old_and_new_values(client, login, db):
    admin = login("admin")
    person = factories.employee(name="郑秋")
    bystander = factories.employee(name="冯春")
    old_name = person.name
    person.name = "郑秋月"
    db.session.flush()
    bystander.name = "冯春华"
    db.session.flush()
    page = client.get(f"/admin/audit?subject_no={person.employee_no}").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    assert "郑秋月" in body and "冯春华" not in body
    changes = body.split('data-testid="changes">')[1].split("</td>")[0]
    assert "姓名" in changes and old_name in changes and "→" in changes
    assert "人员信息" in body  # the object in words, never "Employee"
    assert ">Employee<" not in body and "national_id" not in body
    # By who acted: the administrator's own changes (made in requests) are found by their 工号.
    record("thing.done", person, user_id=admin.id)
    db.session.flush()
    mine = client.get(f"/admin/audit?employee_no={admin.employee.employee_no}").get_data(as_text=True)
    assert 'data-action="thing.done"' in mine


def test_reads_of_id_numbers_are_a_named_filter(client, login, db):
    login("hr")
    person = factories.employee()
    response = client.post(f"/people/{person.id}/national-id")
    assert response.status_code in (200, 302)
    record("report.export", None, rows=1)
    db.session.flush()
    page = client.get("/admin/audit?preset=id_reads").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    assert 'data-action="employee.national_id_unmasked"' in body and "report.export" not in body
    assert person.employee_no in body.split('data-testid="subject">')[1][:200]


def test_the_dry_run_shows_old_and_new_and_the_import_records_each_person(client, login, db, org):  # noqa: F811
    login("hr")
    _confirm(client, _upload(client, _xlsx(GOOD)).get_data(as_text=True))
    changed = [list(GOOD[0]), list(GOOD[1])]
    changed[0][2] = "JB-YY"
    changed[1][8] = "离职"
    html = _upload(client, _xlsx(changed)).get_data(as_text=True)
    assert "部门" in html and "营业班 → 营业班" not in html
    changes = html.split('data-testid="changes">')[1].split("</ul>")[0]
    assert "营业班" in changes and "→" in changes
    assert "在岗 → 离职" in html
    _confirm(client, html)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("roster.person_%")).order_by(AuditEntry.id)
    ).all()
    by_action = {}
    for e in entries:
        by_action.setdefault(e.action, []).append(e)
    assert len(by_action["roster.person_created"]) == 2
    moved = db.session.scalar(select(Employee).where(Employee.employee_no == "CD0101"))
    left = db.session.scalar(select(Employee).where(Employee.employee_no == "JB0102"))
    assert [e.subject_employee_id for e in by_action["roster.person_changed"]] == [moved.id]
    assert [e.subject_employee_id for e in by_action["roster.person_left"]] == [left.id]
    assert left.status == EmployeeStatus.LEFT and not left.user.is_active
    page = client.get("/admin/audit?subject_no=JB0102").get_data(as_text=True)
    assert "在岗 → 离职" in page.replace("</span>", "").replace('<span translate="no">', "")


def test_a_full_width_space_in_a_name_is_flagged(client, login, db, org):  # noqa: F811
    login("hr")
    rows = [list(GOOD[0])]
    rows[0][1] = "张\u3000三"
    html = _upload(client, _xlsx(rows)).get_data(as_text=True)
    assert "全角空格" in html


def test_off_post_is_not_left(client, login, db, org):  # noqa: F811
    login("hr")
    rows = [list(GOOD[0])]
    rows[0][8] = "离岗"
    _confirm(client, _upload(client, _xlsx(rows)).get_data(as_text=True))
    person = db.session.scalar(select(Employee).where(Employee.employee_no == "CD0101"))
    assert person.status == EmployeeStatus.OFF_POST and person.user.is_active


def test_people_leaving_with_open_items_are_listed(client, login, db, org):  # noqa: F811
    login("hr")
    _confirm(client, _upload(client, _xlsx(GOOD)).get_data(as_text=True))
    leaving = db.session.scalar(select(Employee).where(Employee.employee_no == "CD0101"))
    staying = db.session.scalar(select(Employee).where(Employee.employee_no == "JB0102"))
    rule = standard_rules()["PRAISE"]
    for person in (leaving, staying):
        db.session.add(
            PointClaim(
                employee_id=person.id,
                rule_id=rule.id,
                occurred_on=dt.date(2026, 11, 1),
                evidence_text="客户来电表扬",
                entered_by_id=person.user.id,
            )
        )
    db.session.flush()
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[0][8] = "离职"
    html = _upload(client, _xlsx(rows)).get_data(as_text=True)
    listed = html.split('data-testid="leavers"')[1].split("</div>")[0]
    assert "CD0101" in listed and "1 项积分申报待审核" in listed and "JB0102" not in listed
    result = _confirm(client, html).get_data(as_text=True)
    assert 'data-testid="leavers"' in result and "CD0101" in result.split('data-testid="leavers"')[1]
