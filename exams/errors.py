"""How the exams package refuses: each error carries the user's message and the HTTP status it answers with."""

from __future__ import annotations

from core.errors import DomainError


class ExamError(DomainError):
    """A rule about blueprints, exams or grading was broken (bad input: HTTP 400)."""


class NotAvailable(ExamError):
    """The exam, attempt or question does not exist for this user (HTTP 404, never 403)."""

    status = 404


class BlueprintLocked(ExamError):
    """Candidates have sat an exam drawn from the blueprint, so its structure may no longer change (409)."""

    status = 409


class CannotStart(ExamError):
    """The exam cannot be started now: not open yet, closed, attempts used up or no paper can be drawn (409).

    What was recorded on the way (an expired attempt auto-submitted before the refusal) is kept."""

    status = 409
    keeps_changes = True


class AttemptClosed(ExamError):
    """The attempt no longer takes answers (submitted, or past its deadline): HTTP 409."""

    status = 409


class BadAnswer(ExamError):
    """The answer does not fit the question (HTTP 400)."""
