"""A fast, streaming reader of an xlsx workbook's first sheet, for large question imports.

openpyxl builds an object per shared string and cell and needs ~1.5 ms per template row here; this reader
streams the sheet XML through expat with DTDs and entities refused (defusedxml's rules) and gives the same strings as
``core.spreadsheets.read_rows`` for the cells a question template holds (text, numbers, formula results).
The upload limits and zip-bomb checks are core's (``MAX_UNPACKED_BYTES``, ``check_archive``).
Numbers formatted as dates come through as their serial number (the template has no date columns).
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.parsers.expat
import zipfile
import zlib

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from core.i18n import gettext as _
from core.spreadsheets import MAX_UNPACKED_BYTES, SpreadsheetError, check_archive

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


class _Refused(ValueError):
    """A DTD or entity declaration in a workbook part (refused, as defusedxml would)."""


def _expat(start, end, text) -> xml.parsers.expat.XMLParserType:
    """An expat parser with the given handlers that refuses DTDs and entities (defusedxml's rules)."""
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_args):
        raise _Refused("DTD or entity declarations are not allowed")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1] if ":" in tag else tag


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    state = {"parts": [], "in_t": False, "in_rph": 0}

    def start(tag, _attrs):
        name = _local(tag)
        if name == "si":
            state["parts"] = []
        elif name == "rPh":
            state["in_rph"] += 1
        elif name == "t" and not state["in_rph"]:
            state["in_t"] = True

    def end(tag):
        name = _local(tag)
        if name == "si":
            strings.append("".join(state["parts"]))
        elif name == "rPh":
            state["in_rph"] -= 1
        elif name == "t":
            state["in_t"] = False

    def text(data):
        if state["in_t"]:
            state["parts"].append(data)

    parser = _expat(start, end, text)
    with archive.open("xl/sharedStrings.xml") as stream:
        parser.ParseFile(stream)
    return strings


def _cell_value(raw: str | None, kind: str, shared: list[str]) -> str:
    """A cell's text from its raw ``<v>`` (or inline string) and its type attribute ``t``."""
    if raw is None:
        return ""
    if kind == "s":
        return shared[int(raw)]
    if kind in {"str", "e", "inlineStr"}:
        return raw
    if kind == "b":
        return "True" if raw.strip() == "1" else "False"
    return _number_text(raw)


def _sheet_rows(stream, shared: list[str]) -> list[list[str]]:
    """The sheet's rows as strings, streamed through expat (missing rows come as empty lists)."""
    rows: list[list[str]] = []
    state = {
        "row": [],
        "row_number": 0,
        "column": 0,
        "kind": "n",
        "value": None,
        "buffer": [],
        "collect": False,
    }

    def start(tag, attrs):
        name = _local(tag)
        if name == "c":
            ref = _REF.match(attrs.get("r", ""))
            state["column"] = _column_index(ref.group(1)) if ref else len(state["row"])
            state["kind"] = attrs.get("t", "n")
            state["value"] = None
        elif name in {"v", "t"}:
            state["buffer"] = []
            state["collect"] = True
        elif name == "row":
            number = int(attrs.get("r", state["row_number"] + 1))
            while state["row_number"] + 1 < number:
                rows.append([])
                state["row_number"] += 1
            state["row_number"] = number
            state["row"] = []
        elif name == "is":
            state["value"] = ""

    def end(tag):
        name = _local(tag)
        if name == "v":
            state["value"] = "".join(state["buffer"])
            state["collect"] = False
        elif name == "t":
            state["collect"] = False
            if state["kind"] == "inlineStr":
                state["value"] = (state["value"] or "") + "".join(state["buffer"])
        elif name == "c":
            value = _cell_value(state["value"], state["kind"], shared)
            row, column = state["row"], state["column"]
            if column >= len(row):
                row.extend([""] * (column + 1 - len(row)))
            row[column] = value.strip()
        elif name == "row":
            rows.append(state["row"])

    def text(data):
        if state["collect"]:
            state["buffer"].append(data)

    _expat(start, end, text).ParseFile(stream)
    return rows


def read_first_sheet(data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> list[list[str]]:
    """Every row of the first sheet as stripped strings (row 1 is the header); trailing empty rows dropped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    check_archive(archive, max_unpacked)
    try:
        shared = _shared_strings(archive)
        with archive.open(_first_sheet_path(archive)) as stream:
            rows = _sheet_rows(stream, shared)
    except (
        KeyError,
        ValueError,
        IndexError,
        EOFError,
        zipfile.BadZipFile,  # a member's CRC does not match
        zlib.error,  # a member's compressed bytes are damaged
        DefusedXmlException,
        xml.parsers.expat.ExpatError,
    ) as exc:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    while rows and not any(rows[-1]):
        rows.pop()
    return rows
