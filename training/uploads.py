"""Uploaded files (course materials, certificate scans): size limit, type allowlist checked by the file's
content (magic bytes, not its name or declared type), stored under UPLOAD_DIR with a generated name."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import current_app

from core.extensions import db
from core.i18n import gettext as _
from core.storage import write_file
from core.uploads import CONTENT_TYPES, DOCX, JPEG, MP4, PDF, PNG, PPTX, XLSX, honest_name, sniff
from training.errors import UploadError
from training.models import StoredFile

MATERIAL_MAX_BYTES = 50 * 1024 * 1024
SCAN_MAX_BYTES = 10 * 1024 * 1024

SCAN_TYPES = (PDF, PNG, JPEG)
MATERIAL_TYPES = (PDF, PNG, JPEG, XLSX, DOCX, PPTX, MP4)


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "training"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(storage, *, allowed: tuple[str, ...], max_bytes: int, user=None) -> StoredFile:
    """Check and keep an uploaded file; raises UploadError for one too large, empty or of a wrong type."""
    data = storage.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    if not data:
        raise UploadError(_("The file is empty."))
    kind = sniff(data)
    if kind not in allowed:
        names = ", ".join(k.upper() for k in allowed)
        raise UploadError(_("This type of file is not accepted. Allowed: %(types)s.", types=names))
    stored_name = f"{secrets.token_hex(16)}.{kind}"
    write_file(upload_dir() / stored_name, data)
    record = StoredFile(
        stored_name=stored_name,
        original_name=honest_name(storage.filename, kind),
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=user.id if user is not None else None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def file_path(stored: StoredFile) -> Path:
    """Where a stored file lives (its generated name only)."""
    return upload_dir() / Path(stored.stored_name).name


def offered_name(stored: StoredFile) -> str:
    """The name a stored file is downloaded under: ending with its real type (also for files kept before
    names were checked)."""
    kind = Path(stored.stored_name).suffix.lstrip(".")
    return honest_name(stored.original_name, kind) if kind in CONTENT_TYPES else stored.original_name
