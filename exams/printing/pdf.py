"""The printed paper's three documents as PDF: the templates under ``templates/exams/print/`` rendered through
``core.pdf`` (CJK fonts, no outside URLs), A4, the paper code and page numbers in every page's footer."""

from __future__ import annotations

import base64
from pathlib import Path

from flask import current_app, render_template
from flask_babel import get_locale

from core.i18n import gettext as _
from core.pdf import render_pdf
from exams.printing.paper import PrintedItem, PrintedPaper, points

_MIME = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
_CN_DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    """A section's number as printed: 一, 二 … 十九 in Chinese, I, II … otherwise."""
    if str(get_locale()).startswith("zh"):
        if n < 10:
            return _CN_DIGITS[n]
        tens, units = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[units] if units else "")
    return str(n)


def minutes_text(paper: PrintedPaper) -> str:
    """The time allowed, or a line to fill in for a blueprint sample (which has no duration)."""
    if paper.minutes is None:
        return _("____ minutes")
    return _("%(n)d minutes", n=paper.minutes)


def essay_lines(item: PrintedItem) -> int:
    """Lines of answer space for a short-answer item: about one per point, 4 to 12."""
    return max(4, min(12, int(item.points)))


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content``); a tag cannot end the style block inside it."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return f'"{escaped}"'


def footer_css(paper: PrintedPaper) -> str:
    """The footer as a CSS ``content`` value: the paper code and "page n of m" in the reader's language."""
    words = _("Paper code %(code)s · page %(page)s of %(pages)s", code=paper.code, page="\0", pages="\1")
    return css_string(words).replace("\0", '" counter(page) "').replace("\1", '" counter(pages) "')


def media_images(paper: PrintedPaper) -> dict[str, str]:
    """The stems' uploaded images as data URIs (the PDF fetches no URLs); missing files are left out."""
    folder = Path(current_app.config["UPLOAD_DIR"]) / "question_media"
    images: dict[str, str] = {}
    for item in paper.items:
        for paragraph in item.stem:
            for kind, name in paragraph:
                path = folder / str(name)
                if kind == "image" and name not in images and path.is_file():
                    mime = _MIME[str(name).rsplit(".", 1)[-1]]
                    images[str(name)] = f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()
    return images


def document_html(paper: PrintedPaper, document: str) -> str:
    """The HTML of one document (``paper``, ``sheet`` or ``key``)."""
    return render_template(
        f"exams/print/{document}.html",
        paper=paper,
        footer=footer_css(paper),
        images=media_images(paper),
        numeral=numeral,
        points=points,
        minutes_text=minutes_text,
        essay_lines=essay_lines,
        css_string=css_string,
    )


def document_pdf(paper: PrintedPaper, document: str) -> bytes:
    """One document as PDF."""
    return render_pdf(document_html(paper, document))
