"""The words for the drills package's enums (lazily translated), used by templates, messages and exports."""

from __future__ import annotations

from core.auth import STAFF_ROLES
from core.i18n import lazy_gettext as _l
from core.notice_settings import NoticeKind
from drills.conduct_models import FlowStep
from drills.evaluation_models import ActionStatus, FindingKind, Level, Method, Severity
from drills.models import ContentType, DrillStatus, IncidentType, ParticipantRole, Tier
from drills.team_models import TeamRole

# The five steps of the response flow (guide 6.3), used by the observation log's quick templates.
STEP_LABELS = {
    FlowStep.REPORT: _l("Discovery and reporting"),
    FlowStep.ASSESS: _l("Assessment and grading"),
    FlowStep.ACTIVATE: _l("Activating the response"),
    FlowStep.RESPOND: _l("Response and coordination"),
    FlowStep.RECOVER: _l("Recovery and review"),
}

# How a released inject kept to its planned time (``drills.conduct.punctuality``).
PUNCTUALITY_LABELS = {
    "on_time": _l("On time"),
    "early": _l("Early"),
    "late": _l("Late"),
}

INCIDENT_LABELS = {
    IncidentType.BLACKOUT: _l("Large-area blackout"),
    IncidentType.EQUIPMENT: _l("Equipment failure"),
    IncidentType.SERVICE_SYSTEM: _l("Marketing / customer-service system failure"),
    IncidentType.NATURAL: _l("Natural disaster"),
    IncidentType.CYBER: _l("Network and information security incident"),
    IncidentType.MAJOR_EVENT: _l("Power assurance for major events"),
    IncidentType.MASS_INCIDENT: _l("Mass incident"),
}

CONTENT_LABELS = {
    ContentType.SIMULATED_EVENT: _l("Simulated event"),
    ContentType.RESPONSE: _l("Emergency response"),
    ContentType.CUSTOMER_COMMS: _l("Customer communication"),
    ContentType.MATERIALS: _l("Materials dispatch"),
}

STATUS_LABELS = {
    DrillStatus.PLANNED: _l("Planned"),
    DrillStatus.APPROVED: _l("Approved"),
    DrillStatus.CONDUCTED: _l("Conducted"),
    DrillStatus.EVALUATING: _l("Evaluating"),
    DrillStatus.REPORTED: _l("Reported"),
    DrillStatus.IMPROVING: _l("Improving"),
    DrillStatus.CLOSED: _l("Closed"),
    DrillStatus.CANCELLED: _l("Cancelled"),
}

# Where an approved drill stands in time, as the people taking part read it (``phase_label``): an
# employee reads 已批准 on a drill still ahead as "passed"; they are told 即将开始 instead.
PHASE_LABELS = {
    "upcoming": _l("Upcoming"),
    "in_progress": _l("In progress"),
    "awaiting_record": _l("Held, attendance being recorded"),
}


def phase_label(drill, now):
    """The drill's status for the people taking part: an approved drill by time (upcoming, in progress,
    held), every other status by its lifecycle word."""
    if drill.status != DrillStatus.APPROVED:
        return STATUS_LABELS[drill.status]
    if now < drill.starts_at:
        return PHASE_LABELS["upcoming"]
    if now < drill.ends_at:
        return PHASE_LABELS["in_progress"]
    return PHASE_LABELS["awaiting_record"]


# The status inside a sentence on the compliance board ("… is not yet evaluated (status: planned)").
STATUS_IN_SENTENCE = {
    DrillStatus.PLANNED: _l("planned"),
    DrillStatus.APPROVED: _l("approved"),
    DrillStatus.CONDUCTED: _l("conducted"),
    DrillStatus.EVALUATING: _l("evaluating"),
    DrillStatus.REPORTED: _l("reported"),
    DrillStatus.IMPROVING: _l("improving"),
    DrillStatus.CLOSED: _l("closed"),
}

TIER_LABELS = {
    Tier.EXCELLENT: _l("Excellent"),
    Tier.GOOD: _l("Good"),
    Tier.PASS: _l("Pass"),
    Tier.FAIL: _l("Fail"),
}

PARTICIPANT_ROLE_LABELS = {
    ParticipantRole.COMMANDER: _l("Commander"),
    ParticipantRole.CONTROLLER: _l("Controller"),
    ParticipantRole.EVALUATOR: _l("Evaluator"),
    ParticipantRole.PLAYER: _l("Player"),
    ParticipantRole.OBSERVER: _l("Observer"),
}

TEAM_ROLE_LABELS = {
    TeamRole.LEADER: _l("Team leader"),
    TeamRole.DEPUTY: _l("Deputy team leader"),
    TeamRole.REPAIR: _l("Repair crew member"),
    TeamRole.TECHNICAL: _l("Technical support"),
    TeamRole.CUSTOMER_SERVICE: _l("Customer-service liaison"),
    TeamRole.LOGISTICS: _l("Logistics support"),
}

