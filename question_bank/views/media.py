"""Stem images: trainers upload them (stored under a random name, typed by content), everyone signed in
may load them (candidates see them in exams)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import abort, current_app, request, send_file, url_for

from core import uploads
from core.auth import login_required, role_required
from core.forms import PostForm
from core.i18n import gettext as _
from core.storage import write_file
from question_bank.views import bp
from question_bank.views.common import BANK_ROLES

MEDIA_MAX_BYTES = 2 * 1024 * 1024
_MEDIA_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")
# Stem images: the type from the content; JPEG files keep the ``.jpg`` ending earlier uploads have.
_MEDIA_ENDINGS = {uploads.PNG: "png", uploads.JPEG: "jpg", uploads.GIF: "gif", uploads.WEBP: "webp"}


def _media_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "question_media"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.post("/media")
@role_required(*BANK_ROLES)
def upload_media():
    """Store an image for a stem; answers the HTML to paste. The name is random, never the upload's."""
    if not PostForm().validate_on_submit():
        abort(400)
    upload = request.files.get("image")
    data = upload.stream.read(MEDIA_MAX_BYTES + 1) if upload else b""
    if not data or len(data) > MEDIA_MAX_BYTES:
        return {"error": _("Upload an image of at most 2 MB.")}, 400
    kind = _MEDIA_ENDINGS.get(uploads.sniff(data))
    if kind is None:
        return {"error": _("Only PNG, JPEG, GIF and WebP images are accepted.")}, 400
    name = f"{secrets.token_hex(16)}.{kind}"
    write_file(_media_dir() / name, data)
    url = url_for("question_bank.media", name=name)
    return {"url": url, "html": f'<img src="{url}" alt="">'}


@bp.get("/media/<name>")
@login_required
def media(name: str):
    """Stem images are shown to candidates too, so any signed-in user may load them."""
    if not _MEDIA_NAME.match(name):
        abort(404)
    path = _media_dir() / name
    if not path.is_file():
        abort(404)
    return send_file(path, max_age=86400)
