"""Question types and statuses as the user reads them (lazily translated), for templates, forms and exports."""

from __future__ import annotations

from core.i18n import lazy_gettext as _l
from core.notice_settings import NoticeKind
from question_bank.models import QuestionStatus, QuestionType, ReviewDecision, ReviewStatus

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


# Review before use (question_bank/review.py).
REVIEW_STATUS_LABELS = {
    ReviewStatus.DRAFT: _l("Waiting for review"),
    ReviewStatus.RETURNED: _l("Sent back"),
    ReviewStatus.APPROVED: _l("Passed review"),
    ReviewStatus.FLAGGED: _l("Flagged by statistics"),
}
REVIEW_DECISION_LABELS = {
    ReviewDecision.APPROVED: _l("Passed review"),
    ReviewDecision.RETURNED: _l("Sent back"),
    ReviewDecision.FLAGGED: _l("Flagged by statistics"),
}


def review_figures(figures: dict) -> str:
    """A statistics flag's figures in words: responses, facility and discrimination (fractions, as the
    thresholds are stated: facility above 0.95, discrimination below 0.1)."""
    disc = figures.get("discrimination")
    return str(
        _l(
            "%(n)d responses, facility %(facility)s, discrimination %(discrimination)s",
            n=figures.get("responses", 0),
            facility=f"{figures['facility']:.2f}" if figures.get("facility") is not None else "—",
            discrimination=f"{disc:.2f}" if disc is not None else "—",
        )
    )


def review_status_label(status: str) -> str:
    """A question's review state in words."""
    return str(REVIEW_STATUS_LABELS.get(status, status))


# The audit log's words for this package: its audited models and the actions it records.
AUDIT_OBJECTS = {
    "Category": _l("Question category"),
    "Question": _l("Question"),
    "QuestionVersion": _l("Question version"),
    "Tag": _l("Question tag"),
    "EnemyGroup": _l("Enemy group"),
    "QuestionReview": _l("Question review"),
}
AUDIT_ACTIONS = {
    "question_bank.import": _l("Questions imported"),
    "question_bank.export": _l("Questions exported"),
    "question_bank.enemy_group_confirmed": _l("Enemy group confirmed"),
    "question_bank.enemy_group_dismissed": _l("Enemy group proposal dismissed"),
    "question_bank.enemy_group_changed": _l("Question removed from an enemy group"),
    "question_bank.review_approved": _l("Question approved in review"),
    "question_bank.review_returned": _l("Question sent back in review"),
    "question_bank.review_flagged": _l("Question flagged by item statistics"),
}

# The package's notice kinds on the notification settings page (``core.notice_settings``).
NOTICE_KINDS = [
    NoticeKind("question_bank.review", _l("A trainer reviewed my question"), _l("Question bank"), order=250),
]


# What this package's background jobs are called on their progress page.
JOB_KINDS = {"question_import": _l("Importing questions")}


# Item-writing lint (question_bank/lint.py, docs/item-writing.md).
LINT_SEVERITY_LABELS = {"error": _l("Gives an answer away"), "warning": _l("Cue"), "info": _l("Worth a look")}
LINT_CODE_LABELS = {
    "longest_key": _l("The key is the longest option"),
    "absolute_word": _l("False statement with an absolute word"),
    "position_bias": _l("Keys sit on one letter"),
    "most_options_right": _l("The key marks most of the options"),
    "key_leak": _l("Key printed in another question's stem"),
    "near_duplicate": _l("Nearly the same stem as another question"),
    "cover_all_option": _l("Option “all / none of the above”"),
}


def lint_message(finding) -> str:
    """What a lint finding says, in words."""
    d = finding.detail
    if finding.code == "longest_key":
        return _l("Option %(id)s is clearly the longest and it is the key.", id=d.get("option", ""))
    if finding.code == "absolute_word":
        return _l("The statement is false and holds “%(words)s”.", words=d.get("words", ""))
    if finding.code == "position_bias":
        return _l(
            "%(type)s: %(percent)d%% of the keys of %(items)d questions are %(letter)s.",
            type=type_label(d.get("type", "")), percent=d.get("percent", 0), items=d.get("items", 0),
            letter=d.get("letter", ""),
        )  # fmt: skip
    if finding.code == "most_options_right":
        return _l(
            "%(right)d of %(options)d options are right.",
            right=d.get("right", 0),
            options=d.get("options", 0),
        )
    if finding.code == "key_leak":
        return _l("Its key stands in the stem of: %(others)s", others="、".join(finding.other_refs))
    if finding.code == "near_duplicate":
        return _l("Compare with %(others)s.", others="、".join(finding.other_refs))
    return str(LINT_CODE_LABELS.get(finding.code, finding.code))


def lint_code_label(code: str) -> str:
    """A lint finding's kind in words."""
    return str(LINT_CODE_LABELS.get(code, code))
