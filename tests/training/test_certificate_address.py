"""The certificate PDF prints its verification address in text beside the QR code (for whoever cannot scan)."""

from __future__ import annotations

import datetime as dt
import io

import pypdf

from tests import factories
from training.certificates import issue_certificate, verify_url

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def test_the_address_is_printed_in_text(app, db):
    cert = issue_certificate(
        "qualification",
        factories.employee(name="王小明"),
        title="低压电工作业证",
        number="DG-2026-0001",
        issued_on=dt.date(2026, 6, 1),
        expires_on=None,
        issuer="培训中心",
        source_key="test:address",
        now=NOW,
    )
    (page,) = pypdf.PdfReader(io.BytesIO(cert.pdf)).pages
    text = page.extract_text().replace(" ", "").replace("\n", "")
    assert verify_url(cert.verification_code) in text
    assert "无法扫码时请访问" in text
