"""Commendation certificates (荣誉证书) for service stars, issued into training's verifiable certificate
store (kind ``commendation``): rendered once through ``core.pdf``, stored with its sha256 and checked by
anyone at /verify/<code>. The citation itself is shown on the honour roll and kept in ``extra``."""

from __future__ import annotations

import datetime as dt

from core.timeutil import local_date
from incentives.models import StarNomination
from incentives.periods import Period
from training.certificates import issue_certificate
from training.models import CertificateKind


def certificate_title(nomination: StarNomination) -> str:
    """What the certificate names, e.g. 95598客户服务中心服务之星（2026年第3季度）."""
    selection = nomination.selection
    period = Period(selection.period_kind, selection.period_start, selection.period_end)
    return f"{selection.unit.name}服务之星（{period.label_zh}）"


def issue_commendation(nomination: StarNomination, now: dt.datetime) -> StarNomination:
    """Issue the certificate of a published star (once: the source key names the nomination)."""
    if nomination.certificate_id is not None:
        return nomination
    selection = nomination.selection
    period = Period(selection.period_kind, selection.period_start, selection.period_end)
    nomination.certificate = issue_certificate(
        CertificateKind.COMMENDATION,
        nomination.employee,
        title=certificate_title(nomination),
        number=f"FWZX-{period.token}-{nomination.id:05d}",
        issued_on=local_date(now),
        expires_on=None,
        issuer=selection.unit.name,
        source_key=f"star-nomination:{nomination.id}",
        now=now,
        extra={"citation": nomination.citation, "unit_id": selection.unit_id, "period": period.token},
    )
    return nomination
