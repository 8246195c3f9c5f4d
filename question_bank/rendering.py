"""Template helpers for showing a question as a candidate sees it (``templates/question_bank/_question_view.html``).

Input names (exams reads them back): single/true-false/numerical/essay ``<prefix>``; multiple ``<prefix>``
(several values); fill-in ``<prefix>_blank_<n>``; matching ``<prefix>_match_<i>`` (i = pair index).
"""

from __future__ import annotations

import hashlib
import re

from markupsafe import Markup, escape

from core.i18n import gettext as _

_BLANK = re.compile(r"\{\{(\d+)\}\}")


def stem_html(version, prefix: str = "q", response=None, disabled: bool = False) -> Markup:
    """The stem (already sanitised at storage) with each fill-in blank ``{{n}}`` as a text box."""
    html = version.stem_html or ""
    if version.type != "fill":
        return Markup(html)  # noqa: S704 — sanitised with nh3 before it was stored
    given = list(response or [])

    def box(match: re.Match) -> str:
        n = int(match.group(1))
        value = given[n - 1] if n - 1 < len(given) else ""
        label = _("Blank %(n)d", n=n)
        return (
            f'<input type="text" class="form-control d-inline-block w-auto qb-blank" name="{escape(prefix)}_blank_{n}"'
            f' value="{escape(value)}" aria-label="{escape(label)}" size="10"'
            f"{' disabled' if disabled else ''}>"
        )

    return Markup(_BLANK.sub(box, html))  # noqa: S704 — the stem is sanitised; inserted values are escaped


def stem_with_gaps(html: str | None) -> Markup:
    """A stem for reading (reviews, reports): each fill-in blank ``{{n}}`` as a numbered gap, not a box."""
    return Markup(  # noqa: S704 — the stem is sanitised at storage; the gap is fixed markup
        _BLANK.sub(lambda m: f'<span class="qb-gap">（{int(m.group(1))}）______</span>', html or "")
    )


def stem_text(html: str | None) -> str:
    """A stem as one line of plain text (tables, exports), blanks as numbered gaps."""
    text = _BLANK.sub(lambda m: f"（{int(m.group(1))}）______", html or "")
    return " ".join(Markup(text).striptags().split())  # noqa: S704 — only read back as plain text


def matching_choices(version) -> list[str]:
    """The right-hand items of a matching question (answers and distractors) in a stable mixed order
    that does not reveal the pairing."""
    key = version.key or {}
    items = [p["right"] for p in key.get("pairs", [])] + list(key.get("distractors", []))
    unique = list(dict.fromkeys(items))
    return sorted(unique, key=lambda s: hashlib.sha256(f"{version.id or 0}:{s}".encode()).hexdigest())


def init_app(app) -> None:
    app.add_template_filter(stem_html, "qb_stem")
    app.add_template_filter(matching_choices, "qb_matching_choices")
    app.add_template_filter(stem_with_gaps, "qb_stem_gaps")
    app.add_template_filter(stem_text, "qb_stem_text")
