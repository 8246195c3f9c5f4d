"""Training pages: verify page, certificate PDFs and their access, uploads, QR check-in, role matrix."""

import datetime as dt
import io

import pypdf
import pytest

from core.auth import Role
from tests import factories
from tests.access import assert_access
from tests.training import factories as tf
from training import course_sessions
from training import qualifications as quals
from training.certificates import issue_certificate, reissue_certificate, revoke_certificate

TODAY = dt.date.today()


def _cert(employee, *, expires_on, key):
    return issue_certificate(
        "qualification",
        employee,
        title="客户服务专员岗位资格",
        number=f"KFZY-{key}",
        issued_on=TODAY - dt.timedelta(days=400),
        expires_on=expires_on,
        issuer="培训中心",
        source_key=key,
        now=tf.NOW,
    )


@pytest.fixture
def holder(db):
    return factories.employee(name="赵志刚", national_id=factories.national_id(), employee_no="KF777")


def test_verify_valid_expired_revoked_superseded_and_unknown(client, db, holder):
    valid = _cert(holder, expires_on=TODAY + dt.timedelta(days=200), key="v1")
    expired = _cert(holder, expires_on=TODAY - dt.timedelta(days=1), key="v2")
    revoked = _cert(holder, expires_on=TODAY + dt.timedelta(days=200), key="v3")
    old = _cert(holder, expires_on=TODAY + dt.timedelta(days=200), key="v4")
    with client.application.test_request_context():
        revoke_certificate(revoked, "证书信息有误", now=tf.NOW)
        new = reissue_certificate(old, now=tf.NOW, expires_on=TODAY + dt.timedelta(days=900))
    db.session.flush()
    for cert, status in (
        (valid, "valid"),
        (expired, "expired"),
        (revoked, "revoked"),
        (old, "superseded"),
        (new, "valid"),
    ):
        page = client.get(f"/verify/{cert.verification_code}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert f'data-status="{status}"' in text
        assert "赵志刚" in text and cert.number in text
        # no employee number, national ID or department on the public page
        assert "KF777" not in text and holder.national_id not in text and holder.department.name not in text
    assert new.verification_code in client.get(f"/verify/{old.verification_code}").get_data(as_text=True)
    unknown = client.get("/verify/no-such-code-at-all")
    assert unknown.status_code == 404 and 'data-status="not-found"' in unknown.get_data(as_text=True)


def test_pdf_holds_name_and_number_as_text_and_others_get_404(client, db, login):
    user = login()
    cert = _cert(user.employee, expires_on=TODAY + dt.timedelta(days=300), key="pdf1")
    response = client.get(f"/training/certificates/{cert.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    text = page.extract_text()
    assert user.employee.name in text and cert.number in text and user.employee.employee_no in text
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    other = _cert(factories.employee(), expires_on=None, key="pdf2")
    assert client.get(f"/training/certificates/{other.id}.pdf").status_code == 404


def test_hr_scope_on_certificates(app, db):
    inside, outside = factories.department(), factories.department()
    cert_in = _cert(factories.employee(department=inside), expires_on=None, key="s1")
    cert_out = _cert(factories.employee(department=outside), expires_on=None, key="s2")
    hr = factories.user(grants=[(Role.HR, inside)])
    client = app.test_client()
    client.post("/login", data={"employee_no": hr.employee.employee_no, "password": factories.PASSWORD})
    assert client.get(f"/training/certificates/{cert_in.id}.pdf").status_code == 200
    assert client.get(f"/training/certificates/{cert_out.id}.pdf").status_code == 404


def test_qr_checkin_only_for_enrolled_signed_in_employees(app, client, db, login):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    s = tf.session(start=start)
    url = f"/training/checkin/{s.id}/{s.checkin_token}"
    assert app.test_client().post(url).status_code == 302  # anonymous → sign-in
    user = login()
    refused = client.post(url)
    assert (
        refused.status_code == 403
        and "not enrolled" in refused.get_data(as_text=True).lower()
        or "未报名" in refused.get_data(as_text=True)
    )
    with app.test_request_context():
        course_sessions.self_enrol(s, user.employee, now=start - dt.timedelta(hours=1))
    db.session.flush()
    assert client.post(f"/training/checkin/{s.id}/wrong-token").status_code == 404
    ok = client.post(url)
    assert ok.status_code == 200 and 'data-checkin="ok"' in ok.get_data(as_text=True)


def test_uploads_refuse_wrong_type_and_oversize(client, db, login, monkeypatch):
    login(role="trainer")
    course = tf.course()
    bad = client.post(
        f"/training/courses/{course.id}/materials",
        data={"title": "x", "file": (io.BytesIO(b"MZ\x90\x00 not allowed"), "slides.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    monkeypatch.setattr("training.views.authoring.MATERIAL_MAX_BYTES", 100)
    big = client.post(
        f"/training/courses/{course.id}/materials",
        data={"title": "x", "file": (io.BytesIO(b"%PDF-1.7" + b"0" * 200), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 400
    monkeypatch.setattr("training.views.authoring.MATERIAL_MAX_BYTES", 10_000)
    good = client.post(
        f"/training/courses/{course.id}/materials",
        data={"title": "讲义", "file": (io.BytesIO(b"%PDF-1.7\n" + b"0" * 200), "../../etc/passwd.pdf")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert len(course.materials) == 1
    stored = course.materials[0].file
    assert stored.stored_name.endswith(".pdf") and "passwd" not in stored.stored_name
    download = client.get(f"/training/materials/{course.materials[0].id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()


def test_external_record_needs_a_valid_scan(client, db, login):
    login(role="hr")
    ctype = tf.certificate_type(months=72)
    emp = factories.employee()
    data = {
        "employee_no": emp.employee_no,
        "certificate_type": ctype.id,
        "number": "T1",
        "issued_on": "2024-01-01",
    }
    bad = client.post(
        "/training/qualifications/record",
        data={**data, "scan": (io.BytesIO(b"hello"), "scan.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and quals.current_record(emp, ctype) is None
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 50
    ok = client.post(
        "/training/qualifications/record",
        data={**data, "scan": (io.BytesIO(png), "scan.png")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    record = quals.current_record(emp, ctype)
    assert record.expires_on == dt.date(2029, 12, 31)
    # HR reading someone's scan is audited, and it downloads rather than opening inline.
    scan = client.get(f"/training/scans/{record.id}")
    assert scan.status_code == 200 and scan.data == png
    assert scan.headers["Content-Disposition"].startswith("attachment")
    scan.close()
    from sqlalchemy import select

    from core.audit import AuditEntry

    assert db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "qualification.scan_viewed", AuditEntry.object_id == str(record.id)
        )
    )


ALL = {"employee", "trainer", "hr", "admin"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/training/", ALL),
        ("/training/my/qualifications", ALL),
        ("/training/my/sessions.ics", ALL),
        ("/training/courses", ALL),
        ("/training/courses/new", {"trainer", "admin"}),
        ("/training/sessions/new", {"trainer", "admin"}),
        ("/training/plans", {"trainer", "hr", "admin"}),
        ("/training/coverage", {"trainer", "hr", "admin"}),
        ("/training/qualifications", {"hr", "admin"}),
        ("/training/qualifications/record", {"hr", "admin"}),
        ("/training/matrix", {"hr", "admin"}),
        ("/training/matrix.xlsx", {"hr", "admin"}),
    ],
)
def test_role_matrix(app, db, url, allowed):
    assert_access(app, url, allowed)


def test_plan_scope_for_trainers(app, db):
    unit, other = factories.department(), factories.department()
    from training import services

    with app.test_request_context():
        plan = services.create_plan(other, 2026, "year", "别的单位计划")
    scoped = factories.user(grants=[(Role.TRAINER, unit)])
    client = app.test_client()
    client.post("/login", data={"employee_no": scoped.employee.employee_no, "password": factories.PASSWORD})
    assert client.get(f"/training/plans/{plan.id}").status_code == 404
    assert "别的单位计划" not in client.get("/training/plans").get_data(as_text=True)
    assert_access(app, f"/training/plans/{plan.id}", {"trainer", "hr", "admin"})


def test_ics_has_sessions_in_shanghai_time(client, db, login):
    user = login()
    s = tf.session(start=dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC))
    with client.application.test_request_context():
        course_sessions.self_enrol(s, user.employee, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    db.session.flush()
    body = client.get("/training/my/sessions.ics").get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "TZID=Asia/Shanghai:20261201T140000" in body


def test_the_course_catalogue_names_each_course_format_in_words(client, db, login):
    tf.course(form="classroom", title="计量装置故障处理")
    login()
    page = client.get("/training/courses", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    row = page[page.index("计量装置故障处理") :]
    row = row[: row.index("</tr>")]
    assert "集中培训" in row and "classroom" not in row


def test_checkin_page_with_a_wrong_token_shows_nothing_of_the_session(app, client, db, login):
    """Any signed-in user guessing session ids learns nothing: no title, time or place without the token."""
    s = tf.session(start=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))
    s.title = "机密调度培训班"
    s.place = "三楼秘密会议室"
    db.session.flush()
    login()
    for method in (client.get, client.post):
        response = method(f"/training/checkin/{s.id}/any-token-at-all")
        page = response.get_data(as_text=True)
        assert response.status_code == 404
        assert s.title not in page and s.place not in page
    assert client.get(f"/training/checkin/{s.id}/{s.checkin_token}").status_code == 200


def test_checkin_page_opens_for_a_trainer_of_the_session_without_the_token(app, client, db, login):
    s = tf.session(start=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))
    login("trainer", scope=s.department)
    assert client.get(f"/training/checkin/{s.id}/not-the-token").status_code == 200


def test_uploads_are_named_after_what_they_are(client, db, login):
    """A PDF sent as slides.html is kept and offered as slides.pdf (material and certificate scan)."""
    login(role="hr", roles=["trainer", "hr"])
    pdf = b"%PDF-1.7\n" + b"0" * 200
    course = tf.course()
    response = client.post(
        f"/training/courses/{course.id}/materials",
        data={"title": "讲义", "file": (io.BytesIO(pdf), "slides.html")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    material = course.materials[0]
    assert material.file.original_name == "slides.pdf"
    download = client.get(f"/training/materials/{material.id}")
    assert (
        "slides.pdf" in download.headers["Content-Disposition"]
        and ".html" not in download.headers["Content-Disposition"]
    )
    download.close()
    emp = factories.employee()
    ctype = tf.certificate_type(months=72)
    response = client.post(
        "/training/qualifications/record",
        data={
            "employee_no": emp.employee_no,
            "certificate_type": ctype.id,
            "number": "T2",
            "issued_on": "2024-01-01",
            "scan": (io.BytesIO(pdf), "证书扫描.html"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    record = quals.current_record(emp, ctype)
    assert record.scan.original_name == "证书扫描.pdf"
    scan = client.get(f"/training/scans/{record.id}")
    assert (
        ".pdf" in scan.headers["Content-Disposition"] and ".html" not in scan.headers["Content-Disposition"]
    )
    scan.close()
