"""The ways a rule of the points scheme refuses (messages for the user, answered by ``core.errors``)."""

from __future__ import annotations

from core.errors import DomainError


class IncentiveError(DomainError):
    """A rule of the incentive scheme was broken; the message is shown to the user (400)."""

    status = 400
