"""Trainer pages: the list with filters and bulk actions, create/edit with live preview, history and
comparison, categories. Employees and HR get 403; a question or category outside the trainer's scope 404.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import uploads
from core.auth import Role, login_required, role_required
from core.extensions import db
from core.forms import PostForm, choices
from core.models import utcnow
from question_bank import services
from question_bank.categories import can_use_category, category_label, visible_categories
from question_bank.content import validate
from question_bank.forms import BulkForm, QuestionForm, fill_form, form_problems, form_to_data
from question_bank.models import (
    STATUS_LABELS,
    TYPE_LABELS,
    Category,
    Question,
    QuestionStatus,
    QuestionVersion,
    Tag,
)

bp = Blueprint("question_bank", __name__, url_prefix="/question-bank")
BANK_ROLES = (Role.TRAINER, Role.ADMIN)
MEDIA_MAX_BYTES = 2 * 1024 * 1024
_MEDIA_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")
# Stem images: the type from the content; JPEG files keep the ``.jpg`` ending earlier uploads have.
_MEDIA_ENDINGS = {uploads.PNG: "png", uploads.JPEG: "jpg", uploads.GIF: "gif", uploads.WEBP: "webp"}


def _category_pairs() -> list[tuple[int, str]]:
    """(id, full path) of the categories the user may use, sorted; computed once per request."""
    if "qb_category_pairs" not in g:
        by_id = {c.id: c for c in visible_categories(current_user)}
        g.qb_category_pairs = sorted(
            ((c.id, category_label(c, by_id)) for c in by_id.values()), key=lambda p: p[1]
        )
    return g.qb_category_pairs


def _category_choices(with_none: bool = False, none_label: str = "") -> list:
    pairs = list(_category_pairs())
    if with_none:
        pairs.insert(0, (0, none_label or "—"))
    return choices(pairs)


def _load(question_id: int) -> Question:
    question = services.visible_question(current_user, question_id)
    if question is None:
        abort(404)
    return question


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/")
@role_required(*BANK_ROLES)
def index():
    flt = services.QuestionFilter(
        type=request.args.get("type", "") if request.args.get("type") in TYPE_LABELS else "",
        chapter=_int_arg("chapter"),
        difficulty=_int_arg("difficulty"),
        tag_id=_int_arg("tag"),
        category_id=_int_arg("category"),
        status=request.args.get("status", "") if request.args.get("status") in STATUS_LABELS else "",
        text=request.args.get("q", "")[:100],
    )
    page = services.list_questions(current_user, flt, page=_int_arg("page") or 1)
    bulk = BulkForm()
    bulk.category_id.choices = _category_choices(True)
    return render_template(
        "question_bank/index.html",
        page=page,
        flt=flt,
        categories=_category_choices(True, _("All categories")),
        tags=list(db.session.scalars(select(Tag).order_by(Tag.name).limit(500))),
        type_labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
        bulk=bulk,
    )


def _question_form(question: Question | None = None) -> QuestionForm:
    form = QuestionForm()
    form.category_id.choices = _category_choices()
    return form


def _save_problems(form: QuestionForm) -> bool:
    """Add type-specific and content problems to the form; True when there are none."""
    extra = form_problems(form)
    for name, message in extra.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]
    if extra:
        return False
    problems = validate(form_to_data(form))
    if problems:
        form.stem.errors = [*form.stem.errors, *problems]
        return False
    return True


@bp.route("/new", methods=["GET", "POST"])
@role_required(*BANK_ROLES)
def create():
    form = _question_form()
    if request.method == "GET":
        form.type.data = (
            request.args.get("type", "single") if request.args.get("type") in TYPE_LABELS else "single"
        )
        form.status.data = QuestionStatus.DRAFT
    duplicates = []
    if form.validate_on_submit() and _save_problems(form):
        data = form_to_data(form)
        duplicates = services.duplicates_of(data.stem_html, user=current_user)
        if duplicates and not request.form.get("confirm_duplicate"):
            flash(
                _("A question with the same stem already exists. Check it, then save again to keep both."),
                "warning",
            )
        else:
            category = db.session.get(Category, form.category_id.data)
            if not can_use_category(current_user, category):
                abort(404)
            question = services.create_question(
                data, category, current_user, utcnow(), status=form.status.data
            )
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("question_bank.show", question_id=question.id))
    return render_template("question_bank/edit.html", form=form, question=None, duplicates=duplicates)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@role_required(*BANK_ROLES)
def edit(question_id: int):
    question = _load(question_id)
    form = _question_form(question)
    if request.method == "GET":
        fill_form(form, services.version_data(question.current_version, question))
        form.category_id.data = question.category_id
        form.status.data = question.status
    duplicates = []
    if form.validate_on_submit() and _save_problems(form):
        data = form_to_data(form)
        services.keep_unexposed_fields(question.current_version, data)
        category = db.session.get(Category, form.category_id.data)
        if not can_use_category(current_user, category):
            abort(404)
        now = utcnow()
        services.edit_question(question, data, current_user, now, note=form.change_note.data or "")
        question.category = category
        if form.status.data != question.status:
            services.set_status(question, form.status.data, now)
        db.session.commit()
        flash(_("Question saved."), "success")
        return redirect(url_for("question_bank.show", question_id=question.id))
    return render_template("question_bank/edit.html", form=form, question=question, duplicates=duplicates)


@bp.post("/preview")
@role_required(*BANK_ROLES)
def preview():
    """The live preview: the form's question rendered exactly as a candidate sees it (no key)."""
    form = QuestionForm()
    form.category_id.choices = _category_choices()
    data = form_to_data(form)
    problems = validate(data)
    version = QuestionVersion(
        number=0,
        type=data.type,
        stem_html=data.stem_html,
        options=data.options,
        key=data.key,
        points=data.points,
    )
    return render_template("question_bank/_preview.html", version=version, problems=problems)


