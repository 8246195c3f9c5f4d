"""The monthly service-indicator import: dry run with row-level errors, all or nothing, a month re-imported
replaces it, one audit entry per import, the indicators shown on the sheet."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from sqlalchemy import select

from core.audit import AuditEntry
from core.spreadsheets import write_xlsx
from reports.models import ServiceIndicator
from tests import factories

HEADER = ["工号", "姓名", "工单处理量", "满意度（%）", "投诉", "表扬"]


def _upload(client, rows, month="2026-07"):
    data = write_xlsx(HEADER, rows)
    return client.post(
        "/reports/indicators",
        data={"month": month, "file": (io.BytesIO(data), "指标.xlsx")},
        content_type="multipart/form-data",
    )


def _confirm(client, preview):
    html = preview.get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)[1]
    return client.post("/reports/indicators/confirm", data={"token": token, "month": "2026-07"})


def _month_rows(db):
    return db.session.scalars(
        select(ServiceIndicator)
        .where(ServiceIndicator.month == dt.date(2026, 7, 1))
        .order_by(ServiceIndicator.id)
    ).all()


def test_dry_run_lists_every_problem_and_saves_nothing(client, db, login):
    branch = factories.department(kind="branch")
    a = factories.employee(department=branch)
    outsider = factories.employee(department=factories.department(kind="branch"))
    login("hr", scope=branch)
    response = _upload(
        client,
        [
            [a.employee_no, "", "abc", "98", "0", "1"],
            [outsider.employee_no, "", "10", "101", "0", "0"],
            ["NOBODY", "", "10", "90", "-1", "0"],
        ],
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "第 2 行" in text and "第 3 行" in text and "第 4 行" in text
    assert "整数" in text and "0 到 100" in text and "管辖范围" in text
    assert _month_rows(db) == []


def test_import_then_reimport_replaces_the_month(client, db, login):
    branch = factories.department(kind="branch")
    a, b = factories.employee(department=branch), factories.employee(department=branch)
    login("hr", scope=branch)
    preview = _upload(
        client, [[a.employee_no, "", "120", "98.5", "0", "2"], [b.employee_no, "", "80", "", "1", "0"]]
    )
    assert preview.status_code == 200
    assert _month_rows(db) == []  # a dry run only
    assert _confirm(client, preview).status_code == 302
    assert [(r.employee_id, r.work_orders, r.satisfaction) for r in _month_rows(db)] == [
        (a.id, 120, Decimal("98.5")),
        (b.id, 80, None),
    ]
    again = _upload(client, [[b.employee_no, "", "90", "0.95", "0", "0"]])
    assert "已有 2 条" in again.get_data(as_text=True)
    _confirm(client, again)
    rows = _month_rows(db)
    assert [(r.employee_id, r.work_orders, r.satisfaction) for r in rows] == [(b.id, 90, Decimal("95.0"))]
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "report.indicators_imported")
    ).all()
    assert [(e.details["rows"], e.details["replaced"]) for e in entries] == [(2, 0), (1, 2)]
    sheet = client.get(f"/reports/people/{b.id}/sheet?period=2026H2").get_data(as_text=True)
    assert 'data-testid="work-orders">90<' in sheet


def test_only_hr_imports(app, client, db, login):
    login("trainer")
    assert client.get("/reports/indicators").status_code == 403
    hr = app.test_client()
    user = factories.user(grants=[("hr", None)])
    hr.post("/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD})
    page = hr.get("/reports/indicators")
    assert page.status_code == 200 and "满意度" in page.get_data(as_text=True)
