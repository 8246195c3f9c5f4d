"""Commendation certificates (表彰证书) for service stars: a PDF through ``core.pdf``, stored under
UPLOAD_DIR with its SHA-256 and a verification code that anyone can check at /incentives/verify/<code>.

Interim: the training package is building the shared verifiable-certificate store (kind
``commendation``); until the lead switches this module to it, certificates live here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import segno
from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.pdf import render_pdf
from incentives.ledger import default_locale
from incentives.models import StarNomination
from incentives.periods import Period
from incentives.services import sha256_of

# No look-alike characters, so a code read off paper can be typed.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    while True:
        code = "GRS-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        if not db.session.scalar(select(StarNomination.id).where(StarNomination.certificate_code == code)):
            return code


def verify_url(code: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/incentives/verify/{code}"


def certificate_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "incentives" / "commendations"


def render_commendation(nomination: StarNomination, code: str, issued_at: dt.datetime) -> bytes:
    """The PDF of one commendation certificate."""
    selection = nomination.selection
    period = Period(selection.period_kind, selection.period_start, selection.period_end)
    url = verify_url(code)
    # The template is rendered directly (no request context processors): certificates are also issued
    # from CLI commands and jobs, and printed in the site's default language.
    with default_locale():
        html = current_app.jinja_env.get_template("incentives/commendation_pdf.html").render(
            nomination=nomination,
            selection=selection,
            period=period,
            code=code,
            url=url,
            qr=segno.make(url, error="m").svg_data_uri(scale=3),
            issued_at=issued_at,
        )
    return render_pdf(html)


def issue_commendation(nomination: StarNomination, now: dt.datetime) -> StarNomination:
    """Render, store and register the certificate of a published star (once)."""
    if nomination.certificate_code:
        return nomination
    code = new_code()
    pdf = render_commendation(nomination, code, now)
    root = certificate_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    (root / name).write_bytes(pdf)
    nomination.certificate_code = code
    nomination.certificate_path = f"incentives/commendations/{name}"
    nomination.certificate_sha256 = sha256_of(pdf)
    nomination.certificate_issued_at = now
    db.session.flush()
    return nomination


def certificate_file(nomination: StarNomination) -> Path | None:
    if not nomination.certificate_path:
        return None
    base = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (base / nomination.certificate_path).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None
