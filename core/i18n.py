"""Language selection and one gettext domain per package (Flask-Babel). zh_CN is the default; English is
the source language.

**One domain per package, so no package's word shows on another's page.** Each package keeps its own
catalogue, ``<package>/translations/<locale>/LC_MESSAGES/<package>.po``, and its strings are looked up there
first, then in core's (the shell's words: save, cancel, the menu). "Correct" is 正确答案 in the question bank
and 冲正 in the points ledger, and neither can override the other.

- Python code imports ``gettext as _``, ``lazy_gettext as _l``, ``ngettext``, ``pgettext`` … from this module
  (not from ``flask_babel``); the domain is the calling module's top-level package (``exams.views.take`` →
  ``exams``). Lazy strings are bound to their domain when created.
- Templates call ``_()`` as usual; the domain is the template's folder (``templates/exams/…`` → ``exams``;
  ``base.html``, ``_macros.html``, ``errors/`` and ``core/`` → ``core``). A macro translates in the domain of
  the template that defines it.
- Within one package, an English word with two meanings takes a context: ``pgettext("drill status", "Open")``.
"""

from __future__ import annotations

import sys
from functools import cache

from flask import current_app, has_request_context, request, session
from flask_babel import Domain, force_locale
from flask_login import current_user
from jinja2 import pass_context

from core.config import FEATURES, PROJECT_ROOT
from core.extensions import babel

LOCALE_SESSION_KEY = "locale"
CORE = "core"
PACKAGES = (CORE, *FEATURES)


def domain(package: str) -> Domain:
    """The translations of ``package`` (its own catalogue over core's); any other name gets core's."""
    return _domain(package if package in PACKAGES else CORE)


@cache
def _domain(package: str) -> Domain:
    core_dir = str(PROJECT_ROOT / CORE / "translations")
    if package == CORE:
        return Domain(translation_directories=[core_dir], domain=CORE)
    own_dir = str(PROJECT_ROOT / package / "translations")
    # Flask-Babel merges the directories in order, later ones winning: the package's word beats core's.
    return Domain(translation_directories=[core_dir, own_dir], domain=f"{CORE};{package}")


def _caller_domain(depth: int = 2) -> Domain:
    module = sys._getframe(depth).f_globals.get("__name__", "")  # noqa: SLF001 — the caller's package
    return domain(module.partition(".")[0])


def gettext(string: str, **variables) -> str:
    """``string`` in the current language, from the calling package's catalogue."""
    return _caller_domain().gettext(string, **variables)


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    return _caller_domain().ngettext(singular, plural, num, **variables)


def pgettext(context: str, string: str, **variables) -> str:
    """``string`` in the sense ``context`` names (one English word, two meanings in one package)."""
    return _caller_domain().pgettext(context, string, **variables)


def lazy_gettext(string: str, **variables):
    """A string translated when it is shown, in the calling package's catalogue (labels, form fields)."""
    return _caller_domain().lazy_gettext(string, **variables)


def lazy_pgettext(context: str, string: str, **variables):
    return _caller_domain().lazy_pgettext(context, string, **variables)


def template_domain(template_name: str | None) -> Domain:
    """The domain of a template: its folder under templates/ (the shell's own templates are core's)."""
    folder, sep, _rest = (template_name or "").partition("/")
    return domain(folder if sep else CORE)


@pass_context
def _template_gettext(context, string: str) -> str:
    return template_domain(context.name).get_translations().ugettext(string)


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int) -> str:
    return template_domain(context.name).get_translations().ungettext(singular, plural, num)


@pass_context
def _template_pgettext(context, message_context: str, string: str) -> str:
    return template_domain(context.name).get_translations().upgettext(message_context, string)


@pass_context
def _template_npgettext(context, message_context: str, singular: str, plural: str, num: int) -> str:
    translations = template_domain(context.name).get_translations()
    return translations.unpgettext(message_context, singular, plural, num)


def select_locale() -> str:
    """The user's saved choice, then the session's, then the browser's Accept-Language, then zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI commands, seeders and background jobs: no user, session or browser to ask.
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


def site_language():
    """Context: text stored for everyone (a ledger line, a training-hours description) is written in the
    site's default language, whatever the language of the request that caused it."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def join_list(items) -> str:
    """Items of a list in running text: 「甲、乙」 in Chinese, "A, B" in English."""
    return pgettext("between the items of a list", ", ").join(str(item) for item in items)


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / CORE / "translations"),
        default_domain=CORE,
    )
    # Jinja's i18n extension (newstyle: ``_("%(n)s left", n=3)``) with the template's own domain.
    app.jinja_env.install_gettext_callables(
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        newstyle=True,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )
    app.jinja_env.filters["join_list"] = join_list
