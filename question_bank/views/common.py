"""What the question bank's pages share: who may use them, the category choices."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from core.auth import Role
from core.forms import choices
from question_bank.categories import category_label, visible_categories

BANK_ROLES = (Role.TRAINER, Role.ADMIN)


def category_pairs() -> list[tuple[int, str]]:
    """(id, full path) of the categories the user may use, sorted; computed once per request."""
    if "qb_category_pairs" not in g:
        by_id = {c.id: c for c in visible_categories(current_user)}
        g.qb_category_pairs = sorted(
            ((c.id, category_label(c, by_id)) for c in by_id.values()), key=lambda p: p[1]
        )
    return g.qb_category_pairs


def category_choices(with_none: bool = False, none_label: str = "") -> list:
    """The user's categories as select choices, optionally led by "none" (value 0) named ``none_label``."""
    pairs = list(category_pairs())
    if with_none:
        pairs.insert(0, (0, none_label or "—"))
    return choices(pairs)
