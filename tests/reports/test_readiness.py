"""The unit readiness dashboard: measures computed from the records by period, rolled up the tree,
coloured by thresholds, with trends, drill-down, the team ranking and the export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from reports import readiness
from reports.periods import parse_period
from tests import factories
from tests.exams import factories as exam_factories
from tests.reports.factories import NOW, attempt, person_with_records


def _org(db):
    branch = factories.department("城东分公司", kind="branch")
    team_a = factories.department("抢修一班", parent=branch, kind="team")
    team_b = factories.department("营业班", parent=branch, kind="team")
    person = person_with_records(department=team_a)  # 1 of 2 required certificates, 12.5 h in 2026H1
    other = factories.employee(department=team_b, position=person.employee.position)
    exam = exam_factories.exam(title="另一场考试")
    attempt(other, exam, "2026-05-05", 40)  # failed
    return branch, team_a, team_b, person, other


def test_measures_roll_up_from_teams_to_the_branch(db):
    branch, team_a, team_b, person, other = _org(db)
    admin = factories.user(grants=[("admin", None)])
    board = readiness.build_dashboard(admin, branch, "half", NOW)
    assert [p.token for p in board.periods] == ["2025H1", "2025H2", "2026H1", "2026H2"]
    rows = {row.department.name: row for row in board.rows}
    assert list(rows) == ["城东分公司", "抢修一班", "营业班"]
    h1 = 2  # index of 2026H1
    assert rows["抢修一班"].values["exams"][h1].value == Decimal("100.0")
    assert rows["营业班"].values["exams"][h1].value == Decimal("0.0")
    assert rows["城东分公司"].values["exams"][h1].value == Decimal("50.0")
    # two people, two required types each; only 张三 holds one, valid from 2026-03-01
    assert rows["城东分公司"].values["certified"][h1].value == Decimal("25.0")
    assert rows["城东分公司"].values["certified"][0].value == Decimal("0.0")  # 2025H1: not issued yet
    # hours: 12.5 earned of 2 × 20 planned in 2026H1
    assert rows["城东分公司"].values["hours"][h1].value == Decimal("31.3")
    assert rows["城东分公司"].values["hours"][h1].colour == "red"
    assert rows["抢修一班"].values["points"][h1].value == Decimal("5.0")
    ranked = [(row.department.name, score) for row, score in board.teams]
    assert ranked[0][0] == "抢修一班"


def test_thresholds_colour_the_cells(db):
    limits = {"green": 90, "amber": 75}
    assert readiness.colour_of(Decimal(90), limits) == "green"
    assert readiness.colour_of(Decimal("89.9"), limits) == "amber"
    assert readiness.colour_of(Decimal(10), limits) == "red"
    assert readiness.colour_of(None, limits) == ""


def test_people_rows_end_the_drill_down(db):
    branch, team_a, team_b, person, other = _org(db)
    admin = factories.user(grants=[("admin", None)])
    rows = readiness.people_rows(admin, branch, parse_period("2026H1", NOW), NOW)
    by_name = {row.employee.name: row for row in rows}
    assert by_name["张三"].current("certified").value == Decimal("50.0")
    assert by_name[other.name].current("exams").value == Decimal("0.0")


def test_dashboard_page_trend_drill_down_and_export(client, db, login):
    branch, team_a, team_b, person, other = _org(db)
    login("hr", scope=branch)
    page = client.get(f"/reports/readiness?unit={branch.id}&kind=quarter")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("<svg") >= 5 and "polyline" in text
    assert f"/reports/readiness?unit={team_a.id}" in text.replace("&amp;", "&")
    assert "综合得分" in text
    people = client.get(f"/reports/readiness/people?unit={team_a.id}&period=2026H1").get_data(as_text=True)
    assert f"/reports/people/{person.employee.id}/sheet" in people
    export = client.get(f"/reports/readiness.xlsx?unit={branch.id}&kind=half")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "城东分公司" and len(rows) == 4


def test_units_outside_scope_are_404(client, db, login):
    branch, *_rest = _org(db)
    login("hr", scope=factories.department(kind="branch"))
    assert client.get(f"/reports/readiness?unit={branch.id}").status_code == 404
    assert client.get(f"/reports/readiness/people?unit={branch.id}").status_code == 404
    assert client.get(f"/reports/readiness.xlsx?unit={branch.id}").status_code == 404


def test_only_admins_set_thresholds(client, db, login):
    login("admin")
    response = client.post(
        "/reports/readiness/settings", data={"exams_green": "80", "exams_amber": "60", "exams_weight": "50"}
    )
    assert response.status_code == 302
    assert readiness.thresholds()["exams"] == {"green": 80.0, "amber": 60.0}
    assert readiness.team_weights() == {"exams": 50}


def test_hr_cannot_change_thresholds(client, db, login):
    login("hr")
    assert client.get("/reports/readiness/settings").status_code == 403


def test_trend_dates(db):
    assert dt.date(2026, 7, 1) == parse_period("2026H2", NOW).first
