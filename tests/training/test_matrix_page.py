"""The 持证上岗 matrix answers HR's questions: filter by position, search by name, expiry dates in the cells
and the export, names linked to the person, certificates to their PDF, the expiry window stated."""

import datetime as dt
import io

import openpyxl

from core.timeutil import local_date
from tests import factories
from tests.training import factories as tf
from training import qualifications as quals


def _setup(client):
    today = local_date(dt.datetime.now(dt.UTC))
    counter, electrician = factories.position("营业厅柜员"), factories.position("配电线路工")
    ctype = tf.certificate_type(months=12, positions=[counter, electrician], name="营业厅服务资格")
    dept = factories.department("营业班")
    held = factories.employee(department=dept, position=counter, name="柳青青")
    other = factories.employee(department=dept, position=electrician, name="石磊")
    with client.application.test_request_context():
        record = quals.grant_qualification(
            held, ctype, source_key="matrix-page", issued_on=today - dt.timedelta(days=300), now=tf.NOW
        )
    return held, other, ctype, record


def test_filter_search_links_dates_and_window(app, db, client, login):
    held, other, ctype, record = _setup(client)
    login("hr")
    page = client.get("/training/matrix?only=all").get_data(as_text=True)
    assert "90天内到期" in page
    row = page[page.index(f'data-employee="{held.employee_no}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/reports/people/{held.id}/sheet"' in row  # HR: the name opens the assessment sheet
    assert f"/training/certificates/{record.certificate_id}.pdf" in row
    assert record.expires_on.isoformat() in row
    by_position = client.get(f"/training/matrix?only=all&position={held.position_id}").get_data(as_text=True)
    assert held.employee_no in by_position and other.employee_no not in by_position
    by_name = client.get("/training/matrix?only=all&q=石磊").get_data(as_text=True)
    assert other.employee_no in by_name and held.employee_no not in by_name


def test_the_export_carries_the_expiry_date(app, db, client, login):
    held, _other, ctype, record = _setup(client)
    login("hr")
    data = client.get(f"/training/matrix.xlsx?position={held.position_id}").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index(ctype.name)
    line = next(r for r in rows if r[0] == held.employee_no)
    assert record.expires_on.isoformat() in line[column] and "到期" in line[column]
    assert all(r[0] != _other.employee_no for r in rows[1:])
