"""Question types and statuses as the user reads them (lazily translated), for templates, forms and exports."""

from __future__ import annotations

from core.i18n import lazy_gettext as _l
from question_bank.models import QuestionStatus, QuestionType

TYPE_LABELS = {
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple choice"),
    QuestionType.TRUEFALSE: _l("True/false"),
    QuestionType.FILL: _l("Fill in the blank"),
    QuestionType.ESSAY: _l("Short answer"),
    QuestionType.MATCHING: _l("Matching"),
    QuestionType.NUMERICAL: _l("Numerical"),
    QuestionType.DESCRIPTION: _l("Description"),
}


def type_label(question_type: str) -> str:
    """A question type in words (an unknown code stays as it is)."""
    return str(TYPE_LABELS.get(question_type, question_type))


STATUS_LABELS = {
    QuestionStatus.DRAFT: _l("Draft"),
    QuestionStatus.PUBLISHED: _l("Published"),
    QuestionStatus.RETIRED: _l("Retired"),
}


# The audit log's words for this package: its audited models and the actions it records.
AUDIT_OBJECTS = {
    "Category": _l("Question category"),
    "Question": _l("Question"),
    "QuestionVersion": _l("Question version"),
    "Tag": _l("Question tag"),
}
AUDIT_ACTIONS = {
    "question_bank.import": _l("Questions imported"),
    "question_bank.export": _l("Questions exported"),
}


# What this package's background jobs are called on their progress page.
JOB_KINDS = {"question_import": _l("Importing questions")}
