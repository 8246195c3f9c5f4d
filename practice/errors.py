"""How the practice package refuses."""

from __future__ import annotations

from core.errors import DomainError


class PracticeError(DomainError):
    """A practice rule was broken (bad input: HTTP 400)."""


class NotAvailable(PracticeError):
    """The run, question or page does not exist for this person (HTTP 404, never 403)."""

    status = 404


class RunClosed(PracticeError):
    """The run takes no more answers (finished, or a mock exam past its time): HTTP 409."""

    status = 409
