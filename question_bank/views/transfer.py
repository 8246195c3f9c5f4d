"""Import and export pages: upload → dry run (counts per type, new categories, duplicates, every error)
→ confirm (all or nothing). Imports of more than ``INLINE_LIMIT`` questions run as a background job
(``question_bank.jobs``) with a progress page; smaller ones run in the request.

A scoped trainer imports below a category they own or a shared one (new top-level categories would
otherwise escape their scope); admins and unscoped trainers may import at the top level.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from core.auth import Role, role_required
from core.extensions import db
from core.i18n import gettext as _
from core.jobs import start_job
from core.models import utcnow
from core.spreadsheets import SpreadsheetError, read_upload
from core.storage import write_file
from question_bank import importing
from question_bank.categories import can_use_category, category_label, new_category_owner
from question_bank.errors import ImportRejected
from question_bank.formats.xlsx import template_rows, write_workbook
from question_bank.forms import ExportForm, ImportConfirmForm, ImportForm
from question_bank.jobs import import_job
from question_bank.models import Category, QuestionStatus
from question_bank.views import bp
from question_bank.views.common import BANK_ROLES, category_choices

INLINE_LIMIT = 300
_EXTENSIONS = {"xlsx": ".xlsx", "gift": ".gift", "moodlexml": ".xml"}
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gift": "text/plain; charset=utf-8",
    "moodlexml": "application/xml",
}


def _staging_dir() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _staged(user_id: int, token: str) -> Path:
    # Built from our own user id and a token we generated; never from the upload's filename.
    if not token.isalnum():
        abort(400)
    return _staging_dir() / f"questions-{user_id}-{token}"


def _scoped() -> bool:
    return not current_user.has_any_role(Role.ADMIN) and current_user.scope_roots(Role.TRAINER) is not None


def _base_path(category_id: int | None) -> str:
    if not category_id:
        return ""
    category = db.session.get(Category, category_id)
    if not can_use_category(current_user, category):
        abort(404)
    return category_label(category)


@bp.get("/import/template.xlsx")
@role_required(*BANK_ROLES)
def import_template():
    data = write_workbook(template_rows())
    return send_file(
        io.BytesIO(data), mimetype=MIMETYPES["xlsx"], as_attachment=True, download_name="题库模板.xlsx"
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(*BANK_ROLES)
def import_upload():
    form = ImportForm()
    form.category_id.choices = category_choices(not _scoped(), _("(top level)"))
    if not form.validate_on_submit():
        return render_template(
            "question_bank/import.html", form=form
        ), 400 if request.method == "POST" else 200
    upload = form.file.data
    fmt = form.format.data or importing.guess_format(upload.filename or "")
    if fmt not in importing.FORMATS:
        form.format.errors.append(_("Choose the format: the file name does not say it."))
        return render_template("question_bank/import.html", form=form), 400
    try:
        data = read_upload(upload.stream, importing.MAX_FILE_BYTES)
    except SpreadsheetError as exc:
        form.file.errors.append(str(exc))
        return render_template("question_bank/import.html", form=form), 400
    base = _base_path(form.category_id.data)
    parsed = importing.parse_file(data, fmt)
    plan = importing.preview(parsed, base, current_user)
    confirm = None
    if plan.ok:
        token = secrets.token_hex(16)
        write_file(_staged(current_user.id, token), data)
        # formdata=None: the upload's own fields (an empty format, no publish choice) must not fill it.
        confirm = ImportConfirmForm(
            formdata=None, token=token, format=fmt, category_id=str(form.category_id.data or "")
        )
    # A rejected file is bad input: its problems are listed and the answer is 400 (nothing is staged).
    return render_template(
        "question_bank/import_preview.html", plan=plan, confirm=confirm, base=base, fmt=fmt
    ), 200 if plan.ok else 400


@bp.post("/import/confirm")
@role_required(*BANK_ROLES)
def import_confirm():
    form = ImportConfirmForm()
    if not form.token.data or form.format.data not in importing.FORMATS:
        abort(400)
    path = _staged(current_user.id, form.token.data)
    if not path.is_file():
        flash(_("That preview has expired or was already imported. Upload the file again."), "warning")
        return redirect(url_for("question_bank.import_upload"))
    category_id = int(form.category_id.data) if (form.category_id.data or "").isdigit() else None
    if _scoped() and not category_id:
        abort(400)
    base = _base_path(category_id)
    parsed = importing.parse_file(path.read_bytes(), form.format.data)
    if not form.validate_on_submit():
        # No publish choice yet: the check page again, asking for it; nothing is imported.
        plan = importing.preview(parsed, base, current_user)
        return render_template(
            "question_bank/import_preview.html", plan=plan, confirm=form, base=base, fmt=form.format.data
        ), 400
    params = {
        "path": str(path),
        "fmt": form.format.data,
        "base": base,
        "status": QuestionStatus.PUBLISHED if form.publish.data == "published" else QuestionStatus.DRAFT,
        "import_duplicates": bool(form.import_duplicates.data),
        "owner_department_id": new_category_owner(current_user),
        "user_id": current_user.id,
    }
    if len(parsed.questions) > INLINE_LIMIT and not parsed.problems:
        job = start_job("question_import", import_job, user=current_user, **params)
        return redirect(url_for("jobs.show", job_id=job.id))
    return _import_now(parsed, path, params)


def _import_now(parsed, path: Path, params: dict):
    """Run a small confirmed import within the request and say what it did."""
    try:
        summary = importing.run_import(
            parsed,
            current_user,
            utcnow(),
            base_path=params["base"],
            status=params["status"],
            import_duplicates=params["import_duplicates"],
            owner_department_id=params["owner_department_id"],
        )
    except ImportRejected as exc:
        # Shown as the preview with every problem, status 400: nothing of the import is committed.
        path.unlink(missing_ok=True)
        plan = importing.preview(parsed, params["base"], current_user)
        plan.problems = exc.problems
        return render_template(
            "question_bank/import_preview.html", plan=plan, confirm=None, base=params["base"]
        ), 400
    path.unlink(missing_ok=True)
    flash(importing.outcome_message(summary), "success")
    return redirect(url_for("question_bank.index"))


@bp.get("/export")
@role_required(*BANK_ROLES)
def export():
    form = ExportForm(request.args)
    form.category_id.choices = category_choices(True, _("All categories"))
    if "format" not in request.args:
        return render_template("question_bank/export.html", form=form)
    if not form.validate():
        abort(400)
    base = _base_path(form.category_id.data)
    fmt = form.format.data
    # The export's audit entry is committed with the request.
    data = importing.export_questions(fmt, base, user=current_user)
    name = f"questions{_EXTENSIONS[fmt]}"
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)
