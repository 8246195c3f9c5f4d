"""Roster import: a dry run naming every bad row, an all-or-nothing confirm, idempotent re-import, bounds."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from accounts import roster
from accounts.models import Employee, User
from core.spreadsheets import SpreadsheetError, read_rows
from tests import factories

HEADER = ["工号", "姓名", "部门", "岗位", "入职日期", "手机号", "身份证号", "邮箱", "状态"]


def _xlsx(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def org(db):
    company = factories.department("华源公司", code="HY", kind="company")
    east = factories.department("城东供电分公司", code="CD", parent=company, kind="branch")
    factories.department("营业班", code="CD-YY", parent=east)
    north = factories.department("江北供电分公司", code="JB", parent=company, kind="branch")
    factories.department("营业班", code="JB-YY", parent=north)
    factories.position("营业厅柜员")
    factories.position("电工")
    return {"company": company, "east": east, "north": north}


def _upload(client, data: bytes, name="roster.xlsx"):
    # The multipart body is built in memory: for a large body werkzeug's test client would spool it to a
    # temporary file that it never closes (a ResourceWarning, an error under filterwarnings=error).
    head = f'--B\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'.encode()
    body = head + data + b"\r\n--B--\r\n"
    return client.post("/people/import", data=body, content_type="multipart/form-data; boundary=B")


def _confirm(client, preview_html: str):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1)
    return client.post("/people/import/confirm", data={"token": token})


GOOD = [
    [
        "CD0101",
        "张三",
        "城东供电分公司/营业班",
        "营业厅柜员",
        "2020-03-01",
        "13800138000",
        "110105199001011232",
        "",
        "在岗",
    ],
    ["JB0102", "李四", "JB-YY", "电工", "2019/7/1", "", "", "lisi@example.com", ""],
]


def test_good_file_previews_then_imports_with_one_time_passwords(client, login, db, org):
    login("hr")
    preview = _upload(client, _xlsx(GOOD))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "CD0101" in html and 'name="token"' in html
    assert (
        db.session.scalar(
            select(func.count(Employee.id)).where(Employee.employee_no.in_(["CD0101", "JB0102"]))
        )
        == 0
    )
    result = _confirm(client, html).get_data(as_text=True)
    emps = db.session.scalars(select(Employee).where(Employee.employee_no.in_(["CD0101", "JB0102"]))).all()
    assert len(emps) == 2 and all(e.user.must_change_password for e in emps)
    assert result.count("<code>") == 2 and "base64," in result  # passwords on the page, xlsx download inline
    assert {e.department.code for e in emps} == {"CD-YY", "JB-YY"}


def test_reimporting_the_same_file_changes_nothing(client, login, db, org):
    login("hr")
    _confirm(client, _upload(client, _xlsx(GOOD)).get_data(as_text=True))
    hashes = dict(db.session.execute(select(User.id, User.password_hash)).all())
    second = _upload(client, _xlsx(GOOD)).get_data(as_text=True)
    assert "未变：2" in second
    result = _confirm(client, second).get_data(as_text=True)
    assert "<code>" not in result
    db.session.expire_all()
    assert dict(db.session.execute(select(User.id, User.password_hash)).all()) == hashes
    assert db.session.scalar(select(func.count(Employee.id))) == 2 + 1  # + the HR user


def test_reimport_updates_changed_rows(client, login, db, org):
    login("hr")
    _confirm(client, _upload(client, _xlsx(GOOD)).get_data(as_text=True))
    changed = [list(GOOD[0]), list(GOOD[1])]
    changed[0][3] = "电工"
    html = _upload(client, _xlsx(changed)).get_data(as_text=True)
    assert "岗位" in html
    _confirm(client, html)
    db.session.expire_all()
    assert db.session.scalar(select(Employee).where(Employee.employee_no == "CD0101")).position.name == "电工"


BAD_ROWS = [
    # (row values, column, message fragment in Chinese)
    (["CD0101", "重复", "CD-YY", "电工", "", "", "", "", ""], "工号", "重复"),
    (["CD0201", "", "CD-YY", "电工", "", "", "", "", ""], "姓名", "姓名"),
    (["CD0202", "某某", "不存在的部门", "电工", "", "", "", "", ""], "部门", "不存在的部门"),
    (["CD0203", "某某", "营业班", "电工", "", "", "", "", ""], "部门", "营业班"),
    (["CD0204", "某某", "CD-YY", "厨师", "", "", "", "", ""], "岗位", "厨师"),
    (["CD0205", "某某", "CD-YY", "电工", "", "", "110105199001011234", "", ""], "身份证号", "校验"),
    (["CD0206", "某某", "CD-YY", "电工", "", "", "110105199002301234", "", ""], "身份证号", "出生日期"),
    (["CD0207", "某某", "CD-YY", "电工", "", "", "12345", "", ""], "身份证号", "17"),
    (["CD0208", "某某", "CD-YY", "电工", "", "1234", "", "", ""], "手机号", "号码"),
    (["CD0209", "某某", "CD-YY", "电工", "昨天", "", "", "", ""], "入职日期", "日期"),
    (["CD0210", "某某", "CD-YY", "电工", "", "", "", "not-an-email", ""], "邮箱", "邮箱"),
    (["CD0211", "某某", "CD-YY", "电工", "", "", "", "", "退休"], "状态", "在岗"),
    (["CD 0212!", "某某", "CD-YY", "电工", "", "", "", "", ""], "工号", "工号"),
]


@pytest.mark.parametrize(("row", "column", "fragment"), BAD_ROWS)
def test_each_bad_row_kind_is_named_and_nothing_imports(client, login, db, org, row, column, fragment):
    login("hr")
    html = _upload(client, _xlsx([GOOD[0], row])).get_data(as_text=True)
    errors = html.split('data-testid="errors"')[1]
    assert f"<td>3</td><td>{column}</td>" in errors, errors[:800]
    assert fragment in errors
    assert 'name="token"' not in html  # no confirm button while anything is wrong
    assert db.session.scalar(select(func.count(Employee.id)).where(Employee.employee_no == "CD0101")) == 0


def test_id_number_of_another_employee_is_refused(client, login, db, org):
    factories.employee(employee_no="OLD001", national_id="110105199001011232")
    login("hr")
    html = _upload(client, _xlsx([GOOD[0]])).get_data(as_text=True)
    errors = html.split('data-testid="errors"')[1]
    # The row is refused without saying whose number it is (a scoped HR user must not learn that).
    assert "该身份证号已属于其他员工" in errors and "OLD001" not in errors


def test_missing_required_column(client, login, db, org):
    login("hr")
    html = _upload(client, _xlsx([["X1", "某某"]], header=["工号", "姓名"])).get_data(as_text=True)
    assert "<td>1</td><td>部门</td>" in html and "<td>1</td><td>岗位</td>" in html


def test_csv_in_gbk_with_bom_less_encoding(client, login, db, org):
    login("hr")
    text = "工号,姓名,部门,岗位\nCD0301,王五,CD-YY,电工\n"
    html = _upload(client, text.encode("gb18030"), name="roster.csv").get_data(as_text=True)
    assert "CD0301" in html and "王五" in html and 'name="token"' in html


def test_oversized_upload_is_refused(client, login, db, org):
    login("hr")
    response = _upload(client, b"x" * (5 * 1024 * 1024 + 10), name="big.csv")
    assert response.status_code == 400
    assert "5.0 MB" in response.get_data(as_text=True)


def test_request_body_over_the_global_limit_is_413(app, client, login, db, org):
    login("hr")
    response = _upload(client, b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1), name="huge.csv")
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True) or "too large" in response.get_data(as_text=True)


def test_zip_bomb_like_workbook_is_refused(db):
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(2000):
        ws.append(["A" * 2000])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SpreadsheetError):
        read_rows(out.getvalue(), "bomb.xlsx", max_unpacked=2 * 1024 * 1024)


@pytest.mark.locale("en")
def test_not_a_workbook(app, client, login, db, org):
    """A file named .xlsx that is not a workbook is refused with a message saying so; nothing is staged
    for confirmation and no employee changes."""
    login("hr")
    staging = Path(app.config["INSTANCE_DIR"]) / "imports"
    staged_before = set(staging.glob("*")) if staging.is_dir() else set()
    employees_before = db.session.scalar(select(func.count(Employee.id)))
    response = _upload(client, b"PK\x03\x04 not really a zip", name="fake.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file is not a valid .xlsx workbook." in html and 'name="token"' not in html
    assert set(staging.glob("*")) == staged_before
    assert db.session.scalar(select(func.count(Employee.id))) == employees_before


@pytest.mark.locale("en")
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("roster.xlsx", b"this is not a zip file", "not a valid .xlsx workbook"),
        ("roster.xlsx", bytes(range(256)) * 8, "not a valid .xlsx workbook"),
        ("roster.xlsx", b"", "The file is empty"),
        ("roster.csv", b"", "The file is empty"),
        ("damaged.xlsx", factories.damaged_workbook(_xlsx([GOOD[1]] * 300)), "not a valid .xlsx workbook"),
        ("roster.csv", bytes(range(256)) * 8, "neither UTF-8 nor GBK"),
    ],
)
def test_unreadable_roster_files_are_refused(app, client, login, db, org, name, data, message):
    login("hr")
    employees_before = db.session.scalar(select(func.count(Employee.id)))
    response = _upload(client, data, name=name)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and 'name="token"' not in html
    assert db.session.scalar(select(func.count(Employee.id))) == employees_before


def test_wrong_extension(client, login, db, org):
    login("hr")
    response = _upload(client, b"hello", name="roster.txt")
    assert 'name="token"' not in response.get_data(as_text=True)


def test_scoped_hr_cannot_import_outside_scope(client, login, db, org):
    login("hr", scope=org["east"])
    html = _upload(client, _xlsx(GOOD)).get_data(as_text=True)
    assert 'name="token"' not in html
    assert "<td>3</td><td>部门</td>" in html


def test_template_has_the_chinese_headers(client, login, db):
    login("hr")
    data = client.get("/people/import/template.xlsx").data
    rows = read_rows(data, "t.xlsx")
    assert rows[0] == list(roster.HEADERS)


def _staged_file(app, user, preview_html: str) -> Path:
    """Where the preview's upload waits for its confirmation (named by the user and the form's token)."""
    token, _sep, kind = (
        re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1).rpartition("_")
    )
    return Path(app.config["INSTANCE_DIR"]) / "imports" / f"roster-{user.id}-{token}.{kind}"


def _imported(db) -> int:
    return db.session.scalar(
        select(func.count(Employee.id)).where(Employee.employee_no.in_(["CD0101", "JB0102"]))
    )


def test_confirm_with_a_forged_token_imports_nothing(app, client, login, db, org):
    """A token the server did not hand out imports nothing, even while the user has a real preview
    waiting; that preview stays staged and still confirms with its own token."""
    user = login("hr")
    preview = _upload(client, _xlsx(GOOD)).get_data(as_text=True)
    staged = _staged_file(app, user, preview)
    assert staged.is_file()

    response = client.post("/people/import/confirm", data={"token": "A" * 32 + "_xlsx"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/people/import")
    response = client.post("/people/import/confirm", data={"token": "../../etc/passwd_xlsx"})
    assert response.status_code == 400
    assert _imported(db) == 0
    assert staged.is_file()

    assert _confirm(client, preview).status_code == 200
    assert _imported(db) == 2 and not staged.is_file()


def test_scoped_hr_cannot_pull_in_or_change_someone_outside_scope(client, login, db, org):
    """An existing 工号 outside the HR user's scope is refused even when the file names a department in
    scope (otherwise an import would move that person in and overwrite their record)."""
    outsider = factories.employee(employee_no="JB0001", name="江北员工", department=org["north"])
    login("hr", scope=org["east"])
    row = ["JB0001", "改名", "城东供电分公司", "营业厅柜员", "", "13900000000", "", "", "在岗"]
    html = _upload(client, _xlsx([row])).get_data(as_text=True)
    assert 'name="token"' not in html and "超出您的管辖范围" in html
    db.session.refresh(outsider)
    assert (outsider.name, outsider.department_id) == ("江北员工", org["north"].id)


def test_scoped_hr_cannot_change_a_staff_account_by_import(client, login, db, org):
    admin = factories.user(grants=[("admin", None)], department=org["east"], employee_no="CD0900")
    login("hr", scope=org["east"])
    row = ["CD0900", "改名", "城东供电分公司", "营业厅柜员", "", "", "", "", "离岗"]
    html = _upload(client, _xlsx([row])).get_data(as_text=True)
    assert 'name="token"' not in html
    db.session.refresh(admin.employee)
    assert admin.employee.status == "active" and admin.active