# The evaluation ratings (HSEEP P/S/M/U): the letter stays as a tag beside its meaning.
RATING_LABELS = {
    Level.P: _l("Performed without challenges"),
    Level.S: _l("Performed with some challenges"),
    Level.M: _l("Performed with major challenges"),
    Level.U: _l("Unable to be performed"),
    Level.NA: _l("Not applicable"),
}


def rating_text(level: str | None) -> str:
    """A rating as people read it: ``S 基本完成，存在一些问题`` (the letter, then its meaning)."""
    if not level:
        return ""
    label = RATING_LABELS.get(level)
    if label is None:
        return level
    return str(label) if level == Level.NA else f"{level} {label}"


SEVERITY_LABELS = {
    Severity.DEFICIENCY: _l("Deficiency"),
    Severity.CORRECTIVE: _l("Corrective item"),
    Severity.IMPROVEMENT: _l("Improvement item"),
}

ACTION_STATUS_LABELS = {
    ActionStatus.ASSIGNED: _l("Assigned"),
    ActionStatus.IN_PROGRESS: _l("Being corrected"),
    ActionStatus.SUBMITTED: _l("Submitted"),
    ActionStatus.VERIFIED: _l("Verified"),
    ActionStatus.CLOSED: _l("Closed"),
    ActionStatus.DEFERRED: _l("Deferred"),
    ActionStatus.REJECTED: _l("Rejected"),
}

FINDING_KIND_LABELS = {
    FindingKind.STRENGTH: _l("Strength"),
    FindingKind.IMPROVEMENT: _l("Area for improvement"),
}

METHOD_LABELS = {
    Method.OBSERVATION: _l("Observation"),
    Method.TIMING: _l("Timing"),
    Method.RECORDS: _l("Records review"),
    Method.INTERVIEW: _l("Interview"),
}


# The audit log's words for this package: its audited models and the actions it records.
AUDIT_OBJECTS = {
    "ActionEvent": _l("Corrective action history entry"),
    "AfterActionMeeting": _l("Drill after-action meeting"),
    "CorrectiveAction": _l("Corrective action"),
    "Criterion": _l("Evaluation criterion"),
    "CriterionGroup": _l("Evaluation criterion group"),
    "Drill": _l("Drill"),
    "DrillInject": _l("Drill inject"),
    "DrillParticipant": _l("Drill participant"),
    "DrillSettings": _l("Drill rules and settings"),
    "EmergencyPlan": _l("Emergency plan"),
    "EmergencyTeam": _l("Emergency team"),
    "TeamMember": _l("Emergency team member"),
    "EvaluationSheet": _l("Evaluation form"),
    "EvaluationTemplate": _l("Evaluation template"),
    "Feedback": _l("Drill feedback"),
    "Objective": _l("Drill objective"),
    "Observation": _l("Drill observation"),
    "TimingCheck": _l("Confirmed drill timing"),
    "Finding": _l("Drill finding"),
    "IssuedReport": _l("Issued drill evaluation report"),
    "PlanLevel": _l("Emergency plan level"),
    "PlanVersion": _l("Emergency plan version"),
    "Rating": _l("Evaluation rating"),
    "Settlement": _l("Settled rating"),
}
AUDIT_ACTIONS = {
    "drill.report_exported": _l("Drill evaluation report downloaded"),
    "drill.report_reissued": _l("Drill evaluation report re-issued"),
}


# The package's notice kinds on the notification settings page (``core.notice_settings``).
_NOTICES = _l("Drills")
NOTICE_KINDS = [
    NoticeKind("drill.role", _l("Drill role to confirm"), _NOTICES, order=400),
    NoticeKind("drill.approved", _l("A drill you direct is scheduled"), _NOTICES, order=401),
    NoticeKind("drill.cancelled", _l("Drill cancelled"), _NOTICES, order=402),
    NoticeKind("drill.evaluate", _l("Drill to evaluate"), _NOTICES, order=403),
    NoticeKind("drill.reported", _l("Drill evaluation report issued"), _NOTICES, order=404),
    NoticeKind("drill.action_assigned", _l("Corrective action assigned to you"), _NOTICES, order=405),
    NoticeKind("drill.action_due", _l("Corrective action due soon"), _NOTICES, order=406),
    NoticeKind("drill.action_overdue", _l("Corrective action overdue"), _NOTICES, order=407),
    NoticeKind("drill.action_escalated", _l("Someone's corrective action is overdue"), _NOTICES, order=408),
    NoticeKind("drill.report_*", _l("Drill evaluation report due"), _NOTICES, roles=STAFF_ROLES, order=409),
    NoticeKind(
        "drill.compliance_*", _l("Half-year drill compliance"), _NOTICES, roles=STAFF_ROLES, order=410
    ),
]
