"""Form helpers shared by every package."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm


class PostForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST (mark read, approve, delete)."""


def safe_next_url(target: str | None) -> str | None:
    """``target`` when it is a local path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
