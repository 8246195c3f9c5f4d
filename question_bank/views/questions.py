"""Question pages: the list with filters and bulk actions, create/edit with live preview, history and
comparison, status changes."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.auth import role_required
from core.extensions import db
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from question_bank import history, review, services
from question_bank.categories import can_use_category, category_label
from question_bank.content import validate
from question_bank.forms import (
    BulkForm,
    QuestionForm,
    ReviewForm,
    fill_form,
    form_problems,
    form_to_data,
    rubric_mismatch,
)
from question_bank.labels import REVIEW_DECISION_LABELS, STATUS_LABELS, TYPE_LABELS
from question_bank.models import Category, Question, QuestionStatus, QuestionVersion, Tag
from question_bank.usage import version_uses
from question_bank.views import bp
from question_bank.views.common import BANK_ROLES, category_choices


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
    bulk.category_id.choices = category_choices(True)
    return render_template(
        "question_bank/index.html",
        page=page,
        flt=flt,
        categories=category_choices(True, _("All categories")),
        tags=list(db.session.scalars(select(Tag).order_by(Tag.name).limit(500))),
        type_labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
        bulk=bulk,
    )


def _question_form() -> QuestionForm:
    form = QuestionForm()
    form.category_id.choices = category_choices()
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


def _explanation_confirmed(form: QuestionForm, question: Question) -> bool:
    """When the answer key changes but the explanation (解析) does not, the author confirms it still fits."""
    current = question.current_version
    data = form_to_data(form)
    services.keep_unexposed_fields(current, data)
    if not current.explanation or data.key == current.key or data.explanation != current.explanation:
        return True
    if form.explanation_checked.data:
        return True
    form.explanation_checked.errors = [
        *form.explanation_checked.errors,
        _("The answer key changed: check that the explanation still fits it, then tick this box."),
    ]
    return False


def _warn_rubric(data) -> None:
    warning = rubric_mismatch(data)
    if warning:
        flash(warning, "warning")


def _usable_category(category_id: int) -> Category:
    """The chosen category; outside the user's scope it answers 404."""
    category = db.session.get(Category, category_id)
    if not can_use_category(current_user, category):
        abort(404)
    return category


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
            category = _usable_category(form.category_id.data)
            _warn_rubric(data)
            question = services.create_question(
                data, category, current_user, utcnow(), status=form.status.data
            )
            question.exam_only = form.exam_only.data
            flash(_("Question saved."), "success")
            return redirect(url_for("question_bank.show", question_id=question.id))
    return render_template("question_bank/edit.html", form=form, question=None, duplicates=duplicates)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@role_required(*BANK_ROLES)
def edit(question_id: int):
    question = _load(question_id)
    form = _question_form()
    if request.method == "GET":
        fill_form(form, services.version_data(question.current_version, question))
        form.category_id.data = question.category_id
        form.status.data = question.status
        form.exam_only.data = question.exam_only
    duplicates = []
    if form.validate_on_submit() and _save_problems(form) and _explanation_confirmed(form, question):
        data = form_to_data(form)
        services.keep_unexposed_fields(question.current_version, data)
        _warn_rubric(data)
        category = _usable_category(form.category_id.data)
        now = utcnow()
        services.edit_question(question, data, current_user, now, note=form.change_note.data or "")
        question.category = category
        question.exam_only = form.exam_only.data
        if form.status.data != question.status:
            services.set_status(question, form.status.data, now)
        flash(_("Question saved."), "success")
        return redirect(url_for("question_bank.show", question_id=question.id))
    return render_template("question_bank/edit.html", form=form, question=question, duplicates=duplicates)


@bp.post("/preview")
@role_required(*BANK_ROLES)
def preview():
    """The live preview: the form's question rendered exactly as a candidate sees it (no key)."""
    form = _question_form()
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
    return render_template("question_bank/show.html", **show_context(question, version))


def show_context(question: Question, version: QuestionVersion | None = None, review_form=None) -> dict:
    """What the question page shows: a version, its history with author and approver, where it was used,
    and its review (the decisions so far; the reviewer's form when the user may review it)."""
    return dict(
        question=question,
        version=version or question.current_version,
        category=category_label(question.category),
        status_form=PostForm(),
        type_labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
        uses=version_uses(question, current_user),
        review_history=review.history(question),
        review_refusal=review.review_refusal(current_user, question),
        review_form=review_form or ReviewForm(),
        decision_labels=REVIEW_DECISION_LABELS,
    )


@bp.post("/<int:question_id>/status/<status>")
@role_required(*BANK_ROLES)
def set_status(question_id: int, status: str):
    question = _load(question_id)
    if status not in STATUS_LABELS or not PostForm().validate_on_submit():
        abort(400)
    services.set_status(question, status, utcnow())
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
        "question_bank/compare.html", question=question, a=a, b=b, rows=history.compare_versions(a, b)
    )


@bp.post("/bulk")
@role_required(*BANK_ROLES)
def bulk():
    form = BulkForm()
    form.category_id.choices = category_choices(True)
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
    flash(_("%(n)d questions changed.", n=count), "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("question_bank.index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url + "question-bank")
