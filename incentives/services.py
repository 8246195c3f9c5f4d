"""Rules of the points scheme that people act on: point rules, manual entries and their approval,
corrections, appeals and who may see what.

Decisions (the issue is silent):
- Manual entries are entered by a trainer or HR user whose scope covers the employee (admins too); only
  HR in scope approves them, never the person who entered them and never the employee concerned.
- A manual entry needs both a text and an attachment (PDF, JPEG or PNG up to 5 MB, checked by content).
- An employee may appeal each ledger line once; HR in scope resolves it. Upholding an appeal appends the
  reversing entry; dismissing leaves the line as it is. Either way the employee is notified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select

from accounts.models import Department, Employee, RoleGrant, User
from accounts.services import covers_department
from core import uploads
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.notifications import notify
from core.storage import write_file
from core.timeutil import LOCAL_TZ, local_to_utc
from incentives.errors import IncentiveError
from incentives.ledger import award, default_locale, reverse_entry
from incentives.models import (
    Appeal,
    AppealStatus,
    ClaimStatus,
    PeriodKind,
    PointClaim,
    PointEntry,
    PointRule,
    Trigger,
)

ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
# Accepted evidence files, recognised by their first bytes (the uploaded name is never trusted).
# Evidence files: the type from the content (core.uploads); JPEG keeps the ``.jpg`` ending of earlier files.
ATTACHMENT_TYPES = {
    uploads.PDF: ("pdf", uploads.CONTENT_TYPES[uploads.PDF]),
    uploads.JPEG: ("jpg", uploads.CONTENT_TYPES[uploads.JPEG]),
    uploads.PNG: ("png", uploads.CONTENT_TYPES[uploads.PNG]),
}


def link(endpoint: str, **values) -> str:
    """A site-relative URL, also outside a request (CLI seeding, jobs)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


# ---------------------------------------------------------------- who may do what


def staff_covers(user: User, employee: Employee, roles=(Role.TRAINER, Role.HR)) -> bool:
    """True when ``user`` is an admin, or holds one of ``roles`` over ``employee``'s department."""
    if user.has_any_role(Role.ADMIN):
        return True
    return any(user.has_any_role(r) and covers_department(user, r, employee.department) for r in roles)


def can_see_ledger(user: User, employee: Employee) -> bool:
    """An employee sees their own ledger; trainers, HR (in scope) and admins see others'."""
    return employee.id == user.employee_id or staff_covers(user, employee)


def hr_users_over(department: Department) -> list[User]:
    """Active HR users whose scope covers ``department`` (who should hear about an appeal or a claim)."""
    grants = db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.HR)).all()
    users = {}
    for grant in grants:
        covers = grant.department is None or department.path.startswith(grant.department.path)
        if covers and grant.user.is_active:
            users[grant.user.id] = grant.user
    return list(users.values())


# ---------------------------------------------------------------- point rules


@dataclass
class RuleData:
    code: str
    name: str
    description: str
    trigger: str
    category: str
    points: Decimal
    evidence: str = ""
    cap: Decimal | None = None
    cap_period: str = PeriodKind.MONTH
    threshold: Decimal | None = None
    active: bool = True


def save_rule(data: RuleData, rule: PointRule | None = None) -> PointRule:
    """Create a point rule or change one (changes apply to future awards; the ledger keeps its points)."""
    code = data.code.strip().upper()
    clash = db.session.scalar(
        select(PointRule.id).where(PointRule.code == code, PointRule.id != (rule.id if rule else -1))
    )
    if clash:
        raise IncentiveError(_l("Rule code %(code)s is already used.", code=code))
    if data.trigger not in {t.value for t in Trigger}:
        raise IncentiveError(_l("Unknown trigger."))
    if data.points == 0:
        raise IncentiveError(_l("A rule must give or take at least some points."))
    if data.cap is not None and data.cap <= 0:
        raise IncentiveError(_l("A cap must be a positive number of points."))
    if rule is None:
        rule = PointRule(code=code)
        db.session.add(rule)
    rule.code = code
    rule.name = data.name.strip()
    rule.description = data.description.strip()
    rule.trigger = data.trigger
    rule.category = data.category
    rule.points = data.points
    rule.evidence = data.evidence.strip()
    rule.cap = data.cap
    rule.cap_period = data.cap_period
    rule.threshold = data.threshold
    rule.active = data.active
    db.session.flush()
    return rule


# ---------------------------------------------------------------- manual entries


@dataclass(frozen=True)
class Attachment:
    path: str  # relative to UPLOAD_DIR
    name: str
    content_type: str
    size: int


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "incentives"


