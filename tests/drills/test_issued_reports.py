"""An issued evaluation report stays as it was issued: downloads serve the stored PDF, and only a
re-issue makes a new version, with its own date and hash, that names the version it supersedes."""

import datetime as dt
import hashlib
import io

from pypdf import PdfReader

from core.extensions import db
from drills import assessment, improvement
from drills.evaluation_models import IssuedReport
from tests.drills.factories import evaluating_drill, evaluator_forms, rate_all


def _reported_drill():
    drill = evaluating_drill()
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P", overrides={"B3": "M"})
    drill.summary = "演练总体有序。"
    improvement.draft_findings(drill, drill.ends_at)
    assessment.issue_report(drill, drill.ends_at + dt.timedelta(days=3))
    db.session.commit()
    return drill


def _text(pdf: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_report_downloaded_twice_around_a_new_finding_is_identical_until_reissued(client, login):
    drill = _reported_drill()
    login("admin")
    first = client.get(f"/drills/{drill.id}/report.pdf").data
    improvement.add_finding(
        drill,
        kind="improvement",
        severity="deficiency",
        element="people",
        title="事后补记的不足项",
        now=drill.ends_at + dt.timedelta(days=20),
    )
    db.session.commit()
    second = client.get(f"/drills/{drill.id}/report.pdf").data
    assert second == first
    assert "事后补记的不足项" not in _text(second)

    page = client.get(f"/drills/{drill.id}")
    assert hashlib.sha256(first).hexdigest()[:12] in page.get_data(as_text=True)
    response = client.post(f"/drills/{drill.id}/reissue-report", data={"reason": "补记一项不足"})
    assert response.status_code == 302
    third = client.get(f"/drills/{drill.id}/report.pdf").data
    assert third != first
    text = _text(third)
    assert "事后补记的不足项" in text and "第2版" in text and "取代第1版" in text and "补记一项不足" in text
    v1, v2 = db.session.query(IssuedReport).filter_by(drill_id=drill.id).order_by(IssuedReport.version)
    assert (v2.version, v2.supersedes_id) == (2, v1.id)
    assert v2.issued_at > v1.issued_at and v2.sha256 == hashlib.sha256(third).hexdigest()
    assert client.get(f"/drills/{drill.id}/report.pdf?version=1").data == first


def test_reissue_needs_a_reason_and_an_issued_report(client, login):
    drill = _reported_drill()
    login("admin")
    client.post(f"/drills/{drill.id}/reissue-report", data={"reason": " "})
    assert db.session.query(IssuedReport).filter_by(drill_id=drill.id, version=2).first() is None


def test_issuing_the_report_stores_version_1_at_once(client, login):
    drill = evaluating_drill()
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P")
    drill.summary = "演练总体有序。"
    db.session.commit()
    login("admin")
    assert client.post(f"/drills/{drill.id}/issue-report").status_code == 302
    db.session.expire_all()
    issued = db.session.query(IssuedReport).filter_by(drill_id=drill.id).one()
    assert issued.version == 1 and issued.issued_at == drill.reported_at
    assert issued.sha256 == hashlib.sha256(issued.pdf).hexdigest()
    assert client.get(f"/drills/{drill.id}/report.pdf").data == issued.pdf
