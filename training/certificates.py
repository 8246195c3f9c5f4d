"""Issued certificates: a generic, immutable store of PDF certificates with public verification.

Other packages issue through ``issue_certificate`` / ``issue_certificates`` (kinds: qualification,
training_completion, commendation). A certificate is rendered once, at issue, through ``core.pdf``;
its bytes and sha256 never change. A reissue is a new version of the same series and supersedes the
old one; revoking shows on the public verify page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

import segno
from flask import current_app
from sqlalchemy import select

from accounts.models import Employee
from core import audit
from core.audit import suppress_automatic
from core.extensions import db
from core.i18n import gettext as _
from core.pdf import render_pages
from core.timeutil import local_date
from training import notices
from training.errors import CertificateError
from training.expiry import ExpiryStatus, expiry_status
from training.models import Certificate, CertificateKind

# Pages laid out per WeasyPrint document in a bulk issue (bounded memory, one font cut per chunk).
BULK_CHUNK = 200

# Printed on the certificate (a Chinese document whatever the UI language).
PDF_HEADINGS = {
    CertificateKind.QUALIFICATION: "资格证书",
    CertificateKind.TRAINING_COMPLETION: "培训合格证书",
    CertificateKind.COMMENDATION: "荣誉证书",
}


class VerifyStatus:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@dataclass
class CertificateSpec:
    """What one certificate says; ``source_key`` makes issuing it idempotent."""

    kind: str
    employee: Employee
    title: str
    number: str
    issued_on: dt.date
    expires_on: dt.date | None
    issuer: str
    source_key: str
    extra: dict | None = field(default=None)


def verify_url(code: str) -> str:
    """The public address printed in the QR code."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/verify/" + code