def store_attachment(data: bytes, original_name: str) -> Attachment:
    """Save evidence bytes under a generated name after checking size and type; returns where."""
    if not data:
        raise IncentiveError(_l("The attachment is empty."))
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise IncentiveError(_l("The attachment is larger than 5 MB."))
    kind = ATTACHMENT_TYPES.get(uploads.sniff(data))
    if kind is None:
        raise IncentiveError(_l("The attachment must be a PDF, JPEG or PNG file."))
    ext, content_type = kind
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ext}"
    write_file(root / name, data)
    shown = uploads.honest_name(original_name, uploads.sniff(data), default="evidence")
    return Attachment(path=f"incentives/{name}", name=shown, content_type=content_type, size=len(data))


def attachment_file(claim: PointClaim) -> Path | None:
    """The stored evidence file of ``claim`` (None when missing)."""
    if not claim.attachment_path:
        return None
    base = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (base / claim.attachment_path).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


def can_enter_claims(user: User) -> bool:
    return user.has_any_role(Role.TRAINER, Role.HR, Role.ADMIN)


def create_claim(
    *,
    employee: Employee,
    rule: PointRule,
    occurred_on: dt.date,
    evidence_text: str,
    attachment: Attachment | None,
    author: User,
    now: dt.datetime,
) -> PointClaim:
    """Record a manual entry (praise, complaint, proposal) for HR to approve; it does not count yet."""
    if not staff_covers(author, employee):
        raise IncentiveError(_l("This employee is outside your scope."))
    if not rule.is_manual or not rule.active:
        raise IncentiveError(_l("Choose an active rule that is entered by hand."))
    if author.employee_id == employee.id:
        raise IncentiveError(_l("You cannot enter points for yourself."))
    if occurred_on > now.astimezone(LOCAL_TZ).date():
        raise IncentiveError(_l("The date cannot be in the future."))
    if not (evidence_text or "").strip():
        raise IncentiveError(_l("Describe the evidence."))
    if attachment is None:
        raise IncentiveError(_l("Attach the evidence (PDF, JPEG or PNG)."))
    claim = PointClaim(
        employee=employee,
        rule=rule,
        occurred_on=occurred_on,
        evidence_text=evidence_text.strip(),
        attachment_path=attachment.path,
        attachment_name=attachment.name,
        attachment_type=attachment.content_type,
        attachment_size=attachment.size,
        status=ClaimStatus.PENDING,
        entered_by=author,
        entered_at=now,
    )
    db.session.add(claim)
    db.session.flush()
    approvers = [
        u for u in hr_users_over(employee.department) if u.id != author.id and u.employee_id != employee.id
    ]
    notify(
        approvers,
        kind="incentives.claim",
        title=_l("Points entry to approve"),
        body=f"{employee.name} · {rule.name}",
        link=link("incentives.claim_show", claim_id=claim.id),
        now=now,
    )
    return claim


def can_decide_claim(user: User, claim: PointClaim) -> bool:
    """HR in scope, other than the person who entered it and the employee it is about."""
    return (
        user.has_any_role(Role.HR)
        and covers_department(user, Role.HR, claim.employee.department)
        and user.id != claim.entered_by_id
        and user.employee_id != claim.employee_id
    )


def decide_claim(claim: PointClaim, *, approver: User, approve: bool, reason: str, now: dt.datetime):
    """HR approves a pending manual entry (it enters the ledger) or rejects it with a reason."""
    if claim.status != ClaimStatus.PENDING:
        raise IncentiveError(_l("This entry has already been decided."))
    if approver.id == claim.entered_by_id:
        raise IncentiveError(_l("Nobody approves their own entry."))
    if approver.employee_id == claim.employee_id:
        raise IncentiveError(_l("Nobody approves an entry about themselves."))
    if not (
        approver.has_any_role(Role.HR) and covers_department(approver, Role.HR, claim.employee.department)
    ):
        raise IncentiveError(_l("Only HR responsible for this employee may decide."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise IncentiveError(_l("Give the reason for the rejection."))
    claim.decided_by = approver
    claim.decided_at = now
    claim.decision_reason = reason
    if approve:
        occurred = local_to_utc(claim.occurred_on, dt.time(12))
        entry = award(
            claim.rule,
            claim.employee,
            claim.rule.points,
            source_key=f"claim:{claim.id}",
            source_label=claim.rule.name,
            reason=claim.evidence_text,
            occurred_at=occurred,
            now=now,
            author=claim.entered_by,
            approver=approver,
        )
        claim.status = ClaimStatus.APPROVED
        claim.entry = entry
        title = _l("Points entry approved")
    else:
        claim.status = ClaimStatus.REJECTED
        title = _l("Points entry rejected")
    db.session.flush()
    if claim.employee.user is not None and approve:
        notify(
            [claim.employee.user],
            kind="incentives.entry",
            title=title,
            body=f"{claim.rule.name}: {claim.rule.points}",
            link=link("incentives.my_points"),
            now=now,
        )
    if claim.entered_by is not None:
        notify(
            [claim.entered_by],
            kind="incentives.claim_decided",
            title=title,
            body=f"{claim.employee.name} · {claim.rule.name} {reason}".strip(),
            link=link("incentives.claim_show", claim_id=claim.id),
            now=now,
        )
    return claim


# ---------------------------------------------------------------- corrections and appeals


def correct_entry(entry: PointEntry, *, user: User, reason: str, now: dt.datetime) -> PointEntry:
    """HR in scope reverses a ledger line with a reason; the employee is told."""
    if not (user.has_any_role(Role.HR) and covers_department(user, Role.HR, entry.employee.department)):
        raise IncentiveError(_l("Only HR responsible for this employee may correct the ledger."))
    if user.employee_id == entry.employee_id:
        raise IncentiveError(_l("You cannot correct your own points."))
    reversal = reverse_entry(entry, reason=reason, author=user, now=now)
    if entry.employee.user is not None:
        notify(
            [entry.employee.user],
            kind="incentives.correction",
            title=_l("A points entry was corrected"),
            body=f"#{entry.id} {entry.rule.name}: {reason}",
            link=link("incentives.my_points"),
            now=now,
        )
    return reversal


def file_appeal(entry: PointEntry, *, user: User, reason: str, now: dt.datetime) -> Appeal:
    """An employee appeals one of their own ledger lines (once per line), with the reason."""
    if entry.employee_id != user.employee_id:
        raise IncentiveError(_l("You can only appeal your own entries."))
    if entry.is_reversal:
        raise IncentiveError(_l("A correction cannot be appealed; appeal the original entry."))
    if db.session.scalar(select(Appeal.id).where(Appeal.entry_id == entry.id)):
        raise IncentiveError(_l("This entry has already been appealed."))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise IncentiveError(_l("Explain the appeal in a few words."))
    appeal = Appeal(entry=entry, employee_id=entry.employee_id, reason=reason, filed_at=now)
    db.session.add(appeal)
    db.session.flush()
    notify(
        hr_users_over(entry.employee.department),
        kind="incentives.appeal",
        title=_l("New points appeal"),
        body=f"{entry.employee.name}: {reason}",
        link=link("incentives.appeal_show", appeal_id=appeal.id),
        now=now,
    )
    return appeal


def resolve_appeal(appeal: Appeal, *, user: User, uphold: bool, resolution: str, now: dt.datetime) -> Appeal:
    """HR in scope upholds (reversing the line) or dismisses an appeal, with a reason the employee sees."""
    if appeal.status != AppealStatus.OPEN:
        raise IncentiveError(_l("This appeal has already been resolved."))
    if not (user.has_any_role(Role.HR) and covers_department(user, Role.HR, appeal.employee.department)):
        raise IncentiveError(_l("Only HR responsible for this employee may resolve the appeal."))
    if user.employee_id == appeal.employee_id:
        raise IncentiveError(_l("Nobody resolves their own appeal."))
    resolution = (resolution or "").strip()
    if not resolution:
        raise IncentiveError(_l("Give the reason for the decision."))
    if uphold:
        with default_locale():
            why = _("Appeal upheld: %(r)s", r=resolution)
        appeal.correction = reverse_entry(appeal.entry, reason=why, author=user, now=now)
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.DISMISSED
    appeal.resolved_by = user
    appeal.resolved_at = now
    appeal.resolution = resolution
    db.session.flush()
    if appeal.employee.user is not None:
        notify(
            [appeal.employee.user],
            kind="incentives.appeal_resolved",
            title=_l("Your appeal was upheld") if uphold else _l("Your appeal was dismissed"),
            body=resolution,
            link=link("incentives.appeal_show", appeal_id=appeal.id),
            now=now,
            key=f"appeal:{appeal.id}",
        )
    return appeal


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_claims_of(employee_ids: list[int]) -> dict[int, list[str]]:
    """Points claims about these people still waiting for approval (listed when a roster import takes
    them off post)."""
    rows = db.session.execute(
        select(PointClaim.employee_id, func.count(PointClaim.id))
        .where(PointClaim.employee_id.in_(employee_ids), PointClaim.status == ClaimStatus.PENDING)
        .group_by(PointClaim.employee_id)
    )
    return {eid: [_("%(n)d points claim(s) waiting for approval", n=n)] for eid, n in rows}
