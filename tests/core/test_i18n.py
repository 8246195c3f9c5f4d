"""One gettext domain per package (core/i18n.py): a package's word never shows on another package's page,
whether it comes from Python, a form label, a lazy label or a template; catalogues are complete."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale
from jinja2 import DictLoader

from core.i18n import PACKAGES, domain, lazy_gettext, template_domain

ROOT = Path(__file__).resolve().parents[2]

# English words that mean different things in different packages, with each package's own word.
SENSES = [
    ("Correct", {"question_bank": "正确答案", "incentives": "冲正"}),
    ("Review", {"exams": "答卷回顾", "incentives": "审核"}),
    ("Scope", {"accounts": "管辖范围", "drills": "规模"}),
    ("Action", {"accounts": "操作", "drills": "整改措施"}),
]


@pytest.mark.parametrize(("msgid", "words"), SENSES, ids=[s[0] for s in SENSES])
def test_each_package_reads_its_own_word(app, msgid, words):
    with app.test_request_context(), force_locale("zh_CN"):
        assert {package: domain(package).gettext(msgid) for package in words} == words


@pytest.mark.parametrize(("msgid", "words"), SENSES, ids=[s[0] for s in SENSES])
def test_templates_translate_in_their_folders_domain(app, msgid, words):
    sources = {f"{package}/probe.html": "{{ _('" + msgid + "') }}" for package in words}
    env = app.jinja_env.overlay(loader=DictLoader(sources))
    with app.test_request_context(), force_locale("zh_CN"):
        shown = {name.split("/")[0]: env.get_template(name).render() for name in sources}
    assert shown == words


def test_a_shell_template_and_an_unknown_folder_use_core():
    assert template_domain("base.html") is domain("core")
    assert template_domain("errors/404.html") is domain("core")
    assert template_domain(None) is domain("core")
    assert template_domain("exams/take.html") is domain("exams")
    assert domain("not_a_package") is domain("core")


def test_a_package_falls_back_to_core_for_the_shell_words(app):
    # "Sign out" is the shell's (core) word; a package that never defines it still shows it in Chinese.
    with app.test_request_context(), force_locale("zh_CN"):
        core_word = domain("core").gettext("Sign out")
        assert core_word != "Sign out"
        assert domain("exams").gettext("Sign out") == core_word


def test_lazy_strings_keep_the_domain_they_were_made_in(app):
    made_here = lazy_gettext("Correct")  # the tests are no package: core's domain
    with app.test_request_context(), force_locale("zh_CN"):
        assert str(made_here) == domain("core").gettext("Correct")
        render = render_template_string("{{ _('Correct') }}")
        assert render == domain("core").gettext("Correct")


def test_catalogues_are_named_after_their_domain_and_translate_each_text_once():
    for package in PACKAGES:
        for locale in ("zh_CN", "en"):
            folder = ROOT / package / "translations" / locale / "LC_MESSAGES"
            assert [p.name for p in folder.glob("*.po")] == [f"{package}.po"]
            seen: dict[tuple[str, str], str] = {}
            with (folder / f"{package}.po").open("rb") as handle:
                for message in read_po(handle, locale=locale):
                    if message.id:
                        key = (message.context or "", str(message.id))
                        assert key not in seen, f"{package} translates {key} twice"
                        seen[key] = message.string
                        assert "fuzzy" not in message.flags, f"{package} [{locale}] {key} is fuzzy"


def test_application_code_translates_through_its_package_domain():
    """gettext imported from flask_babel would silently use core's catalogue in a feature package."""
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                    names = {alias.name for alias in node.names}
                    if names & {"gettext", "lazy_gettext", "ngettext", "pgettext", "lazy_pgettext", "_"}:
                        offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
