"""The ways a rule about people and access refuses (messages for the user, answered by ``core.errors``)."""

from __future__ import annotations

from core.errors import DomainError


class AccountError(DomainError):
    """A rule about accounts, departments or roles was broken (bad input: 400)."""

    status = 400


class LoginFailed(AccountError):
    """A sign-in was refused. What the attempt recorded (the failure counter, a lock, the audit entry)
    is kept even though the sign-in fails."""

    keeps_changes = True
