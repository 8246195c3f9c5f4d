"""The public certificate check: anyone holding a certificate's code (its printed QR code) sees its status."""

from __future__ import annotations

from flask import render_template

from core.auth import public
from core.extensions import limiter
from core.models import utcnow
from training.certificates import certificate_by_code, public_view
from training.views import verify_bp


@verify_bp.get("/verify/<code>")
@public
@limiter.limit("30 per minute")
def verify(code: str):
    cert = certificate_by_code(code)
    if cert is None:
        return render_template("training/verify.html", view=None), 404
    return render_template("training/verify.html", view=public_view(cert, utcnow()))
