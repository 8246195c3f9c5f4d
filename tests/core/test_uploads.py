"""The one place that says what a file is (core.uploads.sniff), and the spreadsheet reader that trusts it
over a file's name; local wall-clock time to UTC (core.timeutil)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from core.spreadsheets import SpreadsheetError, read_rows, write_xlsx
from core.timeutil import local_to_utc
from core.uploads import honest_name, sniff


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n....", "png"),
        (b"\xff\xd8\xff\xe0....", "jpeg"),
        (b"GIF89a....", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x18ftypmp42....", "mp4"),
        (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "xlsx"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
        (_zip(["[Content_Types].xml", "ppt/presentation.xml"]), "pptx"),
        (_zip(["xl/workbook.xml"]), None),  # a zip, but no Office package
        (b"PK\x03\x04 broken", None),
        (b"MZ\x90\x00 an exe", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_content(data, kind):
    assert sniff(data) == kind


def test_a_workbook_is_read_as_one_whatever_its_name(app):
    data = write_xlsx(("工号", "姓名"), [("E1", "王一")])
    with app.test_request_context():
        assert read_rows(data, "roster.csv")[1] == ["E1", "王一"]


@pytest.mark.parametrize("data", [b"\xe5\xb7\xa5\xe5\x8f\xb7,name\nE1,x\n", b"%PDF-1.7 not a sheet"])
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(app, data):
    with app.test_request_context(), pytest.raises(SpreadsheetError, match="xlsx"):
        read_rows(data, "roster.xlsx")


def test_a_pdf_named_csv_is_refused(app):
    with app.test_request_context(), pytest.raises(SpreadsheetError):
        read_rows(b"%PDF-1.7 ...", "roster.csv")


def test_local_to_utc_from_a_form_datetime_or_a_date_and_time():
    assert local_to_utc(dt.datetime(2026, 7, 1, 9, 30)) == dt.datetime(2026, 7, 1, 1, 30, tzinfo=dt.UTC)
    assert local_to_utc(dt.date(2026, 7, 1), dt.time(0, 30)) == dt.datetime(
        2026, 6, 30, 16, 30, tzinfo=dt.UTC
    )
    assert local_to_utc(dt.date(2026, 7, 1)) == dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("filename", "kind", "name"),
    [
        ("slides.html", "pdf", "slides.pdf"),
        ("../../etc/passwd", "png", "passwd.png"),
        ("C:\\\\Users\\\\张三\\\\照片.JPEG", "jpeg", "照片.jpeg"),
        ("photo.jpg", "jpeg", "photo.jpg"),
        ("report.final.exe", "docx", "report.final.docx"),
        ("", "pdf", "file.pdf"),
        (".html", "pdf", "file.pdf"),
        ("x" * 300 + ".pdf", "pdf", "x" * 196 + ".pdf"),
    ],
)
def test_an_upload_is_named_after_what_it_is(filename, kind, name):
    assert honest_name(filename, kind) == name
