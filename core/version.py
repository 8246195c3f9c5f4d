"""The application's version. Its one source is ``version`` in pyproject.toml.

A source checkout (also an editable install, whose installed metadata keeps the version it was installed
with) reads pyproject.toml; an installed wheel reads its package metadata (importlib.metadata).
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from functools import cache

from core.config import PROJECT_ROOT

UNKNOWN = "0+unknown"


@cache
def app_version() -> str:
    """The running release, e.g. ``1.1.0``."""
    pyproject = PROJECT_ROOT / "pyproject.toml"
    if pyproject.is_file():
        try:
            return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            pass
    try:
        return importlib.metadata.version("gridready")
    except importlib.metadata.PackageNotFoundError:
        return UNKNOWN
