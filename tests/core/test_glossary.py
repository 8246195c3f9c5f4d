"""The catalogues follow docs/glossary.md: every zh_CN catalogue that translates one of the glossary's English
msgids (in the package and context the row names) uses the glossary's Chinese word."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from core.i18n import PACKAGES

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
MSGID = re.compile(r"`([^`]+)`(?:\s*\(context: ([^)]+)\))?")


def glossary_rows() -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    """(word, msgid, context, packages) for every backticked msgid in the glossary's tables."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not line.startswith("|") or cells[0] in ("中文", "---"):
            continue
        word, english, where = cells[0], cells[1], cells[2]
        if "(not checked)" in english or not where:
            continue
        packages = PACKAGES if where == "all" else tuple(p.strip() for p in where.split(","))
        for msgid, context in MSGID.findall(english):
            rows.append((word, msgid, context or None, packages))
    return rows


def catalogue(package: str) -> dict[tuple[str | None, str], str]:
    path = ROOT / package / "translations" / "zh_CN" / "LC_MESSAGES" / f"{package}.po"
    with path.open("rb") as handle:
        return {(m.context, m.id): m.string for m in read_po(handle, locale="zh_CN") if isinstance(m.id, str)}


def test_the_glossary_names_real_packages_and_msgids():
    rows = glossary_rows()
    assert len(rows) > 80
    catalogues = {p: catalogue(p) for p in PACKAGES}
    unknown = sorted({p for *_, packages in rows for p in packages} - set(PACKAGES))
    assert unknown == []
    unused = [
        (msgid, context)
        for _word, msgid, context, packages in rows
        if not any((context, msgid) in catalogues[p] for p in packages)
    ]
    assert unused == [], "glossary msgids that no catalogue in their packages translates"


def test_every_catalogue_uses_the_glossarys_word():
    catalogues = {p: catalogue(p) for p in PACKAGES}
    wrong = [
        f"{package}: {msgid!r}{f' [{context}]' if context else ''} is {catalogues[package][(context, msgid)]!r}, "
        f"the glossary says {word!r}"
        for word, msgid, context, packages in glossary_rows()
        for package in packages
        if (context, msgid) in catalogues[package] and catalogues[package][(context, msgid)] != word
    ]
    assert wrong == []
