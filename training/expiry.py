"""Expiry status of certificates and qualification records, computed for an injected ``today``.

Decisions (the issue is silent on the exact boundaries):
- ``expires_on`` is the last day the certificate is valid; from the next day on it is 已过期.
- 即将到期 when 0 ≤ days left ≤ 90 (``EXPIRING_DAYS``). Inside that, the 30-day window is flagged
  (``URGENT_DAYS``): reminders go out once at 90 days, once at 30 days and once on expiry (window 0).
- A revoked record is 已吊销 whatever its dates say.
"""

from __future__ import annotations

import datetime as dt
import enum

EXPIRING_DAYS = 90
URGENT_DAYS = 30
WINDOWS = (90, 30, 0)


class ExpiryStatus(enum.StrEnum):
    VALID = "valid"  # 有效
    EXPIRING = "expiring"  # 即将到期
    EXPIRED = "expired"  # 已过期
    REVOKED = "revoked"  # 已吊销


STATUS_BADGES = {
    ExpiryStatus.VALID: "success",
    ExpiryStatus.EXPIRING: "warning",
    ExpiryStatus.EXPIRED: "danger",
    ExpiryStatus.REVOKED: "secondary",
}


def days_left(expires_on: dt.date | None, today: dt.date) -> int | None:
    """Days from ``today`` to the last valid day (negative once expired; None: never expires)."""
    if expires_on is None:
        return None
    return (expires_on - today).days


def expiry_status(expires_on: dt.date | None, today: dt.date, *, revoked: bool = False) -> ExpiryStatus:
    """有效 / 即将到期 / 已过期 / 已吊销 on ``today``."""
    if revoked:
        return ExpiryStatus.REVOKED
    left = days_left(expires_on, today)
    if left is None or left > EXPIRING_DAYS:
        return ExpiryStatus.VALID
    if left >= 0:
        return ExpiryStatus.EXPIRING
    return ExpiryStatus.EXPIRED


def expiry_window(expires_on: dt.date | None, today: dt.date) -> int | None:
    """The reminder window ``today`` falls in: 90 (31–90 days left), 30 (0–30 days), 0 (expired)."""
    left = days_left(expires_on, today)
    if left is None or left > EXPIRING_DAYS:
        return None
    if left > URGENT_DAYS:
        return 90
    if left >= 0:
        return 30
    return 0


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def expiry_for(issued_on: dt.date, validity_months: int | None) -> dt.date | None:
    """The last valid day of a certificate issued on ``issued_on`` with this validity."""
    if not validity_months:
        return None
    return add_months(issued_on, validity_months) - dt.timedelta(days=1)
