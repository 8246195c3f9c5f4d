"""Menus and dashboard cards that feature packages contribute, filtered by the viewer's roles.

A package calls ``add_nav_item`` / ``add_dashboard_card`` from its ``init_app``; core never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    order: int = 100
    icon: str = "circle"
    group: object | None = None  # items sharing a group label form a dropdown


@dataclass(frozen=True)
class DashboardCard:
    """A card on the home dashboard. ``build(user, now)`` returns the template context, or None to hide."""

    key: str
    template: str
    build: Callable
    roles: tuple[str, ...] = ()
    order: int = 100
    width: str = "col-md-6 col-xl-4"
    extra: dict = field(default_factory=dict)


def _registry(app) -> dict:
    return app.extensions.setdefault("gridready_ui", {"nav": [], "cards": []})


def add_nav_item(app, item: NavItem) -> None:
    """Add a menu entry shown to users holding one of ``item.roles``."""
    _registry(app)["nav"].append(item)


def add_dashboard_card(app, card: DashboardCard) -> None:
    """Add a card to the home dashboard."""
    _registry(app)["cards"].append(card)


def _visible(roles: tuple[str, ...], user) -> bool:
    return not roles or user.has_any_role(*roles)


def nav_for(user) -> list[tuple[object | None, list[NavItem]]]:
    """The menu for ``user``: a list of (group label or None, items) in display order.

    The grouping is kept per set of visible items (one per combination of roles): grouping compares the
    group labels as text, and turning the lazy labels into text on every page cost several ms of each
    page's CPU (issue 17 §5). The labels stay lazy, so the menu still reads in the viewer's language."""
    registry = _registry(current_app)
    visible = tuple(i for i in registry["nav"] if _visible(i.roles, user))
    cache = registry.setdefault("nav_cache", {})
    key = tuple(map(id, visible))
    if key not in cache:
        cache[key] = _grouped(visible)
    return cache[key]


def _grouped(visible) -> list[tuple[object | None, list[NavItem]]]:
    items = sorted(visible, key=lambda i: i.order)
    groups: list[tuple[object | None, list[NavItem]]] = []
    index: dict[str, int] = {}
    for item in items:
        if item.group is None:
            groups.append((None, [item]))
            continue
        key = str(item.group)
        if key not in index:
            index[key] = len(groups)
            groups.append((item.group, []))
        groups[index[key]][1].append(item)
    return groups


def cards_for(user, now) -> list[tuple[DashboardCard, dict]]:
    """The dashboard cards ``user`` may see, each with its built context, in display order."""
    result = []
    for card in sorted(_registry(current_app)["cards"], key=lambda c: c.order):
        if not _visible(card.roles, user):
            continue
        context = card.build(user, now)
        if context is not None:
            result.append((card, context))
    return result


def init_app(app) -> None:
    _registry(app)

    @app.context_processor
    def inject_nav():
        if current_user and current_user.is_authenticated:
            return {"nav_groups": nav_for(current_user)}
        return {"nav_groups": []}
