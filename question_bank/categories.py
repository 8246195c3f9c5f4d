"""The category tree and who may use which category.

A category with ``owner_department_id`` NULL is shared: every trainer sees and edits its questions. A
category owned by a department is seen and edited only by trainers whose scope covers that department
(and by unscoped trainers and admins). Everyone else is answered 404 for it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, or_, select, update

from accounts.models import User
from accounts.services import can_manage_unit, scope_clause
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from question_bank.errors import CategoryError
from question_bank.models import Category, Question


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


def _check_name(name: str, parent: Category | None, exclude_id: int | None = None) -> str:
    """The cleaned name; CategoryError when empty, holding "/", or taken by a sibling."""
    name = (name or "").strip()
    if not name or "/" in name:
        raise CategoryError(_("A category name must not be empty or contain “/”."))
    clash = select(Category.id).where(Category.name == name)
    clash = (
        clash.where(Category.parent_id == parent.id) if parent else clash.where(Category.parent_id.is_(None))
    )
    if exclude_id is not None:
        clash = clash.where(Category.id != exclude_id)
    if db.session.scalar(clash):
        raise CategoryError(_("A category named “%(name)s” already exists here.", name=name), status=409)
    return name


def new_category_owner(user: User) -> int | None:
    """The owner of a new top-level category ``user`` creates or imports: a scoped trainer's (first) scope
    root; ``None`` (shared) for admins and unscoped trainers."""
    if user.has_any_role(Role.ADMIN):
        return None
    roots = user.scope_roots(Role.TRAINER)
    return roots[0].id if roots else None


def create_category(name: str, parent: Category | None, owner_department_id: int | None = None) -> Category:
    """Add a category under ``parent`` (None: a root); a child inherits its parent's owner."""
    name = _check_name(name, parent)
    if parent is not None:
        owner_department_id = parent.owner_department_id
    category = Category(name=name, parent=parent, owner_department_id=owner_department_id)
    db.session.add(category)
    db.session.flush()
    category.path = (parent.path if parent else "/") + f"{category.id}/"
    return category


# Other packages that point at categories (exams' blueprint rules) register a check here: given the ids
# of a category subtree, it returns a description of each use ("组卷 …"), so a category in use is never
# deleted (a blueprint rule would otherwise silently widen to the whole bank).
_usage_checks: list[Callable[[list[int]], list[str]]] = []


def register_usage_check(check: Callable[[list[int]], list[str]]) -> None:
    if check not in _usage_checks:
        _usage_checks.append(check)


def can_manage_category(user: User, category: Category) -> bool:
    """Who may rename, move or delete a category (using it is ``can_use_category``).

    A shared category belongs to everyone, so only company-wide trainers and admins restructure it; a
    scoped trainer could otherwise move it under their own branch's category and hide it, with its
    questions, from every other branch. An owned category is managed by the trainers who may use it."""
    if not can_use_category(user, category):
        return False
    if category.owner_department_id is None:
        return can_manage_unit(user, None)
    return True


def rename_category(category: Category, name: str, description: str = "") -> None:
    """New name (unique among its siblings) and description."""
    category.name = _check_name(name, category.parent, exclude_id=category.id)
    category.description = (description or "").strip()
    db.session.flush()


def move_category(category: Category, parent: Category | None) -> None:
    """Move ``category`` with its subtree under ``parent`` (None: top level).

    Refused into itself or its own subtree, or where a sibling has the same name. Under a new parent
    the subtree takes that parent's owner department, as a new child would."""
    if parent is not None and parent.path.startswith(category.path):
        raise CategoryError(_("A category cannot be moved into itself or one of its subcategories."))
    _check_name(category.name, parent, exclude_id=category.id)
    old_path = category.path
    new_path = (parent.path if parent else "/") + f"{category.id}/"
    subtree = list(db.session.scalars(select(Category).where(Category.path.startswith(old_path))))
    category.parent = parent
    for node in subtree:
        node.path = new_path + node.path[len(old_path) :]
        if parent is not None:
            node.owner_department_id = parent.owner_department_id
    db.session.flush()


def question_count(category: Category) -> int:
    """Questions filed directly in ``category`` (not in its subcategories)."""
    return db.session.scalar(select(func.count(Question.id)).where(Question.category_id == category.id)) or 0


def delete_category(category: Category, move_questions_to: Category | None = None) -> int:
    """Delete an empty-of-subcategories category; its questions first move to ``move_questions_to``.

    Refused while it has subcategories, while another package uses it (a blueprint rule), or when it
    holds questions and no destination is given. Returns how many questions moved."""
    if db.session.scalar(select(Category.id).where(Category.parent_id == category.id).limit(1)):
        raise CategoryError(_("Move or delete its subcategories first."), status=409)
    uses = [use for check in _usage_checks for use in check([category.id])]
    if uses:
        raise CategoryError(
            _("The category is used by %(uses)s; change those first.", uses="; ".join(uses[:5])), status=409
        )
    count = question_count(category)
    if count and move_questions_to is None:
        raise CategoryError(
            _("The category holds %(n)d questions: choose the category they move to.", n=count)
        )
    if move_questions_to is not None and move_questions_to.id == category.id:
        raise CategoryError(_("Choose another category for its questions."))
    if count:
        db.session.execute(
            update(Question)
            .where(Question.category_id == category.id)
            .values(category_id=move_questions_to.id)
            .execution_options(synchronize_session="fetch")
        )
    db.session.delete(category)
    db.session.flush()
    return count


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
