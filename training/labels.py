"""Enum → lazily translated label, for templates, forms and exports (training formats, plan periods, expiry
statuses, certificate kinds, matrix flags)."""

from __future__ import annotations

from core.i18n import lazy_gettext as _l
from core.notice_settings import NoticeKind
from training.expiry import ExpiryStatus
from training.models import CertificateKind, CourseFormat, PlanPeriod

FORMAT_LABELS = {
    CourseFormat.CLASSROOM: _l("Classroom training"),
    CourseFormat.ONLINE: _l("Online training"),
    CourseFormat.FIELD_DRILL: _l("Field drill"),
    CourseFormat.SIMULATION: _l("Simulation drill"),
}

PERIOD_LABELS = {
    PlanPeriod.YEAR: _l("Whole year"),
    PlanPeriod.H1: _l("First half-year"),
    PlanPeriod.H2: _l("Second half-year"),
}

STATUS_LABELS = {
    ExpiryStatus.VALID: _l("Valid"),
    ExpiryStatus.EXPIRING: _l("Expiring soon"),
    ExpiryStatus.EXPIRED: _l("Expired"),
    ExpiryStatus.REVOKED: _l("Revoked"),
}

# Where an enrolment stands (``course_sessions.attendance_state``).
ATTENDANCE_LABELS = {
    "enrolled": _l("Enrolled"),
    "waitlisted": _l("Waiting list"),
    "withdrawn": _l("Withdrawn"),
    "checked_in": _l("Checked in, hours after the session"),
    "late": _l("Checked in late, hours after the session"),
    "checked_out": _l("Checked out, awaiting confirmation"),
    "confirmed": _l("Attendance confirmed, awaiting the exam"),
    "partial": _l("Partly attended: hours credited in proportion"),
    "completed": _l("Completed"),
}

CHECKIN_METHODS = {"qr": _l("QR code"), "trainer": _l("trainer's list")}

KIND_LABELS = {
    CertificateKind.QUALIFICATION: _l("Qualification certificate"),
    CertificateKind.TRAINING_COMPLETION: _l("Training completion certificate"),
    CertificateKind.COMMENDATION: _l("Commendation"),
}

# The 持证上岗 matrix's cell flags (see ``qualifications.matrix_rows``).
MATRIX_FLAGS = {
    "missing": _l("Missing"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
    "expiring": _l("Expiring soon"),
    "ok": _l("Held"),
}


# The audit log's words for this package: its audited models and the actions it records.
AUDIT_OBJECTS = {
    "Certificate": _l("Certificate"),
    "CertificateType": _l("Certificate type"),
    "Course": _l("Course"),
    "CourseCompletion": _l("Course completion"),
    "CourseExamPass": _l("Course exam passed"),
    "CourseMaterial": _l("Course material"),
    "Enrolment": _l("Enrolment"),
    "HoursEntry": _l("Training hours entry"),
    "KnowledgePoint": _l("Knowledge point"),
    "PlanItem": _l("Training plan item"),
    "QualificationRecord": _l("Qualification record"),
    "StoredFile": _l("Stored file"),
    "TrainingPlan": _l("Training plan"),
    "TrainingSession": _l("Training session"),
}
AUDIT_ACTIONS = {
    "certificate.issued": _l("Certificates issued"),
    "qualification.scan_viewed": _l("Certificate scan viewed"),
    "training.matrix_exported": _l("Qualification matrix exported"),
}


# What this package's background jobs are called on their progress page.
JOB_KINDS = {
    "training.certificates": _l("Issuing certificates"),
    "training.session_completion": _l("Completing a training session"),
}

# The package's notice kinds on the notification settings page (``core.notice_settings``).
_GROUP = _l("Training")
NOTICE_KINDS = [
    NoticeKind("training.enrolled", _l("Enrolment in a training session confirmed"), _GROUP, order=200),
    NoticeKind("training.waitlisted", _l("Put on a session's waiting list"), _GROUP, order=201),
    NoticeKind("training.promoted", _l("Moved up from the waiting list"), _GROUP, order=202),
    NoticeKind("training.session_reminder", _l("Reminder the day before a session"), _GROUP, order=203),
    NoticeKind("training.hours", _l("Training hours credited"), _GROUP, order=204),
    NoticeKind("training.certificate", _l("Certificate issued"), _GROUP, order=205),
    NoticeKind("training.expiry", _l("Certificate expiring or expired"), _GROUP, order=206),
]
