"""Checks on personal identifiers: the GB 11643-1999 national ID check digit and mainland mobile numbers."""

from __future__ import annotations

import datetime as dt
import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def national_id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_national_id(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def national_id_problem(value: str) -> str | None:
    """None when ``value`` is a valid 18-character ID number, else a short English reason code."""
    value = normalise_national_id(value)
    if not _ID_RE.match(value):
        return "format"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birthdate"
    if national_id_check_digit(value[:17]) != value[17]:
        return "check_digit"
    return None


def normalise_phone(value: str) -> str:
    value = re.sub(r"[\s()]", "", value.strip())
    if value.startswith("+86"):
        value = value[3:]
    return value


def phone_is_valid(value: str) -> bool:
    """A mainland mobile number (11 digits starting 13–19) or a landline with area code."""
    value = normalise_phone(value)
    return bool(_MOBILE_RE.match(value) or _LANDLINE_RE.match(value))
