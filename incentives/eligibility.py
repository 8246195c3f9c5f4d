"""Who may become a service star: a list of rules, each with a code, a plain-language explanation
(shown on the selection page) and a check that returns the reason a candidate fails, or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from accounts.models import Employee, EmployeeStatus
from incentives.periods import Period
from incentives.ranking import Candidate


@dataclass(frozen=True)
class EligibilityContext:
    period: Period
    on_date: dt.date  # the day qualifications must be current on (the period's last day)


@dataclass(frozen=True)
class EligibilityRule:
    code: str
    label: object
    explanation: object
    check: Callable[[Candidate, EligibilityContext], str | None]


def missing_required_qualifications(employee: Employee, on_date: dt.date) -> list[str]:
    """The qualifications ``employee``'s post requires that are not current on ``on_date``.

    NOT YET CONNECTED: qualification records belong to the ``training`` package, which is being built
    in parallel and had no models when this package was written. Until the lead wires this function to
    training's qualification service, no qualification data exists here and it returns an empty list,
    so the rule below passes everyone. It must return names (e.g. "电工进网作业许可证") once connected.
    """
    return []


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
    missing = missing_required_qualifications(candidate.employee, ctx.on_date)
    if missing:
        return _l("Qualification not current: %(names)s.", names="、".join(missing))
    return None


ELIGIBILITY_RULES = (
    EligibilityRule("on_post", _l("On post"), _l("The employee is on post (在岗)."), _on_post),
    EligibilityRule(
        "has_points",
        _l("Has points"),
        _l("The employee earned more than 0 points in the period."),
        _has_points,
    ),
    EligibilityRule(
        "no_complaint",
        _l("No valid complaint"),
        _l("No valid customer complaint (投诉) was recorded against the employee in the period."),
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
