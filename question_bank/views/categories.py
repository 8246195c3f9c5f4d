"""Category tree pages: list and add, rename, move (with the subtree), delete (its questions move first;
refused while it has subcategories or a blueprint rule draws from it).

A category outside the trainer's scope answers 404, and so does a destination outside it. A refusal
(``CategoryError``) is shown beside the form field it concerns, with status 400 (nothing is committed).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Department
from core.auth import role_required
from core.extensions import db
from core.i18n import gettext as _
from question_bank.categories import (
    can_manage_category,
    can_use_category,
    category_label,
    create_category,
    delete_category,
    move_category,
    new_category_owner,
    question_count,
    rename_category,
    visible_categories,
)
from question_bank.errors import CategoryError
from question_bank.forms import CategoryDeleteForm, CategoryEditForm, CategoryForm, CategoryMoveForm
from question_bank.models import Category
from question_bank.views import bp
from question_bank.views.common import BANK_ROLES, category_choices


def _category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None or not can_use_category(current_user, category):
        abort(404)
    return category


def _managed(category_id: int) -> Category:
    """The category to restructure: 404 outside scope, 403 for a shared one and a scoped trainer."""
    category = _category(category_id)
    if not can_manage_category(current_user, category):
        abort(403)
    return category


def _destination(category_id: int) -> Category | None:
    """The chosen parent or target (0: none); outside the user's scope it answers 404."""
    return _category(category_id) if category_id else None


@bp.route("/categories", methods=["GET", "POST"])
@role_required(*BANK_ROLES)
def categories():
    form = CategoryForm()
    form.parent_id.choices = category_choices(True, _("(top level)"))
    status = 200
    if form.validate_on_submit():
        parent = _destination(form.parent_id.data)
        try:
            create_category(form.name.data, parent, owner_department_id=new_category_owner(current_user))
        except CategoryError as exc:
            form.name.errors.append(str(exc))
            status = 400
        else:
            flash(_("Category added."), "success")
            return redirect(url_for("question_bank.categories"))
    rows = visible_categories(current_user)
    by_id = {c.id: c for c in rows}
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    return render_template(
        "question_bank/categories.html",
        form=form,
        can_manage=can_manage_category,
        rows=[(c, category_label(c, by_id), departments.get(c.owner_department_id)) for c in rows],
    ), status


def _edit_page(category: Category, edit=None, move=None, delete=None, status: int = 200):
    edit = edit or CategoryEditForm(prefix="edit", obj=category)
    move = move or CategoryMoveForm(prefix="move", formdata=None, data={"parent_id": category.parent_id or 0})
    delete = delete or CategoryDeleteForm(prefix="delete", formdata=None)
    subtree = category.path
    move.parent_id.choices = [
        c for c in category_choices(True, _("(top level)")) if not _in_subtree(c.value, subtree)
    ]
    delete.move_to_id.choices = [c for c in category_choices(True) if c.value != category.id]
    return render_template(
        "question_bank/category_edit.html",
        category=category,
        label=category_label(category),
        questions=question_count(category),
        children=db.session.scalars(select(Category).where(Category.parent_id == category.id)).all(),
        edit=edit,
        move=move,
        delete=delete,
    ), status


def _in_subtree(category_id: int, path: str) -> bool:
    if not category_id:
        return False
    node = db.session.get(Category, category_id)
    return node is not None and node.path.startswith(path)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required(*BANK_ROLES)
def category_edit(category_id: int):
    category = _managed(category_id)
    form = CategoryEditForm(prefix="edit", obj=category)
    if form.validate_on_submit():
        try:
            rename_category(category, form.name.data, form.description.data or "")
        except CategoryError as exc:
            form.name.errors.append(str(exc))
            return _edit_page(category, edit=form, status=400)
        flash(_("Category saved."), "success")
        return redirect(url_for("question_bank.category_edit", category_id=category.id))
    return _edit_page(category, edit=form, status=400 if form.errors else 200)


@bp.post("/categories/<int:category_id>/move")
@role_required(*BANK_ROLES)
def category_move(category_id: int):
    category = _managed(category_id)
    form = CategoryMoveForm(prefix="move")
    form.parent_id.choices = category_choices(True, _("(top level)"))
    parent = _destination(form.parent_id.data or 0)  # 404 outside the user's scope
    if not form.validate_on_submit():
        return _edit_page(category, move=form, status=400)
    try:
        move_category(category, parent)
    except CategoryError as exc:
        form.parent_id.errors.append(str(exc))
        return _edit_page(category, move=form, status=400)
    flash(_("Category moved: %(label)s.", label=category_label(category)), "success")
    return redirect(url_for("question_bank.category_edit", category_id=category.id))


@bp.post("/categories/<int:category_id>/delete")
@role_required(*BANK_ROLES)
def category_delete(category_id: int):
    category = _managed(category_id)
    form = CategoryDeleteForm(prefix="delete")
    form.move_to_id.choices = category_choices(True)
    target = _destination(form.move_to_id.data or 0)  # 404 outside the user's scope
    if not form.validate_on_submit():
        return _edit_page(category, delete=form, status=400)
    label = category_label(category)
    try:
        moved = delete_category(category, target)
    except CategoryError as exc:
        form.move_to_id.errors.append(str(exc))
        return _edit_page(category, delete=form, status=400)
    flash(_("Category %(label)s deleted; %(n)d questions moved.", label=label, n=moved), "success")
    return redirect(url_for("question_bank.categories"))
