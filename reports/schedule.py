"""Scheduled reports: an HR user subscribes a unit to a monthly or quarterly readiness summary; the report of
the period that has just ended goes to each subscriber once, as an e-mail with the summary PDF attached and a
link to the dashboard, plus an in-app notice (``core.notifications.notify`` with a key: once per person).

**Once per period and recipient, with several workers and retries.** A delivery is claimed by inserting its
once-record (``ReportDelivery``, unique per subscription and period) in a transaction of its own before
anything is sent: a second worker, or the same job run again, finds the period taken and skips it. A failed
send is marked failed with the error and tried again by the next runs (at most ``MAX_ATTEMPTS``), each retry
claimed by an UPDATE that only one worker can win. A claim left "sending" for ``STALE_AFTER`` (a worker that
died mid-send) is claimed again; that is the one case where a recipient could get a second copy, chosen over
never sending. An admin may resend any delivery (audited).
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from accounts.models import Department, User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from core.notifications import notify, send_mail, smtp_configured
from core.pdf import render_pdf
from core.timeutil import local_date, to_local
from reports.access import can_view_unit
from reports.errors import ReportError
from reports.models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from reports.periods import HALF, MONTH, QUARTER, ReportPeriod, parse_period, period_containing
from reports.readiness import build_dashboard

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
STALE_AFTER = dt.timedelta(minutes=30)
NOTICE_KIND = "reports.scheduled"


def subscribe(user: User, unit: Department, frequency: str) -> ReportSubscription:
    """Subscribe ``user`` to ``unit``'s summary (a unit they report on), monthly or quarterly."""
    if frequency not in {f.value for f in Frequency}:
        raise ReportError(_("Choose monthly or quarterly."))
    if not can_view_unit(user, unit):
        raise ReportError(_("You may subscribe only to units in your scope."), status=404)
    existing = db.session.scalar(
        select(ReportSubscription).where(
            ReportSubscription.unit_id == unit.id,
            ReportSubscription.recipient_id == user.id,
            ReportSubscription.frequency == frequency,
        )
    )
    if existing is not None:
        existing.active = True
        return existing
    sub = ReportSubscription(unit=unit, recipient=user, frequency=frequency)
    db.session.add(sub)
    db.session.flush()
    return sub


def report_period(frequency: str, now: dt.datetime) -> ReportPeriod:
    """The period a run at ``now`` reports on: the month or quarter that has just ended."""
    kind = MONTH if frequency == Frequency.MONTHLY else QUARTER
    return period_containing(kind, local_date(now)).shift(-1)


