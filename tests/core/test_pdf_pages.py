"""core.pdf.render_pages: one PDF per page, Chinese text kept as text, cut-down fonts embedded."""

import io

import pypdf

from core.pdf import render_pages


def test_render_pages_splits_pages_and_keeps_chinese_text(app):
    html = (
        "<html><head><style>@page { size: A4 landscape } section { page-break-after: always }</style></head>"
        "<body><section><h1>资格证书</h1><p>王小明 喆</p></section>"
        "<section><p class='serif'>李建国 KF002</p></section></body></html>"
    )
    pages = render_pages(html)
    assert len(pages) == 2
    first = pypdf.PdfReader(io.BytesIO(pages[0]))
    second = pypdf.PdfReader(io.BytesIO(pages[1]))
    assert len(first.pages) == 1
    assert "王小明" in first.pages[0].extract_text()
    assert "喆" in first.pages[0].extract_text()
    assert "李建国" in second.pages[0].extract_text()
    assert "王小明" not in second.pages[0].extract_text()
    fonts = {str(f["/BaseFont"]) for f in first.pages[0]["/Resources"]["/Font"].values()}
    assert any("GridReady-PDF-Sans" in f for f in fonts), fonts
    # A cut-down font keeps each certificate small (the full CJK subset made ~200 KB files).
    assert len(pages[0]) < 60_000
