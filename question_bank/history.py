"""A question's history: two versions side by side, line by line (the compare page)."""

from __future__ import annotations

import difflib
from decimal import Decimal

from core.i18n import gettext as _
from question_bank.answer_text import plain_text
from question_bank.content import decimal_str
from question_bank.models import QuestionVersion


def version_lines(version: QuestionVersion) -> list[str]:
    """A version as text lines, for the side-by-side comparison."""
    lines = [
        f"{_('Type')}: {version.type}",
        f"{_('Points')}: {decimal_str(Decimal(version.points))}",
        f"{_('Difficulty')}: {version.difficulty}",
        f"{_('Chapter')}: {version.chapter or ''}",
        f"{_('Source')}: {version.source_ref}",
        f"{_('Stem')}: {plain_text(version.stem_html)}",
    ]
    for option in version.options or []:
        lines.append(f"{option['id']}. {plain_text(option['html'])} [{option.get('fraction', '0')}]")
    for name, value in sorted((version.key or {}).items()):
        lines.append(f"{_('Key')} {name}: {value}")
    lines.append(f"{_('Explanation')}: {plain_text(version.explanation)}")
    return lines


def compare_versions(old: QuestionVersion, new: QuestionVersion) -> list[tuple[str, str, str]]:
    """Side-by-side rows (tag, left, right) with tag in equal/replace/delete/insert."""
    left, right = version_lines(old), version_lines(new)
    rows = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        width = max(i2 - i1, j2 - j1)
        for k in range(width):
            a = left[i1 + k] if i1 + k < i2 else ""
            b = right[j1 + k] if j1 + k < j2 else ""
            rows.append((tag, a, b))
    return rows
