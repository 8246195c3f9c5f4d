"""What a user's file really is: the type read from its first bytes (and, for Office files, the zip's
folders), never from its name or declared content type. Every package that accepts a file asks here."""

from __future__ import annotations

import io
import zipfile

PDF, PNG, JPEG, GIF, WEBP, XLSX, DOCX, PPTX, MP4 = (
    "pdf",
    "png",
    "jpeg",
    "gif",
    "webp",
    "xlsx",
    "docx",
    "pptx",
    "mp4",
)
CONTENT_TYPES = {
    PDF: "application/pdf",
    PNG: "image/png",
    JPEG: "image/jpeg",
    GIF: "image/gif",
    WEBP: "image/webp",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    MP4: "video/mp4",
}
# The file-name ending of each type; the first is the one given, the others are also accepted as they are.
EXTENSIONS = {
    PDF: ("pdf",),
    PNG: ("png",),
    JPEG: ("jpg", "jpeg"),
    GIF: ("gif",),
    WEBP: ("webp",),
    XLSX: ("xlsx",),
    DOCX: ("docx",),
    PPTX: ("pptx",),
    MP4: ("mp4",),
}
MAX_NAME_LENGTH = 200
_OFFICE_MARKERS = {"xl/": XLSX, "word/": DOCX, "ppt/": PPTX}
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)


def sniff(data: bytes) -> str | None:
    """The file type of ``data`` (one of the constants above), or None for anything else."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if len(data) > 12 and data[4:8] == b"ftyp":
        return MP4
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        for prefix, kind in _OFFICE_MARKERS.items():
            if any(n.startswith(prefix) for n in names):
                return kind
    return None


def honest_name(filename: str | None, kind: str, default: str = "file") -> str:
    """The name to keep and offer for a file of type ``kind`` that the user called ``filename``: its base
    name (no folders), with the ending of what the file really is, so a PDF sent as ``a.html`` is ``a.pdf``."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, ending = name.rpartition(".")
    if not dot:
        stem, ending = name, ""
    endings = EXTENSIONS[kind]
    ending = ending.lower() if ending.lower() in endings else endings[0]
    stem = stem.strip() or default
    return f"{stem[: MAX_NAME_LENGTH - len(ending) - 1]}.{ending}"
