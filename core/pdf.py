"""The one way GridReady makes PDFs: WeasyPrint with a fetcher that refuses outside URLs, one shared
font configuration, and the CJK font named explicitly (Noto Sans/Serif CJK SC from fonts-noto-cjk).

Rendering many certificates: ``render_pages`` lays out one document holding every page (fonts and
styles are prepared once) and writes each page as its own PDF, which is far faster than one
``HTML(...).write_pdf()`` per certificate.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from core.config import PROJECT_ROOT

STATIC_ROOT = (PROJECT_ROOT / "static").resolve()
CJK_FONT_STACK = '"Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", sans-serif'
BASE_CSS = f"""
html {{ font-family: {CJK_FONT_STACK}; }}
.serif {{ font-family: "Noto Serif CJK SC", "Source Han Serif SC", serif; }}
"""

_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """The process-wide font configuration (built once; building it scans the system fonts)."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


class LocalOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URIs and files under ``static/``; anything else (http, other files) is refused."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url[len("file://") :].split("?")[0]).resolve()
            if path.is_relative_to(STATIC_ROOT) and path.is_file():
                return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url[:80]!r}: PDFs may only use local static files")


def _html(html: str) -> HTML:
    return HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=LocalOnlyFetcher())


def _stylesheets() -> list[CSS]:
    return [CSS(string=BASE_CSS, font_config=font_config())]


def render_pdf(html: str) -> bytes:
    """One PDF from a complete HTML document (A4 unless its CSS says otherwise)."""
    return _html(html).write_pdf(stylesheets=_stylesheets(), font_config=font_config())


def render_pages(html: str) -> list[bytes]:
    """Lay out ``html`` once and return each page as a separate one-page PDF (bulk certificates)."""
    document = _html(html).render(stylesheets=_stylesheets(), font_config=font_config())
    return [document.copy([page]).write_pdf() for page in document.pages]
