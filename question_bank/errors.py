"""The question bank's refusals: each a ``DomainError`` with the HTTP status it is answered with."""

from __future__ import annotations

from core.errors import DomainError


class QuestionError(DomainError):
    """A rule about questions was broken (content that does not validate); the message is shown to the user."""

    status = 400


class CategoryError(DomainError):
    """A rule about categories was broken: bad name or move (400); name taken or category in use (409)."""

    status = 400


class FormatError(DomainError):
    """The file as a whole cannot be read (not UTF-8, not XML, not a workbook)."""

    status = 400


class ImportRejected(DomainError):
    """The file was rejected; ``problems`` says why, question by question."""

    status = 400

    def __init__(self, problems: list):
        super().__init__("; ".join(str(p) for p in problems[:20]))
        self.problems = problems
