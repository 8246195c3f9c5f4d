"""Exam settings and attempt statuses in words (lazily translated), for forms, templates and exports."""

from __future__ import annotations

from core.i18n import lazy_gettext as _l
from core.notice_settings import NoticeKind
from exams.grading import MultipleRule
from exams.models import AttemptStatus, ExamPurpose, GradingMethod, ResultsRelease, ReviewStatus

PURPOSE_LABELS = {
    ExamPurpose.CERTIFICATION: _l("Certification"),
    ExamPurpose.ASSESSMENT: _l("Training assessment"),
    ExamPurpose.PRACTICE: _l("Practice"),
}

GRADING_METHOD_LABELS = {GradingMethod.HIGHEST: _l("Highest attempt"), GradingMethod.LAST: _l("Last attempt")}

MULTIPLE_RULE_LABELS = {
    MultipleRule.ALL_OR_NOTHING: _l("All or nothing"),
    MultipleRule.PARTIAL_NO_WRONG: _l("Partial credit for missed options, none for a wrong one"),
    MultipleRule.FRACTIONS: _l("Per-option weights (Moodle)"),
}

RELEASE_LABELS = {
    ResultsRelease.IMMEDIATE: _l("Immediately after submitting"),
    ResultsRelease.AFTER_CLOSE: _l("After the window closes"),
    ResultsRelease.AFTER_GRADING: _l("After manual grading is finished"),
}

ATTEMPT_STATUS_LABELS = {
    AttemptStatus.OPEN: _l("In progress"),
    AttemptStatus.SUBMITTED: _l("Awaiting grading"),
    AttemptStatus.GRADED: _l("Graded"),
}

MONITOR_STATE_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "submitted": _l("Handed in"),
    "auto_submitted": _l("Handed in automatically or collected"),
    "absent": _l("Absent from the exam"),
}

REVIEW_STATUS_LABELS = {
    ReviewStatus.OPEN: _l("Waiting for an answer"),
    ReviewStatus.UPHELD: _l("The marking stands"),
    ReviewStatus.CHANGED: _l("Mark changed"),
}

FOCUS_KIND_LABELS = {"hidden": _l("Page hidden"), "blur": _l("Window lost focus")}


# The audit log's words for this package: its audited models and the actions it records.
AUDIT_OBJECTS = {
    "Attempt": _l("Exam attempt"),
    "AttemptItem": _l("Answer"),
    "BlueprintRule": _l("Paper blueprint rule"),
    "BlueprintSection": _l("Paper blueprint section"),
    "Exam": _l("Exam"),
    "ExamAudience": _l("Exam audience"),
    "PaperBlueprint": _l("Paper blueprint"),
    "Arrangement": _l("Candidate arrangement"),
    "ExamInvigilator": _l("Invigilator"),
    "ExamMessage": _l("Message to candidates"),
    "ReviewRequest": _l("Score review request"),
}
AUDIT_ACTIONS = {
    "attempt.start": _l("Exam started"),
    "exam.pool_refreshed": _l("Question pool taken afresh from the bank"),
    "attempt.submit": _l("Exam handed in"),
    "attempt.auto_submit": _l("Exam handed in automatically (time up)"),
    "attempt_item.grade": _l("Answer marked"),
    "exam.regrade": _l("Exam regraded"),
    "exam.results_export": _l("Exam results exported"),
    "exam.paper_export": _l("Exam paper exported for printing"),
    "blueprint.paper_export": _l("Sample paper exported for printing"),
    "exam.arrangement": _l("Candidate arrangement granted"),
    "exam.arrangement_removed": _l("Candidate arrangement removed"),
    "attempt.collect": _l("Exam paper collected by the invigilator"),
    "exam.collect_all": _l("All papers collected"),
    "attempt.reopen": _l("Exam attempt reopened"),
    "exam.message": _l("Message sent to candidates"),
    "exam.absentees_export": _l("Absentees exported"),
    "exam.makeup_round": _l("Make-up round created"),
    "review.request": _l("Score review requested"),
    "review.answer": _l("Score review answered"),
}


# The package's notice kinds on the notification settings page (``core.notice_settings``).
_NOTICES = _l("Exams")
NOTICE_KINDS = [
    NoticeKind("exam.marked", _l("Marking of my answers finished"), _NOTICES, order=300),
    NoticeKind("exam.regraded", _l("My result changed after a corrected key"), _NOTICES, order=301),
]
