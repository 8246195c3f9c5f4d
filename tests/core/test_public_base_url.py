"""Issue 25 §6: the certificate's QR carries the configured public address, and a production start
without PUBLIC_BASE_URL warns loudly (in the log at start-up and on the administrator's dashboard)."""

import datetime as dt
import logging
import os

import segno

from core import create_app
from tests import factories
from training.certificates import CertificateSpec, _page_context, issue_certificates
from training.models import CertificateKind


def _app(monkeypatch, tmp_path, **config):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "INSTANCE_DIR": str(tmp_path), **config}
    )


def test_production_start_without_public_base_url_warns(monkeypatch, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        app = _app(monkeypatch, tmp_path)
    assert app.config["PUBLIC_BASE_URL_MISSING"]
    assert any("PUBLIC_BASE_URL" in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


def test_configured_or_testing_start_does_not_warn(monkeypatch, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        configured = _app(monkeypatch, tmp_path, PUBLIC_BASE_URL="https://px.example.cn")
        testing = _app(monkeypatch, tmp_path, TESTING=True)
    assert not configured.config["PUBLIC_BASE_URL_MISSING"] and not testing.config["PUBLIC_BASE_URL_MISSING"]
    assert not any("PUBLIC_BASE_URL" in r.getMessage() for r in caplog.records)
    assert "PUBLIC_BASE_URL" not in os.environ


def test_the_admin_dashboard_shows_the_missing_address(app, client, db, login):
    login("admin")
    app.config["PUBLIC_BASE_URL_MISSING"] = True
    try:
        html = client.get("/").get_data(as_text=True)
    finally:
        app.config["PUBLIC_BASE_URL_MISSING"] = False
    assert "PUBLIC_BASE_URL" in html and 'data-card="core.public_url"' in html
    assert 'data-card="core.public_url"' not in client.get("/").get_data(as_text=True)


def test_the_certificate_qr_carries_the_configured_address(app, db):
    app.config["PUBLIC_BASE_URL"] = "https://px.example.cn:8443/"
    try:
        spec = CertificateSpec(
            CertificateKind.TRAINING_COMPLETION,
            factories.employee(),
            "配网安全培训",
            "PX-1",
            dt.date(2026, 6, 1),
            None,
            "培训中心",
            "test:qr",
        )
        [cert] = issue_certificates([spec], now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
        page = _page_context(cert)
    finally:
        app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    expected = f"https://px.example.cn:8443/verify/{cert.verification_code}"
    assert page["verify_url"] == expected
    # the picture is the QR code of exactly that address (segno is deterministic for a fixed mask)
    assert page["qr"] == segno.make(expected, error="m", micro=False, mask=1).png_data_uri(scale=6, border=2)
    assert page["qr"] != segno.make(
        f"http://127.0.0.1:5000/verify/{cert.verification_code}", error="m", micro=False, mask=1
    ).png_data_uri(scale=6, border=2)
