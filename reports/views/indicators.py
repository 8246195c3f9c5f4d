"""The service-indicator import: upload → dry run with row-level errors → confirm (all or nothing)."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from core.auth import Role, role_required
from core.i18n import gettext as _
from core.models import utcnow
from core.spreadsheets import SpreadsheetError, read_rows, read_upload
from reports import indicators
from reports.forms import IndicatorConfirmForm, IndicatorUploadForm
from reports.views import bp

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024


def _staged(token: str, kind: str) -> Path:
    # built from our own user id and a token we made; never from the upload's name
    folder = Path(current_app.config["INSTANCE_DIR"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"indicators-{current_user.id}-{token}.{kind}"


@bp.get("/indicators/template.xlsx")
@role_required(Role.HR, Role.ADMIN)
def indicators_template():
    return send_file(
        io.BytesIO(indicators.template_xlsx()),
        download_name="服务指标导入模板.xlsx",
        as_attachment=True,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/indicators", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def indicators_import():
    form = IndicatorUploadForm()
    if not form.validate_on_submit():
        return render_template("reports/indicators.html", form=form)
    month = indicators.parse_month(form.month.data)
    if month is None:
        form.month.errors.append(_("Give the month as 2026-07."))
        return render_template("reports/indicators.html", form=form), 400
    upload = form.file.data
    try:
        data = read_upload(upload.stream, MAX_BYTES)
        table = read_rows(data, upload.filename, max_unpacked=MAX_UNPACKED)
    except SpreadsheetError as exc:
        form.file.errors.append(str(exc))
        return render_template("reports/indicators.html", form=form), 400
    plan = indicators.plan_import(table, month, current_user)
    confirm = None
    if plan.ok:
        token, kind = secrets.token_urlsafe(24), "xlsx" if data[:2] == b"PK" else "csv"
        _staged(token, kind).write_bytes(data)
        confirm = IndicatorConfirmForm(token=f"{token}_{kind}", month=month.strftime("%Y-%m"))
    return render_template(
        "reports/indicators_preview.html", plan=plan, confirm=confirm
    ), 200 if plan.ok else 400


@bp.post("/indicators/confirm")
@role_required(Role.HR, Role.ADMIN)
def indicators_confirm():
    form = IndicatorConfirmForm()
    month = indicators.parse_month(request.form.get("month", ""))
    if not form.validate_on_submit() or month is None:
        abort(400)
    token, _sep, kind = form.token.data.rpartition("_")
    if kind not in {"xlsx", "csv"} or not token.replace("-", "").replace("_", "").isalnum():
        abort(400)
    path = _staged(token, kind)
    if not path.is_file():
        flash(_("That preview has expired or was already imported. Upload the file again."), "warning")
        return redirect(url_for("reports.indicators_import"))
    plan = indicators.plan_import(
        read_rows(path.read_bytes(), path.name, max_unpacked=MAX_UNPACKED), month, current_user
    )
    path.unlink(missing_ok=True)
    if not plan.ok:
        flash(_("The file no longer passes the checks; nothing was imported."), "danger")
        return render_template("reports/indicators_preview.html", plan=plan, confirm=None), 400
    count = indicators.apply_import(plan, current_user, utcnow())
    flash(_("%(n)d rows imported for %(month)s.", n=count, month=month.strftime("%Y-%m")), "success")
    return redirect(url_for("reports.indicators_import"))
