"""The ways the reports package refuses (messages for the user, answered by ``core.errors``)."""

from __future__ import annotations

from core.errors import DomainError


class ReportError(DomainError):
    """A report cannot be made as asked; the message says why (400)."""

    status = 400
