"""What the points scheme's closed sets are called on pages and in exports (lazily translated)."""

from __future__ import annotations

from core.auth import STAFF_ROLES, Role
from core.i18n import lazy_gettext as _l
from core.notice_settings import NoticeKind
from incentives.models import PeriodKind, RuleCategory, Trigger

TRIGGER_LABELS = {
    Trigger.EXAM_PASSED: _l("Exam passed"),
    Trigger.EXAM_EXCELLENT: _l("Exam score at or above the threshold"),
    Trigger.EXAM_FIRST_ATTEMPT: _l("Exam passed at the first attempt"),
    Trigger.TRAINING_HOUR: _l("Training completed (per hour)"),
    Trigger.QUALIFICATION: _l("Qualification earned"),
    Trigger.DRILL_PARTICIPATION: _l("Took part in a drill"),
    Trigger.DRILL_EXCELLENT: _l("Drill rated excellent"),
    Trigger.ACTION_ON_TIME: _l("Corrective action closed on time"),
    Trigger.PRACTICE_RIGHT: _l("Self-practice question answered right (once per question a day)"),
    Trigger.MANUAL: _l("Entered by hand, approved by HR"),
}
CATEGORY_LABELS = {
    RuleCategory.EXAM: _l("Exams"),
    RuleCategory.TRAINING: _l("Training"),
    RuleCategory.DRILL: _l("Drills"),
    RuleCategory.ACTION: _l("Corrective actions"),
    RuleCategory.PRAISE: _l("Customer praise"),
    RuleCategory.COMPLAINT: _l("Customer complaint"),
    RuleCategory.INNOVATION: _l("Service innovation"),
    RuleCategory.OTHER: _l("Other"),
}
PERIOD_LABELS = {
    PeriodKind.MONTH: _l("Month"),
    PeriodKind.QUARTER: _l("Quarter"),
    PeriodKind.YEAR: _l("Year"),
}
# A rule's points may also be capped per day (practice); selections and leaderboards never run by day.
CAP_PERIOD_LABELS = {PeriodKind.DAY: _l("Day"), **PERIOD_LABELS}


# The audit log's words for this package: its audited models and the actions it records.
AUDIT_OBJECTS = {
    "Appeal": _l("Points appeal"),
    "IncentiveSettings": _l("Incentive settings"),
    "PointClaim": _l("Points claim"),
    "PointEntry": _l("Points ledger entry"),
    "PointRule": _l("Points rule"),
    "StarApprover": _l("Designated approver of service stars"),
    "StarNomination": _l("Service star nomination"),
    "StarSelection": _l("Service star selection"),
    "StarSnapshot": _l("Published service-star ranking"),
}
AUDIT_ACTIONS = {
    "point_claim.attachment_read": _l("Points claim attachment opened"),
    "incentives.ledger_export": _l("Points ledger exported"),
    "star_selection.corrected": _l("Published service-star ranking corrected"),
}


# The package's notice kinds on the notification settings page (``core.notice_settings``).
_NOTICES = _l("Points")
_HR = (Role.HR,)
NOTICE_KINDS = [
    NoticeKind("incentives.points", _l("Points awarded"), _NOTICES, order=500),
    NoticeKind("incentives.entry", _l("Points entry approved"), _NOTICES, order=501),
    NoticeKind("incentives.correction", _l("Points entry corrected"), _NOTICES, order=502),
    NoticeKind("incentives.appeal_resolved", _l("Appeal decided"), _NOTICES, order=503),
    NoticeKind("incentives.star", _l("Service star awarded"), _NOTICES, order=504),
    NoticeKind(
        "incentives.claim_decided",
        _l("Decision on a points entry you made"),
        _NOTICES,
        roles=STAFF_ROLES,
        order=505,
    ),
    NoticeKind("incentives.claim", _l("Points entry to approve"), _NOTICES, roles=_HR, order=506),
    NoticeKind("incentives.appeal", _l("New points appeal"), _NOTICES, roles=_HR, order=507),
    NoticeKind(
        "incentives.selection", _l("Service-star nominations to approve"), _NOTICES, roles=_HR, order=508
    ),
    NoticeKind(
        "incentives.selection_returned",
        _l("Service-star nominations returned"),
        _NOTICES,
        roles=STAFF_ROLES,
        order=509,
    ),
]
