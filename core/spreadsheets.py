"""Reading and writing spreadsheets safely: bounded uploads, zip-bomb checks, formula-injection defence.

openpyxl parses the workbook XML through defusedxml when it is installed (it is a dependency), so
entity-expansion and external-entity tricks are refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence

import openpyxl
from openpyxl.styles import Font

from core.errors import DomainError
from core.i18n import lazy_gettext as _l
from core.uploads import XLSX, sniff

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(DomainError):
    """The file cannot be read; the message says why in words a user understands."""


def read_upload(storage, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The bytes of an uploaded file, refusing one larger than ``max_bytes``."""
    data = storage.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            str(_l("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1)))
        )
    if not data:
        raise SpreadsheetError(str(_l("The file is empty.")))
    return data


def _check_zip(data: bytes, max_unpacked: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(str(_l("The file is not a valid .xlsx workbook."))) from exc
    check_archive(archive, max_unpacked)


def check_archive(archive: zipfile.ZipFile, max_unpacked: int) -> None:
    """Refuse a workbook that unpacks to more than ``max_unpacked`` bytes or is suspiciously compressed."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
            and info.file_size > 1024 * 1024
        ):
            raise SpreadsheetError(str(_l("The workbook is compressed suspiciously (possible zip bomb).")))
    if total > max_unpacked:
        raise SpreadsheetError(
            str(_l("The workbook unpacks to more than %(mb)s MB.", mb=max_unpacked // 1024 // 1024))
        )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(data: bytes, filename: str, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> list[list[str]]:
    """All rows of the first sheet (xlsx) or of a CSV file, as stripped strings; row 1 is the header."""
    name = (filename or "").lower()
    # The content decides (core.uploads.sniff): a workbook saved as .csv is read as a workbook, and a file
    # named .xlsx that is not one is refused, whatever its name says.
    kind = sniff(data)
    if kind == XLSX or name.endswith(".xlsx"):
        if kind != XLSX:
            raise SpreadsheetError(str(_l("The file is not a valid .xlsx workbook.")))
        _check_zip(data, max_unpacked)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds for a broken file
            raise SpreadsheetError(str(_l("The file is not a valid .xlsx workbook."))) from exc
        try:
            sheet = workbook.worksheets[0]
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 — a damaged sheet inside the zip fails only as it is read
            raise SpreadsheetError(str(_l("The file is not a valid .xlsx workbook."))) from exc
        finally:
            workbook.close()
    elif name.endswith(".csv") and kind is None:
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(decode_text(data)))]
    else:
        raise SpreadsheetError(str(_l("Upload an .xlsx or .csv file.")))
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def decode_text(data: bytes) -> str:
    """Text from UTF-8 (with or without BOM), else GB18030 (what Chinese Excel saves CSV as)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(str(_l("The file is neither UTF-8 nor GBK text."))) from exc


def neutralise(value):
    """A cell value that a spreadsheet will not run as a formula (prefixes ' to = + - @ ...)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> bytes:
    """An xlsx workbook with a bold header row; every string cell is neutralised against formulas."""
    return write_workbook([(title, headers, rows, widths)])


def write_workbook(
    tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence], Sequence[int] | None]],
) -> bytes:
    """An xlsx workbook of several worksheets, each ``(title, headers, rows, widths)`` as in ``write_xlsx``."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, headers, rows, widths in tables:
        sheet = workbook.create_sheet(title=title[:31])
        if widths:
            for index, width in enumerate(widths, start=1):
                sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        header_cells = []
        for header in headers:
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=str(header))
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
