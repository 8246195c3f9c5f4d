"""Who may become a service star: a list of rules, each with a code, a plain-language explanation
(shown on the selection page) and a check that returns the reason a candidate fails, or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from accounts.models import Employee, EmployeeStatus
from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.timeutil import local_midnight_utc
from incentives.periods import Period
from incentives.ranking import Candidate
from training.models import CertificateType, QualificationRecord, certificate_type_positions


@dataclass(frozen=True)
class EligibilityContext:
    period: Period
    on_date: dt.date  # the day qualifications must be current on (the period's last day)
    # employee id → names of required qualifications not valid on ``on_date`` (see qualification_gaps)
    qualification_gaps: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class EligibilityRule:
    code: str
    label: object
    explanation: object
    check: Callable[[Candidate, EligibilityContext], str | None]


def qualification_gaps(employee_ids: list[int], on_date: dt.date) -> dict[int, list[str]]:
    """For each employee, the active certificate types their post requires (training's 持证上岗 matrix)
    that no qualification record covered on ``on_date``, in one query.

    A record covers the day when it was issued on or before it, had not expired (``expires_on`` is the
    last valid day) and was not revoked by then. A renewed (superseded) record still covers the days
    it was valid, so a past period is judged by the records of that time.
    """
    if not employee_ids:
        return {}
    record = QualificationRecord
    day_after = local_midnight_utc(on_date + dt.timedelta(days=1))
    covered = (
        select(record.id)
        .where(
            record.employee_id == Employee.id,
            record.certificate_type_id == CertificateType.id,
            record.issued_on <= on_date,
            or_(record.expires_on.is_(None), record.expires_on >= on_date),
            or_(record.revoked_at.is_(None), record.revoked_at >= day_after),
        )
        .exists()
    )
    rows = db.session.execute(
        select(Employee.id, CertificateType.name)
        .join(certificate_type_positions, certificate_type_positions.c.position_id == Employee.position_id)
        .join(CertificateType, CertificateType.id == certificate_type_positions.c.certificate_type_id)
        .where(Employee.id.in_(employee_ids), CertificateType.active, ~covered)
        .order_by(Employee.id, CertificateType.code)
    )
    gaps: dict[int, list[str]] = {}
    for employee_id, name in rows:
        gaps.setdefault(employee_id, []).append(name)
    return gaps


def missing_required_qualifications(employee: Employee, on_date: dt.date) -> list[str]:
    """The qualifications ``employee``'s post requires that were not current on ``on_date``."""
    return qualification_gaps([employee.id], on_date).get(employee.id, [])


def _on_post(candidate: Candidate, _ctx: EligibilityContext) -> str | None:
    if candidate.employee.status != EmployeeStatus.ACTIVE:
        return _l("Not on post.")
    return None


def _has_points(candidate: Candidate, _ctx: EligibilityContext) -> str | None:
    if candidate.standing.points <= 0:
        return _l("No points in the period.")
    return None


def _no_complaint(candidate: Candidate, _ctx: EligibilityContext) -> str | None:
    if candidate.complaints:
        return _l("%(n)d valid complaint(s) in the period.", n=candidate.complaints)
    return None


def _qualifications(candidate: Candidate, ctx: EligibilityContext) -> str | None:
    missing = ctx.qualification_gaps.get(candidate.employee.id, [])
    if missing:
        return _l("Qualification not current: %(names)s.", names="、".join(missing))
    return None


ELIGIBILITY_RULES = (
    EligibilityRule("on_post", _l("On post"), _l("The employee is on post."), _on_post),
    EligibilityRule(
        "has_points",
        _l("Has points"),
        _l("The employee earned more than 0 points in the period."),
        _has_points,
    ),
    EligibilityRule(
        "no_complaint",
        _l("No valid complaint"),
        _l("No valid customer complaint was recorded against the employee in the period."),
        _no_complaint,
    ),
    EligibilityRule(
        "qualifications_current",
        _l("Qualifications current"),
        _l("Every qualification the post requires is valid on the last day of the period (持证上岗)."),
        _qualifications,
    ),
)


def apply_eligibility(candidates: list[Candidate], ctx: EligibilityContext, rules=ELIGIBILITY_RULES) -> None:
    """Fill each candidate's ``reasons`` with every rule it fails."""
    for candidate in candidates:
        candidate.reasons = [r for r in (rule.check(candidate, ctx) for rule in rules) if r]
