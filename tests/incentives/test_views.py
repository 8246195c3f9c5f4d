"""Pages: the role matrix, own-records-only for employees (404), manager scope, the export's formula
safety, leaderboard privacy, CSRF, and what each page shows."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from core.models import utcnow
from incentives import services
from incentives.models import (
    Appeal,
    ClaimStatus,
    PointClaim,
    SelectionStatus,
    StarNomination,
    StarSelection,
)
from incentives.selection import settings
from tests import factories
from tests.access import assert_access
from tests.incentives.factories import PNG, entry, rules

ALL = {"employee", "trainer", "hr", "admin"}
STAFF = {"trainer", "hr", "admin"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/incentives/", ALL),
        ("/incentives/how-to-earn", ALL),
        ("/incentives/leaderboard", ALL),
        ("/incentives/honours", ALL),
        ("/incentives/claims", STAFF),
        ("/incentives/claims/new", STAFF),
        ("/incentives/selections", STAFF),
        ("/incentives/appeals", {"hr"}),
        ("/incentives/ledger", {"hr", "admin"}),
        ("/incentives/ledger.xlsx", {"hr", "admin"}),
        ("/incentives/rules", {"hr", "admin"}),
        ("/incentives/rules/new", {"hr", "admin"}),
        ("/incentives/settings", {"hr", "admin"}),
    ],
)
def test_role_matrix(app, db, url, allowed):
    rules()
    assert_access(app, url, allowed)


def test_employee_cannot_see_another_ledger_entry_or_appeal(app, db, client, login):
    all_rules = rules()
    other = factories.user()
    line = entry(other.employee, all_rules["PRAISE"])
    appeal = Appeal(entry=line, employee_id=other.employee_id, reason="我认为不应扣分。", filed_at=utcnow())
    db.session.add(appeal)
    db.session.flush()
    login()
    assert client.get(f"/incentives/employees/{other.employee_id}").status_code == 404
    assert client.get(f"/incentives/entries/{line.id}/appeal").status_code == 404
    assert client.get(f"/incentives/appeals/{appeal.id}").status_code == 404
    assert (
        client.post(f"/incentives/entries/{line.id}/appeal", data={"reason": "这不是我的"}).status_code == 404
    )


def test_employee_sees_own_ledger_with_reasons_rank_and_can_appeal(app, db, client, login):
    all_rules = rules()
    me = login()
    entry(me.employee, all_rules["PRAISE"], when=utcnow() - dt.timedelta(minutes=5))
    page = client.get("/incentives/").get_data(as_text=True)
    assert "测试" in page and 'data-testid="balance">8.0' in page
    assert 'data-testid="rank">1' in page
    line = me.employee_id
    entry_id = db.session.execute(
        select(services.PointEntry.id).where(services.PointEntry.employee_id == line)
    ).scalar()
    response = client.post(f"/incentives/entries/{entry_id}/appeal", data={"reason": "分数应该更高一些"})
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "分数应该更高一些" in shown


def test_scoped_hr_sees_and_decides_only_inside_their_subtree(app, db, client, login):
    all_rules = rules()
    east, north = factories.department("城东"), factories.department("江北")
    trainer = factories.user(grants=[("trainer", None)])
    inside = factories.user(department=east).employee
    outside = factories.user(department=north).employee
    with app.test_request_context():
        claims = [
            services.create_claim(
                employee=emp,
                rule=all_rules["PRAISE"],
                occurred_on=dt.date(2026, 1, 5),
                evidence_text="客户表扬信",
                attachment=services.store_attachment(PNG, "a.png"),
                author=trainer,
                now=utcnow(),
            )
            for emp in (inside, outside)
        ]
    line = entry(outside, all_rules["PRAISE"])
    login("hr", scope=east)
    listing = client.get("/incentives/claims").get_data(as_text=True)
    assert inside.name in listing and outside.name not in listing
    assert client.get(f"/incentives/claims/{claims[1].id}").status_code == 404
    assert client.post(f"/incentives/claims/{claims[1].id}/decide", data={"approve": "1"}).status_code == 404
    assert client.get(f"/incentives/employees/{outside.id}").status_code == 404
    assert client.post(f"/incentives/entries/{line.id}/reverse", data={"reason": "x"}).status_code == 404
    assert client.get(f"/incentives/claims/{claims[0].id}/attachment").data == PNG
    response = client.post(f"/incentives/claims/{claims[0].id}/decide", data={"approve": "1", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PointClaim, claims[0].id).status == ClaimStatus.APPROVED
    ledger_page = client.get("/incentives/ledger").get_data(as_text=True)
    assert inside.name in ledger_page and outside.name not in ledger_page


def test_scoped_trainer_enters_points_only_in_scope(app, db, client, login):
    all_rules = rules()
    east, north = factories.department("城东"), factories.department("江北")
    inside = factories.user(department=east).employee
    outside = factories.user(department=north).employee
    login("trainer", scope=east)
    form = {"rule_id": all_rules["PRAISE"].id, "occurred_on": "2026-01-05", "evidence_text": "客户来电表扬"}
    refused = client.post(
        "/incentives/claims/new",
        data={**form, "employee_no": outside.employee_no, "attachment": (io.BytesIO(PNG), "a.png")},
    )
    assert (
        refused.status_code == 200
        and "No employee with this number in your scope" in refused.get_data(as_text=True)
        or "范围" in refused.get_data(as_text=True)
    )
    bad_file = client.post(
        "/incentives/claims/new",
        data={**form, "employee_no": inside.employee_no, "attachment": (io.BytesIO(b"<script>"), "a.html")},
    )
    assert bad_file.status_code == 200
    missing = client.post("/incentives/claims/new", data={**form, "employee_no": inside.employee_no})
    assert missing.status_code == 200
    assert db.session.scalar(select(PointClaim.id)) is None
    ok = client.post(
        "/incentives/claims/new",
        data={**form, "employee_no": inside.employee_no, "attachment": (io.BytesIO(PNG), "letter.png")},
    )
    assert ok.status_code == 302
    claim = db.session.scalar(select(PointClaim))
    assert claim.employee_id == inside.id and claim.status == ClaimStatus.PENDING
    # A trainer cannot approve.
    assert client.post(f"/incentives/claims/{claim.id}/decide", data={"approve": "1"}).status_code == 403


def test_export_neutralises_formulas(app, db, client, login):
    all_rules = rules()
    emp = factories.user(name='=HYPERLINK("http://evil")').employee
    entry(emp, all_rules["PRAISE"])
    login("hr")
    response = client.get("/incentives/ledger.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    names = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil")' in names
    assert all(
        not (isinstance(v, str) and v.startswith("="))
        for row in sheet.iter_rows(values_only=True)
        for v in row
    )


def test_ledger_filters_and_charts(app, db, client, login):
    all_rules = rules()
    emp = factories.user().employee
    entry(emp, all_rules["PRAISE"], when=utcnow())
    entry(emp, all_rules["COMPLAINT"], when=utcnow())
    login("hr")
    page = client.get(f"/incentives/ledger?rule={all_rules['COMPLAINT'].id}").get_data(as_text=True)
    assert page.count('data-testid="ledger-row"') == 1
    assert "<svg" in page and "有效客户投诉" in page


def test_leaderboard_privacy_shows_employees_only_the_top_n_and_their_own_line(app, db, client, login):
    all_rules = rules()
    settings().employee_top_n = 2
    unit = factories.department("95598客户服务中心", kind="center")
    team = factories.department("话务一班", parent=unit)
    now = utcnow()
    for points in (30, 20, 10):
        entry(factories.user(department=team).employee, all_rules["PRAISE"], points=points, when=now)
    me = login(department=team)
    entry(me.employee, all_rules["PRAISE"], points=1, when=now)
    page = client.get("/incentives/leaderboard").get_data(as_text=True)
    assert page.count('data-testid="board-row"') == 2 and 'data-testid="my-row"' in page
    client.post("/logout")
    login("hr", department=team)
    page = client.get(f"/incentives/leaderboard?unit={unit.id}").get_data(as_text=True)
    assert page.count('data-testid="board-row"') == 5


def test_posts_need_a_csrf_token(app, db, client, login, request):
    all_rules = rules()
    me = login()
    line = entry(me.employee, all_rules["PRAISE"])
    request.getfixturevalue("csrf_enabled")  # from here on: the sign-in above posted no token
    response = client.post(f"/incentives/entries/{line.id}/appeal", data={"reason": "分数应该更高一些"})
    refused = client.post(f"/incentives/entries/{line.id}/reverse", data={"reason": "x"})
    assert response.status_code == 400 and refused.status_code == 400
    assert db.session.scalar(select(Appeal.id)) is None


def test_how_to_earn_lists_active_rules_in_plain_words(app, db, client, login):
    all_rules = rules()
    all_rules["INNOVATION"].active = False
    login()
    page = client.get("/incentives/how-to-earn").get_data(as_text=True)
    assert "每 1 学时得 2 分" in page and "服务创新建议被采纳" not in page


def test_hr_edits_a_rule_and_bad_input_is_refused(app, db, client, login):
    all_rules = rules()
    login("hr")
    rule = all_rules["PRAISE"]
    form = {
        "code": "PRAISE",
        "name": "客户表扬",
        "description": "收到表扬得分",
        "trigger": "manual",
        "category": "praise",
        "points": "9",
        "cap": "",
        "cap_period": "quarter",
        "threshold": "",
        "active": "y",
    }
    assert client.post(f"/incentives/rules/{rule.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(rule), rule.id).points == Decimal(9)
    clash = client.post("/incentives/rules/new", data={**form, "code": "COMPLAINT"})
    assert clash.status_code == 200 and "COMPLAINT" in clash.get_data(as_text=True)
    zero = client.post("/incentives/rules/new", data={**form, "code": "ZERO", "points": "0"})
    assert zero.status_code == 200
    bad = client.post("/incentives/rules/new", data={**form, "code": "bad code!", "points": "abc"})
    assert bad.status_code == 200


def test_profile_shows_the_star_badge_section(app, db, client, login):
    rules()
    me = login()
    page = client.get(f"/people/{me.employee_id}").get_data(as_text=True)
    assert f"/incentives/employees/{me.employee_id}" in page


def test_a_published_star_has_a_badge_on_profile_and_dashboard(app, db, client, login):
    rules()
    me = login()
    unit = me.employee.department
    selection = StarSelection(
        unit=unit,
        period_kind="quarter",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 4, 1),
        max_nominees=1,
        tie_breaks="",
        status=SelectionStatus.PUBLISHED,
        created_by=me,
        published_at=utcnow(),
    )
    selection.nominations.append(
        StarNomination(employee_id=me.employee_id, rank=1, points=Decimal(30), citation="服务热情，业务过硬")
    )
    db.session.add(selection)
    db.session.flush()
    assert 'data-testid="star-badge"' in client.get(f"/people/{me.employee_id}").get_data(as_text=True)
    assert 'data-testid="star-badge"' in client.get("/").get_data(as_text=True)
    honours = client.get("/incentives/honours").get_data(as_text=True)
    assert "服务热情，业务过硬" in honours and "<svg" in honours
