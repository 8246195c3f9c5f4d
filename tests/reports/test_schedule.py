"""Scheduled reports reach a real SMTP server once per period and recipient, also with two workers racing;
a failed send is retried by the next run; admins see deliveries and resend one."""

from __future__ import annotations

import datetime as dt
import email
import threading

from sqlalchemy import select

from core.extensions import db as _db
from core.notifications import Notification
from reports.models import ReportDelivery
from reports.schedule import send_due_reports, subscribe
from tests import factories
from tests.reports.conftest import free_port

DEC = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)  # reports November and (quarterly) the third quarter
JAN = dt.datetime(2027, 1, 3, 1, 0, tzinfo=dt.UTC)


def _hr(branch, n=""):
    return factories.user(grants=[("hr", branch)], email=f"hr{n}@example.test")


def test_one_report_per_period_and_recipient(app, db, smtp_server):
    branch = factories.department("城北分公司", kind="branch")
    factories.employee(department=factories.department(parent=branch))
    hr = _hr(branch)
    subscribe(hr, branch, "monthly")
    db.session.commit()
    assert send_due_reports(DEC) == {"sent": 1, "failed": 0, "skipped": 0}
    assert send_due_reports(DEC) == {"sent": 0, "failed": 0, "skipped": 1}  # the job run again
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["hr@example.test"]
    message = email.message_from_bytes(envelope.content)
    assert "城北分公司" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    (attachment,) = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert f"/reports/readiness?unit={branch.id}".encode() in body
    notices = db.session.scalars(select(Notification).where(Notification.kind == "reports.scheduled")).all()
    assert [n.user_id for n in notices] == [hr.id]
    assert send_due_reports(JAN)["sent"] == 1  # December's report, the next period
    assert len(smtp_server.messages) == 2


def test_a_failed_send_is_retried_by_the_next_run(app, db, smtp_server):
    branch = factories.department(kind="branch")
    hr = _hr(branch)
    subscribe(hr, branch, "quarterly")
    db.session.commit()
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nobody listens there
    assert send_due_reports(DEC)["failed"] == 1
    delivery = db.session.scalars(select(ReportDelivery)).one()
    assert delivery.status == "failed" and delivery.error
    app.config["SMTP_PORT"] = port
    assert send_due_reports(DEC)["sent"] == 1
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.period) == ("sent", 2, "2026Q3")
    assert len(smtp_server.messages) == 1


def test_two_workers_send_each_report_once(app, committed_db, smtp_server):
    branch = factories.department(kind="branch")
    for n in range(4):
        subscribe(_hr(branch, n), branch, "monthly")
    _db.session.commit()
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                results.append(send_due_reports(DEC))
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sum(r["sent"] for r in results) == 4
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [f"hr{n}@example.test" for n in range(4)]
    assert len(_db.session.scalars(select(ReportDelivery)).all()) == 4


def test_admin_sees_deliveries_and_resends(app, client, db, login, smtp_server):
    branch = factories.department(kind="branch")
    subscribe(_hr(branch), branch, "monthly")
    db.session.commit()
    send_due_reports(DEC)
    login("admin")
    page = client.get("/reports/subscriptions/deliveries").get_data(as_text=True)
    main = page[page.find("<main") :]
    assert "已发送" in main and "2026年11月" in main, main[:2500]
    delivery = db.session.scalars(select(ReportDelivery)).one()
    assert client.post(f"/reports/subscriptions/deliveries/{delivery.id}/resend").status_code == 302
    assert len(smtp_server.messages) == 2
    db.session.refresh(delivery)
    assert delivery.status == "sent" and delivery.attempts == 1


def test_hr_subscribes_only_in_scope(client, db, login):
    branch = factories.department(kind="branch")
    login("hr", scope=branch)
    other = factories.department(kind="branch")
    assert (
        client.post("/reports/subscriptions", data={"unit": other.id, "frequency": "monthly"}).status_code
        == 404
    )
    assert (
        client.post("/reports/subscriptions", data={"unit": branch.id, "frequency": "monthly"}).status_code
        == 302
    )
