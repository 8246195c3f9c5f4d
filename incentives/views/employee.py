"""What every employee sees: their balance and ledger, their rank, how to earn points, leaderboards,
and their appeals."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.services import covers_department
from core.auth import Role, login_required
from core.extensions import db
from core.i18n import gettext as _
from core.models import utcnow
from incentives import ledger, selection, services
from incentives.errors import IncentiveError
from incentives.forms import AppealForm, ResolveForm, ReverseForm
from incentives.labels import CAP_PERIOD_LABELS, CATEGORY_LABELS, TRIGGER_LABELS
from incentives.models import Appeal, PointEntry, PointRule
from incentives.periods import period_at, recent_periods
from incentives.ranking import leaderboard, standing_of, unit_of
from incentives.views import bp
from incentives.views.loaders import (
    leaderboard_units,
    load_employee,
    load_entry,
    period_from_args,
    pick_unit,
    staff_units,
)


def _points_page(employee, *, own: bool):
    now = utcnow()
    quarter = period_at("quarter", now)
    unit = unit_of(employee)
    board = leaderboard(unit, quarter)
    query = (
        select(PointEntry)
        .where(PointEntry.employee_id == employee.id)
        .order_by(PointEntry.occurred_at.desc(), PointEntry.id.desc())
    )
    pagination = db.paginate(query, per_page=30, error_out=False)
    ids = [e.id for e in pagination.items]
    appeals = (
        {a.entry_id: a for a in db.session.scalars(select(Appeal).where(Appeal.entry_id.in_(ids)))}
        if ids
        else {}
    )
    return render_template(
        "incentives/points.html",
        employee=employee,
        own=own,
        total=ledger.balance(employee.id),
        quarter=quarter,
        quarter_points=ledger.balance(employee.id, quarter.start_utc, quarter.end_utc),
        year_points=ledger.balance(
            employee.id, period_at("year", now).start_utc, period_at("year", now).end_utc
        ),
        unit=unit,
        standing=standing_of(employee.id, board),
        unit_size=len(board),
        pagination=pagination,
        reversed=ledger.reversed_ids(ids),
        appeals=appeals,
        stars=selection.stars_of(employee.id),
        can_correct=current_user.has_any_role(Role.HR)
        and covers_department(current_user, Role.HR, employee.department)
        and employee.id != current_user.employee_id,
        reverse_form=ReverseForm(),
    )


@bp.get("/")
@login_required
def my_points():
    return _points_page(current_user.employee, own=True)


@bp.get("/employees/<int:employee_id>")
@login_required
def employee_points(employee_id: int):
    employee = load_employee(employee_id)
    return _points_page(employee, own=employee.id == current_user.employee_id)


@bp.get("/how-to-earn")
@login_required
def how_to_earn():
    rules = db.session.scalars(
        select(PointRule).where(PointRule.active).order_by(PointRule.points.desc(), PointRule.code)
    ).all()
    return render_template(
        "incentives/how_to_earn.html",
        rules=rules,
        trigger_labels=TRIGGER_LABELS,
        category_labels=CATEGORY_LABELS,
        period_labels=CAP_PERIOD_LABELS,
    )


@bp.get("/leaderboard")
@login_required
def leaderboard_view():
    now = utcnow()
    units = leaderboard_units(current_user)
    unit = pick_unit(units, unit_of(current_user.employee))
    period = period_from_args(now)
    board = leaderboard(unit, period)
    # Staff see the whole board of a unit they cover; everyone else the top N (privacy setting).
    is_staff = unit.id in {u.id for u in staff_units(current_user)}
    top_n = selection.settings().employee_top_n
    limited = not is_staff and top_n is not None
    mine = standing_of(current_user.employee_id, board)
    shown = board[:top_n] if limited else board
    return render_template(
        "incentives/leaderboard.html",
        units=units,
        unit=unit,
        period=period,
        periods=recent_periods(period.kind, now, 8),
        board=shown,
        mine=mine,
        limited=limited,
        top_n=top_n,
        total=len(board),
        period_labels=CAP_PERIOD_LABELS,
    )


@bp.route("/entries/<int:entry_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal_new(entry_id: int):
    entry = load_entry(entry_id)
    if entry.employee_id != current_user.employee_id:
        abort(404)
    form = AppealForm()
    if form.validate_on_submit():
        try:
            appeal = services.file_appeal(entry, user=current_user, reason=form.reason.data, now=utcnow())
        except IncentiveError as exc:
            flash(str(exc), "danger")
        else:
            flash(_("Your appeal has been filed. HR will answer it."), "success")
            return redirect(url_for("incentives.appeal_show", appeal_id=appeal.id))
    return render_template("incentives/appeal_new.html", entry=entry, form=form)


@bp.get("/appeals/<int:appeal_id>")
@login_required
def appeal_show(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or not services.can_see_ledger(current_user, appeal.employee):
        abort(404)
    can_resolve = (
        appeal.status == "open"
        and current_user.has_any_role(Role.HR)
        and covers_department(current_user, Role.HR, appeal.employee.department)
        and current_user.employee_id != appeal.employee_id
    )
    return render_template(
        "incentives/appeal_show.html", appeal=appeal, can_resolve=can_resolve, form=ResolveForm()
    )
