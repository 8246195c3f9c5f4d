"""The category tree and who may use which category.

A category with ``owner_department_id`` NULL is shared: every trainer sees and edits its questions. A
category owned by a department is seen and edited only by trainers whose scope covers that department
(and by unscoped trainers and admins). Everyone else is answered 404 for it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from accounts.models import User
from accounts.services import scope_clause
from core.auth import Role
from core.extensions import db
from question_bank.models import Category


class CategoryError(ValueError):
    """A rule about categories was broken; the message is shown to the user."""


def visible_category_clause(user: User):
    """SQL condition on ``Category``: the categories ``user`` may see and edit as trainer or admin."""
    if user.has_any_role(Role.ADMIN):
        return Category.id.is_not(None)
    return or_(
        Category.owner_department_id.is_(None),
        scope_clause(user, Role.TRAINER, Category.owner_department_id),
    )


def can_use_category(user: User, category: Category | None) -> bool:
    """True when ``user`` may see and edit questions in ``category``."""
    if category is None or not user.has_any_role(Role.TRAINER, Role.ADMIN):
        return False
    if user.has_any_role(Role.ADMIN) or category.owner_department_id is None:
        return True
    roots = user.scope_roots(Role.TRAINER)
    if roots is None:
        return True
    owner = category.owner_department
    return owner is not None and any(owner.path.startswith(r.path) for r in roots)


def visible_categories(user: User) -> list[Category]:
    """Categories ``user`` may use, in tree order."""
    return list(
        db.session.scalars(select(Category).where(visible_category_clause(user)).order_by(Category.path))
    )


def category_label(category: Category, by_id: dict[int, Category] | None = None) -> str:
    """The full name "服务保障/渠道与响应" of a category."""
    return "/".join(category_names(category, by_id))


def category_names(category: Category, by_id: dict[int, Category] | None = None) -> list[str]:
    """The names from the root down to ``category``."""
    ids = [int(part) for part in category.path.strip("/").split("/") if part]
    if by_id is None:
        by_id = {c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_(ids)))}
    return [by_id[i].name if i in by_id else "?" for i in ids]


def create_category(name: str, parent: Category | None, owner_department_id: int | None = None) -> Category:
    """Add a category under ``parent`` (None: a root); a child inherits its parent's owner."""
    name = name.strip()
    if not name or "/" in name:
        raise CategoryError(_("A category name must not be empty or contain “/”."))
    parent_id = parent.id if parent else None
    clash = select(Category.id).where(Category.name == name)
    clash = (
        clash.where(Category.parent_id == parent_id)
        if parent_id
        else clash.where(Category.parent_id.is_(None))
    )
    if db.session.scalar(clash):
        raise CategoryError(_("A category named “%(name)s” already exists here.", name=name))
    if parent is not None:
        owner_department_id = parent.owner_department_id
    category = Category(name=name, parent=parent, owner_department_id=owner_department_id)
    db.session.add(category)
    db.session.flush()
    category.path = (parent.path if parent else "/") + f"{category.id}/"
    return category


def find_child(parent: Category | None, name: str) -> Category | None:
    query = select(Category).where(Category.name == name)
    query = (
        query.where(Category.parent_id == parent.id) if parent else query.where(Category.parent_id.is_(None))
    )
    return db.session.scalar(query)


def ensure_path(
    names: list[str], base: Category | None = None, owner_department_id: int | None = None
) -> Category:
    """The category at ``names`` below ``base`` (None: the roots), creating missing levels."""
    node = base
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        child = find_child(node, name)
        if child is None:
            child = create_category(name, node, owner_department_id if node is None else None)
        node = child
    if node is None:
        raise CategoryError(_("No category given."))
    return node


def resolve_path(text: str) -> Category | None:
    """The existing category named by a "/"-separated path, or None."""
    node = None
    for name in split_path(text):
        node = find_child(node, name)
        if node is None:
            return None
    return node


def split_path(text: str) -> list[str]:
    """A category path "a/b/c" as names; Moodle's "//" stands for a "/" inside a name."""
    text = (text or "").strip().replace("//", "\x00")
    return [part.replace("\x00", "/").strip() for part in text.split("/") if part.strip()]


def subtree_ids(category: Category):
    """A select of the ids of ``category`` and everything below it."""
    return select(Category.id).where(Category.path.startswith(category.path))
