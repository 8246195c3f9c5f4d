"""Message catalogues: one gettext domain per package, ``<package>/translations/<locale>/LC_MESSAGES/<package>.po``
(see ``core/i18n.py``: a package's strings are looked up in its own catalogue, then in core's).

    python scripts/i18n.py update    extract strings, update zh_CN and en catalogues (en: msgstr = msgid)
    python scripts/i18n.py compile   build the .mo files (the set-up runs this)
    python scripts/i18n.py check     list strings lacking a translation, or marked fuzzy; exit 1 when any

English is the source language; zh_CN is the default UI language. Babel ≥ 2.15 expands ``zh_CN`` to
``zh_Hans_CN`` when it parses a locale, and gettext then looks in a ``zh_Hans_CN`` folder: ``compile``
writes the zh_CN catalogue's .mo file to both folders, so either Babel finds it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "core",
    "accounts",
    "question_bank",
    "training",
    "exams",
    "practice",
    "drills",
    "incentives",
    "reports",
)
LOCALES = ("zh_CN", "en")
COMPILED_ALIASES = {"zh_CN": ("zh_Hans_CN",)}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.do"}}


def sources(package: str) -> list[Path]:
    """Where a package's strings live: its code and its template folder (core also owns the shell)."""
    paths = [ROOT / package, ROOT / "templates" / package]
    if package == "core":
        paths.append(ROOT / "templates" / "errors")
        paths.extend([ROOT / "templates" / "base.html", ROOT / "templates" / "_macros.html"])
    return [p for p in paths if p.exists()]


def extract(package: str) -> Catalog:
    catalog = Catalog(project="GridReady", fuzzy=False)
    for path in sources(package):
        if path.is_file():
            found = extract_from_file("jinja2", str(path), keywords=KEYWORDS, options=OPTIONS["**.html"])
            items = [(path.name, *item) for item in found]
            base = path.parent
        else:
            items = list(
                extract_from_dir(str(path), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS)
            )
            base = path
        for filename, lineno, message, comments, context in items:
            if "translations" in Path(filename).parts:
                continue
            location = (str((base / filename).relative_to(ROOT)), lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def po_path(package: str, locale: str) -> Path:
    return ROOT / package / "translations" / locale / "LC_MESSAGES" / f"{package}.po"


def load(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="GridReady")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def save(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, omit_header=False, sort_output=True, include_previous=False)
    path.write_bytes(buf.getvalue())


def update() -> None:
    for package in PACKAGES:
        if not (ROOT / package).is_dir():
            continue
        template = extract(package)
        if not len(template):
            continue
        for locale in LOCALES:
            path = po_path(package, locale)
            catalog = load(path, locale)
            catalog.update(template, no_fuzzy_matching=True)
            for message in catalog:
                if not message.id:
                    continue
                if locale == "en" and not message.string:
                    message.string = message.id
                message.flags.discard("fuzzy")
            catalog.obsolete.clear()
            save(catalog, path)
        print(f"{package}: {len(template)} strings")


def compile_all() -> None:
    for package in PACKAGES:
        for locale in LOCALES:
            path = po_path(package, locale)
            if path.exists():
                catalog = load(path, locale)
                targets = [path.with_suffix(".mo")]
                for alias in COMPILED_ALIASES.get(locale, ()):
                    targets.append(ROOT / package / "translations" / alias / "LC_MESSAGES" / f"{package}.mo")
                for target in targets:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with target.open("wb") as fh:
                        write_mo(fh, catalog, use_fuzzy=False)


def missing() -> list[tuple[str, str, str]]:
    """(package, locale, msgid) for every string in the code without a translation in a catalogue."""
    gaps = []
    for package in PACKAGES:
        if not (ROOT / package).is_dir():
            continue
        template = extract(package)
        for locale in LOCALES:
            catalog = load(po_path(package, locale), locale)
            for message in template:
                if not message.id:
                    continue
                found = catalog.get(message.id, context=message.context)
                text = found.string if found else None
                complete = all(text) if isinstance(text, tuple) else bool(text)
                if found is None or not complete or "fuzzy" in found.flags:
                    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                    gaps.append((package, locale, msgid))
    return gaps


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        gaps = missing()
        for package, locale, msgid in gaps:
            print(f"{package} [{locale}] {msgid}")
        print(f"{len(gaps)} untranslated")
        return 1 if gaps else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