def _claim(sub: ReportSubscription, period: ReportPeriod, now: dt.datetime) -> ReportDelivery | None:
    """Take the delivery of ``sub`` for ``period`` for this worker (committed), or None when it is not ours."""
    delivery = ReportDelivery(subscription_id=sub.id, period=period.token, attempts=1, claimed_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(delivery)
        db.session.commit()
        return delivery
    except IntegrityError:
        db.session.rollback()
    taken = db.session.execute(
        update(ReportDelivery)
        .where(
            ReportDelivery.subscription_id == sub.id,
            ReportDelivery.period == period.token,
            ReportDelivery.attempts < MAX_ATTEMPTS,
            (ReportDelivery.status == DeliveryStatus.FAILED)
            | (
                (ReportDelivery.status == DeliveryStatus.SENDING)
                & (ReportDelivery.claimed_at < now - STALE_AFTER)
            ),
        )
        .values(status=DeliveryStatus.SENDING, attempts=ReportDelivery.attempts + 1, claimed_at=now)
    ).rowcount
    db.session.commit()
    if taken != 1:
        return None
    return db.session.scalar(
        select(ReportDelivery).where(
            ReportDelivery.subscription_id == sub.id, ReportDelivery.period == period.token
        )
    )


def summary_pdf(sub: ReportSubscription, period: ReportPeriod, now: dt.datetime) -> bytes:
    """The readiness summary of the subscription's unit (the recipient's scope), printed in Chinese."""
    board = build_dashboard(sub.recipient, sub.unit, HALF if period.kind == HALF else QUARTER, now)
    template = current_app.jinja_env.get_template("reports/pdf/summary.html")
    with force_locale("zh_CN"):
        html = template.render(board=board, period=period, generated_at=to_local(now))
    return render_pdf(html)


def dashboard_link(sub: ReportSubscription) -> str:
    return f"/reports/readiness?unit={sub.unit_id}"


def deliver(delivery: ReportDelivery, now: dt.datetime) -> bool:
    """Send one claimed delivery: e-mail with the PDF, and the in-app notice (once per person and period)."""
    sub = delivery.subscription
    period = _period_of(sub, delivery.period)
    title = _("Readiness report: %(unit)s, %(period)s", unit=sub.unit.name, period=period.label)
    link = dashboard_link(sub)
    try:
        if not can_view_unit(sub.recipient, sub.unit) or not sub.recipient.is_active:
            raise ReportError(_("The recipient no longer covers this unit."))
        pdf = summary_pdf(sub, period, now)
        notify(
            [sub.recipient],
            kind=NOTICE_KIND,
            title=title,
            link=link,
            email=False,
            now=now,
            key=f"report:{sub.id}:{delivery.period}",
        )
        address = sub.recipient.email
        if address and smtp_configured():
            base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
            send_mail(
                address,
                title,
                _("The readiness summary is attached. The dashboard: %(url)s", url=base + link),
                [(f"readiness-{sub.unit.code}-{delivery.period}.pdf", "application/pdf", pdf)],
            )
        delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.SENT, now, ""
    except Exception as exc:  # noqa: BLE001 — any failure is recorded on the delivery for the admins
        db.session.rollback()
        delivery = db.session.get(ReportDelivery, delivery.id)
        delivery.status, delivery.error = DeliveryStatus.FAILED, str(exc)[:2000]
        log.warning("scheduled report %s for %s failed: %s", delivery.subscription_id, delivery.period, exc)
    db.session.commit()
    return delivery.status == DeliveryStatus.SENT


def _period_of(sub: ReportSubscription, token: str) -> ReportPeriod:
    kind = MONTH if sub.frequency == Frequency.MONTHLY else QUARTER
    return parse_period(token, dt.datetime.now(dt.UTC), kind)


def period_label(sub: ReportSubscription, token: str) -> str:
    """A delivery's period as people say it."""
    return _period_of(sub, token).label


def send_due_reports(now: dt.datetime) -> dict[str, int]:
    """Claim and send every active subscription's report for the period that has just ended; commits per
    delivery (a job, not a request). Safe to run any number of times, by any number of workers."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    subs = db.session.scalars(select(ReportSubscription).where(ReportSubscription.active.is_(True))).all()
    for sub in subs:
        delivery = _claim(sub, report_period(sub.frequency, now), now)
        if delivery is None:
            counts["skipped"] += 1
            continue
        counts["sent" if deliver(delivery, now) else "failed"] += 1
    return counts


def mark_for_resend(delivery: ReportDelivery) -> None:
    """An admin asks for a delivery to go out again, whatever its state (audited): it becomes claimable."""
    delivery.status, delivery.attempts = DeliveryStatus.FAILED, 0
    audit.record("report.delivery_resent", delivery.subscription, period=delivery.period)


def send_again(delivery_id: int, now: dt.datetime) -> bool:
    """Claim and send one delivery marked for resending (a job; commits)."""
    taken = db.session.execute(
        update(ReportDelivery)
        .where(ReportDelivery.id == delivery_id, ReportDelivery.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.SENDING, attempts=ReportDelivery.attempts + 1, claimed_at=now)
    ).rowcount
    db.session.commit()
    if taken != 1:
        return False
    return deliver(db.session.get(ReportDelivery, delivery_id), now)
