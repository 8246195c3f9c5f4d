"""The training package's refusals: each a ``DomainError`` with the message the user reads."""

from __future__ import annotations

from core.errors import DomainError


class TrainingError(DomainError):
    """A training rule was broken (sessions, enrolment, plans, courses, hours)."""

    status = 400


class UploadError(TrainingError):
    """An uploaded file is refused (too large, empty or of a type not accepted)."""

    status = 400


class QualificationError(TrainingError):
    """A qualification record cannot be granted, recorded or revoked as asked."""

    status = 400


class CertificateError(TrainingError):
    """A certificate cannot be issued, reissued or revoked as asked."""

    status = 400