def new_verification_code() -> str:
    """A unique, unguessable code (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def _page_context(cert: Certificate) -> dict:
    # A fixed mask: segno's search for the best of 8 masks cost ~20 ms per code, more than laying out
    # the page; every mask gives a valid code, and these short URLs scan fine with mask 1.
    qr = segno.make(verify_url(cert.verification_code), error="m", micro=False, mask=1)
    return {
        "cert": cert,
        "heading": PDF_HEADINGS.get(CertificateKind(cert.kind), "证书"),
        "employee": cert.employee,
        "qr": qr.png_data_uri(scale=6, border=2),
        "verify_url": verify_url(cert.verification_code),
    }


def _render(certificates: Sequence[Certificate]) -> None:
    """Render the PDFs of ``certificates`` in one layout pass and store bytes and sha256."""
    for start in range(0, len(certificates), BULK_CHUNK):
        chunk = certificates[start : start + BULK_CHUNK]
        # No request context needed (CLI, jobs): render the template without context processors.
        template = current_app.jinja_env.get_template("training/pdf/certificates.html")
        html = template.render(pages=[_page_context(c) for c in chunk])
        pdfs = render_pages(html)
        if len(pdfs) != len(chunk):
            raise CertificateError(_("The certificate layout must fit on one page."))
        for cert, pdf in zip(chunk, pdfs, strict=True):
            cert.pdf = pdf
            cert.sha256 = hashlib.sha256(pdf).hexdigest()


def _existing(source_keys: Sequence[str]) -> dict[str, Certificate]:
    found: dict[str, Certificate] = {}
    keys = list(source_keys)
    for start in range(0, len(keys), 500):
        for cert in db.session.scalars(
            select(Certificate).where(Certificate.source_key.in_(keys[start : start + 500]))
        ):
            found[cert.source_key] = cert
    return found


def _build(spec: CertificateSpec, now: dt.datetime, *, series_key=None, version=1) -> Certificate:
    if spec.kind not in {k.value for k in CertificateKind}:
        raise CertificateError(_("Unknown certificate kind %(kind)s.", kind=spec.kind))
    if spec.expires_on is not None and spec.expires_on < spec.issued_on:
        raise CertificateError(_("The expiry date is before the issue date."))
    return Certificate(
        kind=spec.kind,
        employee=spec.employee,
        employee_id=spec.employee.id,
        title=spec.title,
        number=spec.number,
        issued_on=spec.issued_on,
        expires_on=spec.expires_on,
        issuer=spec.issuer,
        verification_code=new_verification_code(),
        source_key=spec.source_key,
        series_key=series_key or spec.source_key,
        version=version,
        extra=spec.extra,
        issued_at=now,
    )


def issue_certificate(
    kind: str,
    employee: Employee,
    *,
    title: str,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
    issuer: str,
    source_key: str,
    now: dt.datetime,
    extra: dict | None = None,
) -> Certificate:
    """Issue (render and store) one certificate; issuing the same ``source_key`` again returns the first."""
    spec = CertificateSpec(kind, employee, title, number, issued_on, expires_on, issuer, source_key, extra)
    return issue_certificates([spec], now=now)[0]


def issue_certificates(specs: Sequence[CertificateSpec], *, now: dt.datetime) -> list[Certificate]:
    """Issue many certificates in one layout pass (bulk: every passer of an exam, every completer of a
    session); already-issued source keys are returned as they are. One audit entry for the batch."""
    existing = _existing([s.source_key for s in specs])
    new: list[Certificate] = []
    result: list[Certificate] = []
    seen: dict[str, Certificate] = {}
    for spec in specs:
        cert = existing.get(spec.source_key) or seen.get(spec.source_key)
        if cert is None:
            cert = _build(spec, now)
            seen[spec.source_key] = cert
            new.append(cert)
        result.append(cert)
    if new:
        _render(new)
        with suppress_automatic(db.session):
            db.session.add_all(new)
            db.session.flush()
        audit.record(
            "certificate.issued",
            new[0] if len(new) == 1 else None,
            count=len(new),
            kinds=sorted({c.kind for c in new}),
            ids=[c.id for c in new][:50],
        )
        notices.certificates_issued(new, now=now)
    return result


def reissue_certificate(
    cert: Certificate,
    *,
    now: dt.datetime,
    title: str | None = None,
    number: str | None = None,
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = ...,  # type: ignore[assignment]
    issuer: str | None = None,
) -> Certificate:
    """A new version of ``cert`` (corrected or renewed); the old version is marked superseded."""
    if cert.superseded_at is not None:
        raise CertificateError(_("Only the current version of a certificate can be reissued."), status=409)
    if cert.revoked_at is not None:
        raise CertificateError(_("A revoked certificate cannot be reissued."), status=409)
    version = cert.version + 1
    spec = CertificateSpec(
        cert.kind,
        cert.employee,
        title or cert.title,
        number or cert.number,
        issued_on or cert.issued_on,
        cert.expires_on if expires_on is ... else expires_on,
        issuer or cert.issuer,
        f"{cert.series_key}#v{version}",
        cert.extra,
    )
    new = _build(spec, now, series_key=cert.series_key, version=version)
    _render([new])
    db.session.add(new)
    db.session.flush()
    cert.superseded_at = now
    cert.superseded_by = new
    db.session.flush()
    notices.certificates_issued([new], now=now)
    return new


def revoke_certificate(cert: Certificate, reason: str, *, now: dt.datetime) -> None:
    """Revoke a certificate (the verify page then says so); a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give a reason for revoking."))
    if cert.revoked_at is None:
        cert.revoked_at = now
        cert.revoke_reason = reason[:300]
        db.session.flush()


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, or None."""
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))


def current_version(cert: Certificate) -> Certificate:
    """The newest version in ``cert``'s series."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.series_key == cert.series_key)
        .order_by(Certificate.version.desc())
        .limit(1)
    )


def certificate_status(cert: Certificate, today: dt.date) -> str:
    """valid / expiring / expired / revoked / superseded on ``today``."""
    if cert.revoked_at is not None:
        return VerifyStatus.REVOKED
    if cert.superseded_at is not None:
        return VerifyStatus.SUPERSEDED
    status = expiry_status(cert.expires_on, today)
    return {
        ExpiryStatus.VALID: VerifyStatus.VALID,
        ExpiryStatus.EXPIRING: VerifyStatus.EXPIRING,
        ExpiryStatus.EXPIRED: VerifyStatus.EXPIRED,
    }[status]


def public_view(cert: Certificate, now: dt.datetime) -> dict:
    """Only what the public verify page may show: name, type, number, dates and status.

    No employee number, ID number or department: the page is open to anyone holding the code."""
    today = local_date(now)
    status = certificate_status(cert, today)
    view = {
        "name": cert.employee.name,
        "kind": cert.kind,
        "title": cert.title,
        "number": cert.number,
        "issued_on": cert.issued_on,
        "expires_on": cert.expires_on,
        "issuer": cert.issuer,
        "status": status,
        "version": cert.version,
        "current_code": None,
    }
    if status == VerifyStatus.SUPERSEDED:
        newest = current_version(cert)
        if newest is not None and newest.id != cert.id:
            view["current_code"] = newest.verification_code
    return view


def holder_certificates(employee: Employee) -> list[Certificate]:
    """Every certificate of ``employee``, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.employee_id == employee.id)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )
