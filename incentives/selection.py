"""服务之星 selection (guide 7.2, 7.3): a unit ranks its people for a period, nominates up to N eligible
ones with a citation, HR approves, and the stars are published on the honour roll with a certificate.

Decisions: a trainer or HR user whose scope covers the unit (or an admin) opens a selection and
nominates. The approval rule (shown on the selection page, ``APPROVAL_RULE``): someone other than the
person who nominated approves — HR covering the unit, an administrator, or the unit's designated approver
(``StarApprover``, set in the points settings; a unit with one HR officer names its second person there).
Approval publishes at once: the ranking is frozen (``incentives.snapshots``), the honour roll shows the
stars, each star gets a commendation certificate and a notification. An approver may instead return a
nomination to the unit with a reason. A published ranking changes only by a correction: a new, audited
version with its reason.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.models import Department, Employee, RoleGrant, User
from accounts.services import covers_department
from core.auth import Role
from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from incentives.commendation import issue_commendation
from incentives.eligibility import EligibilityContext, apply_eligibility, qualification_gaps
from incentives.errors import IncentiveError
from incentives.models import (
    IncentiveSettings,
    SelectionStatus,
    StarApprover,
    StarNomination,
    StarSelection,
)
from incentives.periods import Period
from incentives.ranking import (
    Candidate,
    complaint_counts,
    exam_averages,
    leaderboard,
    parse_tie_breaks,
    rank_candidates,
)
from incentives.services import hr_users_over, link
from incentives.snapshots import freeze, record_correction

APPROVAL_RULE = _l(
    "Nominations are approved by someone other than the person who nominated: HR covering the unit, "
    "an administrator, or the unit's designated approver."
)

MAX_NOMINEES = 20


def settings() -> IncentiveSettings:
    """The HR settings row (created with defaults on first use)."""
    row = db.session.scalar(select(IncentiveSettings).order_by(IncentiveSettings.id).limit(1))
    if row is None:
        row = IncentiveSettings(
            employee_top_n=10, tie_breaks="fewest_complaints,higher_exam_average", default_nominees=3
        )
        db.session.add(row)
        db.session.flush()
    return row


def can_run_selection(user: User, unit: Department) -> bool:
    """Trainers and HR covering the unit, and admins, open selections and nominate."""
    if user.has_any_role(Role.ADMIN):
        return True
    return any(user.has_any_role(r) and covers_department(user, r, unit) for r in (Role.TRAINER, Role.HR))


def designated_approver(unit: Department) -> User | None:
    """The unit's designated approver (see ``StarApprover``), if one is set."""
    row = db.session.scalar(select(StarApprover).where(StarApprover.unit_id == unit.id))
    return row.user if row is not None and row.user.is_active else None


def may_approve_unit(user: User, unit: Department) -> bool:
    """HR covering the unit, an administrator, or the unit's designated approver (nominator aside)."""
    if user.has_any_role(Role.ADMIN):
        return True
    if user.has_any_role(Role.HR) and covers_department(user, Role.HR, unit):
        return True
    approver = designated_approver(unit)
    return approver is not None and approver.id == user.id


def can_approve_selection(user: User, selection: StarSelection) -> bool:
    """The approval rule (``APPROVAL_RULE``): may approve the unit, and did not nominate."""
    return may_approve_unit(user, selection.unit) and user.id != selection.nominated_by_id


def approvers_of(selection: StarSelection) -> list[User]:
    """Who may approve ``selection`` now (shown on the page, told when nominations arrive)."""
    people = {u.id: u for u in hr_users_over(selection.unit)}
    admins = db.session.scalars(select(User).join(User.grants).where(RoleGrant.role == Role.ADMIN))
    for user in admins:
        if user.is_active:
            people.setdefault(user.id, user)
    approver = designated_approver(selection.unit)
    if approver is not None:
        people.setdefault(approver.id, approver)
    people.pop(selection.nominated_by_id, None)
    return sorted(people.values(), key=lambda u: u.employee.employee_no if u.employee else "")


def units_approved_by(user: User) -> list[int]:
    """Ids of the units ``user`` is the designated approver of."""
    return list(db.session.scalars(select(StarApprover.unit_id).where(StarApprover.user_id == user.id)))


def set_designated_approver(unit: Department, user: User | None) -> StarApprover | None:
    """Name (or, with None, clear) the unit's designated approver; they must be a staff user."""
    row = db.session.scalar(select(StarApprover).where(StarApprover.unit_id == unit.id))
    if user is None:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    if not user.is_active or not user.has_any_role(Role.HR, Role.TRAINER, Role.ADMIN):
        raise IncentiveError(_l("The approver needs an active trainer, HR or administrator account."))
    if row is None:
        row = StarApprover(unit=unit, user=user)
        db.session.add(row)
    row.user = user
    db.session.flush()
    return row


def selection_period(selection: StarSelection) -> Period:
    return Period(selection.period_kind, selection.period_start, selection.period_end)


def open_selection(
    unit: Department, period: Period, *, user: User, max_nominees: int, tie_breaks: str, now: dt.datetime
) -> StarSelection:
    """Open the selection of ``unit`` for ``period`` (one per unit and period)."""
    if not can_run_selection(user, unit):
        raise IncentiveError(_l("This unit is outside your scope."))
    if not 1 <= max_nominees <= MAX_NOMINEES:
        raise IncentiveError(_l("A unit nominates between 1 and %(n)d people.", n=MAX_NOMINEES))
    if period.start > now.date() + dt.timedelta(days=1):
        raise IncentiveError(_l("The period has not started yet."))
    if db.session.scalar(
        select(StarSelection.id).where(
            StarSelection.unit_id == unit.id,
            StarSelection.period_kind == period.kind,
            StarSelection.period_start == period.start,
        )
    ):
        raise IncentiveError(_l("This unit already has a selection for this period."))
    selection = StarSelection(
        unit=unit,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        max_nominees=max_nominees,
        tie_breaks=",".join(tb.code for tb in parse_tie_breaks(tie_breaks)),
        created_by=user,
        created_at=now,
    )
    db.session.add(selection)
    db.session.flush()
    return selection


def candidates(unit: Department, period: Period, tie_breaks: str) -> list[Candidate]:
    """Everyone in the unit, ranked by points then the tie-breaks, with their eligibility reasons."""
    board = leaderboard(unit, period)
    ids = [s.employee_id for s in board]
    employees = (
        {e.id: e for e in db.session.scalars(select(Employee).where(Employee.id.in_(ids)))} if ids else {}
    )
    complaints = complaint_counts(ids, period)
    averages = exam_averages(ids, period)
    result = [
        Candidate(
            standing=s,
            employee=employees[s.employee_id],
            complaints=complaints.get(s.employee_id, 0),
            exam_average=averages.get(s.employee_id),
        )
        for s in board
    ]
    on_date = period.end - dt.timedelta(days=1)
    apply_eligibility(result, EligibilityContext(period, on_date, qualification_gaps(ids, on_date)))
    return rank_candidates(result, parse_tie_breaks(tie_breaks))


def nominate(
    selection: StarSelection, picks: list[tuple[int, str]], *, user: User, now: dt.datetime
) -> StarSelection:
    """The unit nominates up to N eligible people, each with a citation, and sends them to HR."""
    if selection.status != SelectionStatus.DRAFT:
        raise IncentiveError(_l("This selection is no longer open for nominations."))
    if not can_run_selection(user, selection.unit):
        raise IncentiveError(_l("This unit is outside your scope."))
    if not picks:
        raise IncentiveError(_l("Nominate at least one person."))
    if len(picks) > selection.max_nominees:
        raise IncentiveError(_l("At most %(n)d people may be nominated.", n=selection.max_nominees))
    if len({employee_id for employee_id, _c in picks}) != len(picks):
        raise IncentiveError(_l("Each person can be nominated once."))
    ranked = {
        c.standing.employee_id: c
        for c in candidates(selection.unit, selection_period(selection), selection.tie_breaks)
    }
    for employee_id, citation in picks:
        cand = ranked.get(employee_id)
        if cand is None:
            raise IncentiveError(_l("A nominee is not in this unit."))
        if not cand.eligible:
            raise IncentiveError(
                _l(
                    "%(name)s is not eligible: %(why)s",
                    name=cand.employee.name,
                    why=" ".join(map(str, cand.reasons)),
                )
            )
        if not (citation or "").strip():
            raise IncentiveError(_l("Write a citation for %(name)s.", name=cand.employee.name))
    selection.nominations.clear()
    db.session.flush()
    for employee_id, citation in picks:
        cand = ranked[employee_id]
        selection.nominations.append(
            StarNomination(
                employee_id=employee_id,
                rank=cand.position,
                points=cand.standing.points,
                citation=citation.strip(),
            )
        )
    selection.status = SelectionStatus.NOMINATED
    selection.nominated_by = user
    selection.nominated_at = now
    selection.return_reason = ""
    db.session.flush()
    notify(
        approvers_of(selection),
        kind="incentives.selection",
        title=_l("Service-star nominations to approve"),
        body=selection.unit.name,
        link=link("incentives.selection_show", selection_id=selection.id),
        now=now,
    )
    return selection


def return_selection(selection: StarSelection, *, user: User, reason: str, now: dt.datetime) -> StarSelection:
    """HR sends the nominations back to the unit, with the reason."""
    if selection.status != SelectionStatus.NOMINATED:
        raise IncentiveError(_l("Only nominated selections can be returned."))
    if not may_approve_unit(user, selection.unit):
        raise IncentiveError(_l("This unit is outside your scope."))
    if not (reason or "").strip():
        raise IncentiveError(_l("Give the reason for returning the nominations."))
    selection.status = SelectionStatus.DRAFT
    selection.return_reason = reason.strip()
    db.session.flush()
    if selection.nominated_by is not None:
        notify(
            [selection.nominated_by],
            kind="incentives.selection_returned",
            title=_l("Service-star nominations returned"),
            body=reason,
            link=link("incentives.selection_show", selection_id=selection.id),
            now=now,
        )
    return selection


def approve_selection(selection: StarSelection, *, user: User, now: dt.datetime) -> StarSelection:
    """HR approves the nominations: the stars are published and each gets a commendation certificate."""
    if selection.status != SelectionStatus.NOMINATED:
        raise IncentiveError(_l("Only nominated selections can be approved."))
    if not may_approve_unit(user, selection.unit):
        raise IncentiveError(_l("This unit is outside your scope."))
    if user.id == selection.nominated_by_id:
        raise IncentiveError(_l("Nobody approves their own nominations."))
    selection.status = SelectionStatus.PUBLISHED
    selection.approved_by = user
    selection.published_at = now
    db.session.flush()
    freeze(selection, ranked_for(selection), user=user, now=now)
    for nomination in selection.nominations:
        issue_commendation(nomination, now)
        if nomination.employee.user is not None:
            notify(
                [nomination.employee.user],
                kind="incentives.star",
                title=_l("You are a service star!"),
                body=f"{selection.unit.name} · {selection_period(selection).label}",
                link=link("incentives.honours"),
                now=now,
            )
    return selection


def ranked_for(selection: StarSelection) -> list[Candidate]:
    """The live ranking of ``selection``'s unit and period (what a publication or a correction freezes)."""
    return candidates(selection.unit, selection_period(selection), selection.tie_breaks)


def correct_selection(selection: StarSelection, *, user: User, reason: str, now: dt.datetime):
    """Freeze the ranking again from the records as they stand, as the next version, with the reason
    (audited). The stars themselves stay: a star withdrawn is a decision of its own."""
    if selection.status != SelectionStatus.PUBLISHED:
        raise IncentiveError(_l("Only a published selection can be corrected."))
    if not may_approve_unit(user, selection.unit):
        raise IncentiveError(_l("This unit is outside your scope."))
    if not (reason or "").strip():
        raise IncentiveError(_l("Give the reason for the correction."))
    snapshot = freeze(selection, ranked_for(selection), user=user, now=now, reason=reason.strip())
    record_correction(selection, snapshot)
    return snapshot


def stars_of(employee_id: int) -> list[StarNomination]:
    """Every published star title of an employee, newest first (the profile badge)."""
    return list(
        db.session.scalars(
            select(StarNomination)
            .join(StarSelection)
            .where(
                StarNomination.employee_id == employee_id, StarSelection.status == SelectionStatus.PUBLISHED
            )
            .order_by(StarSelection.period_start.desc())
        )
    )
