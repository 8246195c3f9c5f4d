"""Words on the accounts pages (issue 13 copy fixes): a unit or a post has a 名称, a person a 姓名; someone
who has left the company is 离职 (离岗 would mean only away from their post)."""

import re

from sqlalchemy import select

from accounts.models import Employee
from tests import factories
from tests.accounts.test_roster_import import HEADER, _confirm, _upload, _xlsx


def _label_of(html: str, field: str) -> str:
    return re.search(rf'<label[^>]*for="{field}"[^>]*>([^<]*)</label>', html).group(1).strip()


def test_department_and_position_forms_ask_for_a_名称(client, login, db):
    login("admin")
    department = factories.department("城东供电分公司")
    position = factories.position("营业厅柜员")
    for url in (
        "/admin/departments",
        f"/admin/departments/{department.id}",
        f"/admin/positions/{position.id}",
    ):
        assert _label_of(client.get(url).get_data(as_text=True), "name") == "名称", url
    positions = client.get("/admin/positions").get_data(as_text=True)
    assert "<th>名称</th>" in positions and "姓名" not in positions


def test_a_persons_name_stays_姓名(client, login, db):
    login("admin")
    assert _label_of(client.get("/people/new").get_data(as_text=True), "name") == "姓名"


def test_someone_who_left_reads_离职(client, login, db):
    login("admin")
    factories.employee("王离开", status="left")
    page = client.get("/people?status=left").get_data(as_text=True)
    assert "王离开" in page and "离职" in page and "离岗" not in page


def test_the_roster_takes_离职_and_names_it_when_the_status_is_wrong(client, login, db):
    factories.department("营业班", code="CD-YY")
    factories.position("营业厅柜员")
    login("hr")
    row = ["CD0777", "赵离职", "CD-YY", "营业厅柜员", "", "", "", "", "离职"]
    preview = _upload(client, _xlsx([row], header=HEADER)).get_data(as_text=True)
    assert _confirm(client, preview).status_code == 200
    assert db.session.scalar(select(Employee.status).where(Employee.employee_no == "CD0777")) == "left"
    wrong = ["CD0778", "钱", "CD-YY", "营业厅柜员", "", "", "", "", "退休"]
    html = _upload(client, _xlsx([wrong], header=HEADER)).get_data(as_text=True)
    # The message names the three words and what each means: 离岗 is not 离职 (issue 24).
    assert "在岗" in html and "离职" in html and "离岗" in html and "已离开公司" in html
