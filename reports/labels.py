"""Words for the reports package: the sheet's forms and statuses, the dashboard's measures, the audit log's
words for what this package records."""

from __future__ import annotations

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext
from drills.labels import PARTICIPANT_ROLE_LABELS, TIER_LABELS
from incentives.labels import CATEGORY_LABELS
from training.labels import FORMAT_LABELS, STATUS_LABELS

FORM_LABELS = {**FORMAT_LABELS, "other": _l("Other training (recorded by HR)")}
QUALIFICATION_STATUS_LABELS = {**STATUS_LABELS, "missing": _l("Not held")}
ROLE_LABELS = PARTICIPANT_ROLE_LABELS
DRILL_TIER_LABELS = TIER_LABELS
POINT_CATEGORY_LABELS = CATEGORY_LABELS

FREQUENCY_LABELS = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly")}
DELIVERY_STATUS_LABELS = {
    "sending": lazy_pgettext("delivery status", "Sending"),
    "sent": lazy_pgettext("delivery status", "Sent"),
    "failed": lazy_pgettext("delivery status", "Failed"),
}

AUDIT_OBJECTS = {
    "ServiceIndicator": _l("service indicators"),
    "ReportSettings": _l("dashboard settings"),
    "ReportSubscription": _l("report subscription"),
    "AssignmentRule": _l("assignment rule"),
}

AUDIT_ACTIONS = {
    "report.sheet_viewed": _l("Assessment sheet viewed"),
    "report.sheet_pdf": _l("Assessment sheet downloaded as PDF"),
    "report.sheet_xlsx": _l("Assessment sheet downloaded as a workbook"),
    "report.sheets_zip": _l("Assessment sheets of a department made"),
    "report.sheets_zip_downloaded": _l("Assessment sheets of a department downloaded"),
    "report.readiness_viewed": _l("Readiness dashboard viewed"),
    "report.readiness_xlsx": _l("Readiness dashboard downloaded as a workbook"),
    "report.indicators_imported": _l("Service indicators imported"),
    "report.delivery_resent": _l("Scheduled report sent again"),
    "report.assignment_run": _l("Assignment rule applied"),
    "report.anonymised": _l("Departed staff anonymised"),
}

JOB_KINDS = {
    "reports.sheets_zip": _l("Assessment sheets of a department"),
    "reports.resend": _l("A scheduled report sent again"),
}

ASSIGNMENT_KIND_LABELS = {
    "course": _l("A position completes a course every few months"),
    "renewal": _l("Certificate holders join the renewal exam before expiry"),
}
