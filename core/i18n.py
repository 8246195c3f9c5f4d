"""Language and time zone selection (Flask-Babel). zh_CN is the default; English is the source language."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from core.config import PROJECT_ROOT
from core.extensions import babel

LOCALE_SESSION_KEY = "locale"


def translation_directories(features) -> list[str]:
    """Every package keeps its own catalogue in ``<package>/translations``; Flask-Babel merges them."""
    dirs = []
    for name in ("core", *features):
        path = PROJECT_ROOT / name / "translations"
        if path.is_dir():
            dirs.append(str(path))
    return dirs


def select_locale() -> str:
    """The user's saved choice, then the session's, then the browser's Accept-Language, then zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    chosen = session.get(LOCALE_SESSION_KEY)
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(translation_directories(app.config["FEATURES"])),
    )