@bp.get("/<int:question_id>")
@role_required(*BANK_ROLES)
def show(question_id: int):
    question = _load(question_id)
    version = question.current_version
    if _int_arg("version"):
        version = next((v for v in question.versions if v.id == _int_arg("version")), None) or abort(404)
    return render_template(
        "question_bank/show.html",
        question=question,
        version=version,
        category=category_label(question.category),
        status_form=PostForm(),
        type_labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.post("/<int:question_id>/status/<status>")
@role_required(*BANK_ROLES)
def set_status(question_id: int, status: str):
    question = _load(question_id)
    if status not in STATUS_LABELS or not PostForm().validate_on_submit():
        abort(400)
    services.set_status(question, status, utcnow())
    db.session.commit()
    flash(_("Status changed to %(status)s.", status=STATUS_LABELS[status]), "success")
    return redirect(url_for("question_bank.show", question_id=question.id))


@bp.get("/<int:question_id>/compare")
@role_required(*BANK_ROLES)
def compare(question_id: int):
    question = _load(question_id)
    by_number = {v.number: v for v in question.versions}
    newest = question.versions[-1].number
    a = by_number.get(_int_arg("a") or max(newest - 1, 1))
    b = by_number.get(_int_arg("b") or newest)
    if a is None or b is None:
        abort(404)
    return render_template(
        "question_bank/compare.html", question=question, a=a, b=b, rows=services.compare_versions(a, b)
    )


@bp.post("/bulk")
@role_required(*BANK_ROLES)
def bulk():
    form = BulkForm()
    form.category_id.choices = _category_choices(True)
    ids = [int(i) for i in request.form.getlist("selected") if i.isdigit()]
    if not form.validate_on_submit():
        abort(400)
    questions = services.editable_questions(current_user, ids)
    if not questions:
        flash(_("Select at least one question."), "warning")
        return redirect(url_for("question_bank.index"))
    now = utcnow()
    action = form.action.data
    if action == "retag":
        count = services.bulk_retag(
            questions,
            re.split(r"[、,，;；]", form.add_tags.data or ""),
            re.split(r"[、,，;；]", form.remove_tags.data or ""),
            now,
        )
    elif action == "move":
        category = db.session.get(Category, form.category_id.data)
        if not can_use_category(current_user, category):
            flash(_("Choose a category."), "warning")
            return redirect(url_for("question_bank.index"))
        count = services.bulk_move(questions, category, now)
    else:
        status = QuestionStatus.PUBLISHED if action == "publish" else QuestionStatus.RETIRED
        count = services.bulk_status(questions, status, now)
    db.session.commit()
    flash(_("%(n)d questions changed.", n=count), "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("question_bank.index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url + "question-bank")


# ---------------------------------------------------------------- media


def _media_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "question_media"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.post("/media")
@role_required(*BANK_ROLES)
def upload_media():
    """Store an image for a stem; answers the HTML to paste. The name is random, never the upload's."""
    if not PostForm().validate_on_submit():
        abort(400)
    upload = request.files.get("image")
    data = upload.stream.read(MEDIA_MAX_BYTES + 1) if upload else b""
    if not data or len(data) > MEDIA_MAX_BYTES:
        return {"error": _("Upload an image of at most 2 MB.")}, 400
    kind = _MEDIA_ENDINGS.get(uploads.sniff(data))
    if kind is None:
        return {"error": _("Only PNG, JPEG, GIF and WebP images are accepted.")}, 400
    name = f"{secrets.token_hex(16)}.{kind}"
    (_media_dir() / name).write_bytes(data)
    url = url_for("question_bank.media", name=name)
    return {"url": url, "html": f'<img src="{url}" alt="">'}


@bp.get("/media/<name>")
@login_required
def media(name: str):
    """Stem images are shown to candidates too, so any signed-in user may load them."""
    if not _MEDIA_NAME.match(name):
        abort(404)
    path = _media_dir() / name
    if not path.is_file():
        abort(404)
    return send_file(path, max_age=86400)
