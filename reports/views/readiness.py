"""The unit readiness dashboard: a unit and its sub-departments with trends, its people, the team ranking,
the xlsx export and the thresholds."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from accounts.models import Department
from core import audit
from core.auth import Role, role_required
from core.extensions import db
from core.i18n import gettext as _
from core.models import utcnow
from core.spreadsheets import write_xlsx
from reports import readiness
from reports.access import can_view_unit, units_for
from reports.charts import trend_svg
from reports.forms import fill_thresholds, threshold_values, thresholds_form
from reports.periods import HALF, QUARTER, parse_period
from reports.views import bp

HR_AND_ADMIN = (Role.HR, Role.ADMIN)
TONES = {
    "green": "text-success fw-semibold",
    "amber": "text-warning-emphasis fw-semibold",
    "red": "text-danger fw-semibold",
    "": "",
}


def _unit() -> tuple[Department | None, list[Department]]:
    units = units_for(current_user)
    wanted = request.args.get("unit", type=int)
    if wanted is None:
        return (units[0] if units else None), units
    unit = db.session.get(Department, wanted)
    if unit is None or not can_view_unit(current_user, unit):
        abort(404)
    return unit, units


def _kind() -> str:
    return QUARTER if request.args.get("kind") == QUARTER else HALF


@bp.get("/readiness")
@role_required(*HR_AND_ADMIN)
def readiness_view():
    unit, units = _unit()
    if unit is None:
        return render_template("reports/readiness.html", board=None, units=units)
    board = readiness.build_dashboard(current_user, unit, _kind(), utcnow())
    audit.record("report.readiness_viewed", unit, kind=board.kind)
    labels = [p.label for p in board.periods]
    charts = {}
    for m in board.measures:
        cells = board.rows[0].values[m.key]
        charts[m.key] = trend_svg(
            str(m.label),
            labels,
            [c.value for c in cells],
            [c.colour for c in cells],
            goal=board.thresholds.get(m.key, {}).get("green"),
            percent=m.kind == "percent",
        )
    return render_template(
        "reports/readiness.html",
        board=board,
        units=units,
        charts=charts,
        measure_labels={m.key: m.label for m in board.measures},
        knowledge_hook_missing=all(m.key != "knowledge" for m in board.measures),
        **_tones(),
    )


def _tones() -> dict:
    return {
        "tone": TONES,
        "colour_words": {"green": _("On target"), "amber": _("Watch"), "red": _("Below target")},
    }


@bp.get("/readiness/people")
@role_required(*HR_AND_ADMIN)
def readiness_people():
    unit, _units = _unit()
    if unit is None:
        abort(404)
    now = utcnow()
    period = parse_period(request.args.get("period"), now)
    rows = readiness.people_rows(current_user, unit, period, now)
    audit.record("report.readiness_viewed", unit, period=period.token, people=len(rows))
    return render_template(
        "reports/readiness_people.html",
        unit=unit,
        period=period,
        rows=rows,
        measures=readiness.MEASURES,
        **_tones(),
    )


@bp.get("/readiness.xlsx")
@role_required(*HR_AND_ADMIN)
def readiness_xlsx():
    unit, _units = _unit()
    if unit is None:
        abort(404)
    board = readiness.build_dashboard(current_user, unit, _kind(), utcnow())
    audit.record("report.readiness_xlsx", unit, kind=board.kind)
    headers = [_("Department")] + [f"{m.label} · {p.label}" for m in board.measures for p in board.periods]
    body = (
        [row.department.name]
        + [float(c.value) if c.value is not None else None for m in board.measures for c in row.values[m.key]]
        for row in board.rows
    )
    data = write_xlsx(headers, body, title=_("Readiness"))
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"readiness-{unit.code}-{board.kind}.xlsx",
    )


@bp.route("/readiness/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def readiness_settings():
    row = readiness.settings()
    keys = [m.key for m in readiness.MEASURES]
    form = thresholds_form(keys)()
    if request.method == "GET":
        fill_thresholds(form, readiness.thresholds(), readiness.team_weights(), keys)
    elif form.validate_on_submit():
        row.thresholds, row.team_weights = threshold_values(form, keys)
        flash(_("Settings saved."), "success")
        return redirect(url_for("reports.readiness_settings"))
    return render_template("reports/readiness_settings.html", form=form, measures=readiness.MEASURES)
