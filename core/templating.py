"""Jinja filters and globals shared by every template."""

from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup, escape

from core.audit import action_label, changes_of, field_label, object_label
from core.auth import ROLE_LABELS
from core.privacy import mask_national_id, mask_phone
from core.version import app_version


def render_icon(name: str, size: str = "1em") -> Markup:
    """An inline Bootstrap icon from the locally served sprite."""
    href = url_for("bootstrap.static", filename="icons/bootstrap-icons.svg")
    return Markup(  # noqa: S704 — name and size are escaped; href comes from url_for
        f'<svg class="bi" width="{escape(size)}" height="{escape(size)}" fill="currentColor" aria-hidden="true">'
        f'<use href="{href}#{escape(name)}"/></svg>'
    )


def _localtime(value: dt.datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt)


def _localdate(value: dt.date | None, fmt: str = "yyyy-MM-dd") -> str:
    if value is None:
        return ""
    return format_date(value, fmt)


def init_app(app) -> None:
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters["localdate"] = _localdate
    app.jinja_env.filters["mask_id"] = mask_national_id
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["combine_args"] = lambda kwargs, args: {**args, **kwargs}
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["render_icon"] = render_icon
    app.jinja_env.globals["app_version"] = app_version
    app.jinja_env.globals["role_label"] = lambda role: str(ROLE_LABELS.get(role, role))
    app.jinja_env.globals["audit_action"] = action_label
    app.jinja_env.globals["audit_object"] = object_label
    app.jinja_env.globals["audit_field"] = field_label
    app.jinja_env.globals["audit_changes"] = changes_of
