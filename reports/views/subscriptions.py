"""Scheduled reports: HR's subscriptions; the admins' view of deliveries (last run, failures, resend)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from accounts.models import Department
from core.auth import Role, role_required
from core.extensions import db
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from reports import schedule
from reports.access import units_for
from reports.jobs import start_resend
from reports.labels import DELIVERY_STATUS_LABELS, FREQUENCY_LABELS
from reports.models import DeliveryStatus, ReportDelivery, ReportSubscription
from reports.views import bp


@bp.get("/subscriptions")
@role_required(Role.HR, Role.ADMIN)
def subscriptions():
    mine = db.session.scalars(
        select(ReportSubscription)
        .where(ReportSubscription.recipient_id == current_user.id, ReportSubscription.active.is_(True))
        .order_by(ReportSubscription.id)
    ).all()
    return render_template(
        "reports/subscriptions.html",
        mine=mine,
        units=units_for(current_user),
        frequencies=FREQUENCY_LABELS,
        form=PostForm(),
    )


@bp.post("/subscriptions")
@role_required(Role.HR, Role.ADMIN)
def subscribe():
    unit = db.session.get(Department, request.form.get("unit", type=int) or 0)
    if unit is None or not PostForm().validate_on_submit():
        abort(404)
    schedule.subscribe(current_user, unit, request.form.get("frequency", ""))
    flash(_("Subscribed: the report arrives after each period ends."), "success")
    return redirect(url_for("reports.subscriptions"))


@bp.post("/subscriptions/<int:subscription_id>/end")
@role_required(Role.HR, Role.ADMIN)
def unsubscribe(subscription_id: int):
    sub = db.session.get(ReportSubscription, subscription_id)
    if sub is None or sub.recipient_id != current_user.id or not PostForm().validate_on_submit():
        abort(404)
    sub.active = False
    flash(_("Subscription ended."), "success")
    return redirect(url_for("reports.subscriptions"))


@bp.get("/subscriptions/deliveries")
@role_required(Role.ADMIN)
def deliveries():
    rows = db.session.scalars(
        select(ReportDelivery).order_by(ReportDelivery.claimed_at.desc(), ReportDelivery.id.desc()).limit(200)
    ).all()
    last_run = db.session.scalar(select(func.max(ReportDelivery.claimed_at)))
    failures = db.session.scalar(
        select(func.count()).select_from(ReportDelivery).where(ReportDelivery.status == DeliveryStatus.FAILED)
    )
    return render_template(
        "reports/deliveries.html",
        rows=rows,
        last_run=last_run,
        failures=failures,
        statuses=DELIVERY_STATUS_LABELS,
        frequencies=FREQUENCY_LABELS,
        period_labels={d.period: schedule.period_label(d.subscription, d.period) for d in rows},
        form=PostForm(),
    )


@bp.post("/subscriptions/deliveries/<int:delivery_id>/resend")
@role_required(Role.ADMIN)
def resend(delivery_id: int):
    delivery = db.session.get(ReportDelivery, delivery_id)
    if delivery is None or not PostForm().validate_on_submit():
        abort(404)
    schedule.mark_for_resend(delivery)
    start_resend(delivery, user=current_user, now=utcnow())
    flash(_("The report is being sent again."), "success")
    return redirect(url_for("reports.deliveries"))
