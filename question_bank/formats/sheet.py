"""A fast, streaming reader of an xlsx workbook's first sheet, for large question imports.

openpyxl builds an object per shared string and cell and needs ~1.5 ms per template row here; this reader
streams the sheet XML through defusedxml (no DTDs or entities) and gives the same strings as
``core.spreadsheets.read_rows`` for the cells a question template holds (text, numbers, formula results).
The upload limits and zip-bomb checks are core's (``MAX_UNPACKED_BYTES``, ``MAX_COMPRESSION_RATIO``).
Numbers formatted as dates come through as their serial number (the template has no date columns).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException
from flask_babel import gettext as _

from core.spreadsheets import MAX_COMPRESSION_RATIO, MAX_UNPACKED_BYTES, SpreadsheetError

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _number_text(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value.strip()
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


def _check(archive: zipfile.ZipFile, max_unpacked: int) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
            and info.file_size > 1024 * 1024
        ):
            raise SpreadsheetError(_("The workbook is compressed suspiciously (possible zip bomb)."))
    if total > max_unpacked:
        raise SpreadsheetError(
            _("The workbook unpacks to more than %(mb)s MB.", mb=max_unpacked // 1024 // 1024)
        )


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = DET.fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
    sheet = workbook.find(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
    if sheet is None:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook."))
    rel_id = sheet.get(f"{_NS_REL}id")
    rels = DET.fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
    raise SpreadsheetError(_("The file is not a valid .xlsx workbook."))


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _event, element in DET.iterparse(stream, events=("end",), forbid_dtd=True):
            if element.tag == f"{_NS_MAIN}si":
                # Text runs; phonetic guides (rPh) are not part of the value.
                parts = [t.text or "" for t in element.iter(f"{_NS_MAIN}t")]
                phonetic = [
                    t.text or "" for rph in element.iter(f"{_NS_MAIN}rPh") for t in rph.iter(f"{_NS_MAIN}t")
                ]
                if phonetic:
                    parts = parts[: len(parts) - len(phonetic)]
                strings.append("".join(parts))
                element.clear()
    return strings


def read_first_sheet(data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> list[list[str]]:
    """Every row of the first sheet as stripped strings (row 1 is the header); trailing empty rows dropped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    _check(archive, max_unpacked)
    try:
        shared = _shared_strings(archive)
        path = _first_sheet_path(archive)
        rows: list[list[str]] = []
        with archive.open(path) as stream:
            current: list[str] = []
            row_number = 0
            for _event, element in DET.iterparse(stream, events=("end",), forbid_dtd=True):
                tag = element.tag
                if tag == f"{_NS_MAIN}c":
                    ref = _REF.match(element.get("r", ""))
                    column = _column_index(ref.group(1)) if ref else len(current)
                    kind = element.get("t", "n")
                    value_node = element.find(f"{_NS_MAIN}v")
                    raw = value_node.text if value_node is not None and value_node.text is not None else None
                    if kind == "s" and raw is not None:
                        text = shared[int(raw)]
                    elif kind == "inlineStr":
                        text = "".join(t.text or "" for t in element.iter(f"{_NS_MAIN}t"))
                    elif raw is None:
                        text = ""
                    elif kind in {"str", "e"}:
                        text = raw
                    elif kind == "b":
                        text = "True" if raw.strip() == "1" else "False"
                    else:
                        text = _number_text(raw)
                    if column >= len(current):
                        current.extend([""] * (column + 1 - len(current)))
                    current[column] = text.strip()
                    element.clear()
                elif tag == f"{_NS_MAIN}row":
                    number = int(element.get("r", row_number + 1))
                    while row_number + 1 < number:
                        rows.append([])
                        row_number += 1
                    rows.append(current)
                    row_number = number
                    current = []
                    element.clear()
    except (KeyError, ValueError, IndexError, DefusedXmlException, SyntaxError) as exc:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    while rows and not any(rows[-1]):
        rows.pop()
    return rows
