"""Masking of personal data shown on screen (national ID numbers, phone numbers)."""

from __future__ import annotations


def mask_national_id(value: str | None) -> str:
    """``110105199001011234`` → ``110***********1234``: the first three and last four characters stay."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
