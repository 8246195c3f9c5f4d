"""Demo data over the starter point rules (``incentives.starter``): the rules pay the demo's own records
(completions, passes, qualifications, drills, closed actions seeded by the earlier packages), then manual
entries approved and pending, an appeal, a published service-star selection and an open one."""

from __future__ import annotations

import base64
import datetime as dt
import random

from sqlalchemy import delete, func, or_, select, update

from accounts.models import Department, Employee, User
from core.extensions import db
from core.models import utcnow
from core.timeutil import LOCAL_TZ
from incentives import reconcile, starter
from incentives import selection as star
from incentives.ledger import DEMO_REMOVAL, default_locale
from incentives.models import (
    Appeal,
    PeriodKind,
    PointClaim,
    PointEntry,
    StarApprover,
    StarNomination,
    StarSelection,
    StarSnapshot,
    StarSnapshotLine,
)
from incentives.periods import period_at
from incentives.services import create_claim, decide_claim, file_appeal, store_attachment

# A 1×1 PNG, the stand-in for a scanned letter of praise in the demo.
DEMO_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _user(number: str) -> User | None:
    return db.session.scalar(select(User).join(User.employee).where(Employee.employee_no == number))


def _department(code: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.code == code))


def seed_incentives(report) -> None:
    """Rules and demo activity (idempotent: a second run adds nothing)."""
    with default_locale():
        _seed(report)


def _seed(report) -> None:
    # The point rules and the star settings are starter content (``seed-content`` runs first).
    rules = starter.standard_rules()
    if db.session.scalar(select(func.count(PointClaim.id))):
        report("Incentives: demo activity already present.")
        return
    trainer, hr, me = _user("T0001"), _user("H0001"), _user("E0001")
    if trainer is None or hr is None:
        report("Incentives: demo logins missing; only the rules were seeded.")
        return
    now = utcnow()
    rng = random.Random(7)  # one stream through every step: every run makes the same demo
    staff = _demo_staff()
    # The demo's points come from its own records: the rules run on every completion, pass, qualification,
    # drill and closed action the earlier seeders made (those seeders may run before the rules exist).
    paid = reconcile.pay_missing()
    _seed_manual_entries(rules, staff, trainer, hr, me, rng, now)
    if me is not None:
        _seed_appeal(me, now)
    _seed_star_selections(trainer, hr, now)
    db.session.flush()
    report(
        f"Incentives: {len(rules)} point rules, {paid} awards paid from the demo's records, manual entries "
        "for the demo staff, one published star selection."
    )


def _demo_staff() -> list[Employee]:
    """The demo's front-line staff (the 95598 centre and the two branches) and the demo employee."""
    staff = db.session.scalars(
        select(Employee).join(Department).where(Department.depth >= 1).order_by(Employee.employee_no)
    )
    return [e for e in staff if e.employee_no[:2] in {"KF", "CD", "JB"} or e.employee_no == "E0001"]


def _seed_manual_entries(
    rules, staff, trainer: User, hr: User, me: User | None, rng: random.Random, now
) -> None:
    """Manual entries: praise approved, a complaint approved, a proposal pending, one praise rejected."""
    today = now.astimezone(LOCAL_TZ).date()
    manual = [
        (staff[0], "PRAISE", "客户来电表扬：耐心解答电费疑问，一次解决。", True),
        (staff[1], "COMPLAINT", "客户投诉：答复超时，经质检核实属实。", True),
        (staff[2], "INNOVATION", "建议：停电通知短信增加预计恢复时间，已被中心采纳。", None),
        (staff[3], "PRAISE", "收到锦旗一面（证据不足，待补充）。", False),
    ]
    if me is not None:
        manual.append((me.employee, "PRAISE", "客户致信表扬：夜间抢修报修受理及时、态度热情。", True))
    for emp, code, text, decision in manual:
        attachment = store_attachment(DEMO_PNG, "evidence.png")
        claim = create_claim(
            employee=emp,
            rule=rules[code],
            occurred_on=today - dt.timedelta(days=rng.randint(3, 40)),
            evidence_text=text,
            attachment=attachment,
            author=trainer,
            now=now,
        )
        if decision is not None:
            decide_claim(
                claim, approver=hr, approve=decision, reason="" if decision else "请补充锦旗照片。", now=now
            )


def _seed_appeal(me: User, now: dt.datetime) -> None:
    """The demo employee appeals their first ledger line."""
    entry = db.session.scalar(
        select(PointEntry).where(PointEntry.employee_id == me.employee_id).order_by(PointEntry.id)
    )
    if entry is not None:
        file_appeal(entry, user=me, reason="这条记录的分值与我参加的活动不符，请核实。", now=now)


def _seed_star_selections(trainer: User, hr: User, now: dt.datetime) -> None:
    """Service stars: last quarter published for the 95598 centre; this quarter open for 城东, whose
    designated approver is 林讲师 (T0002)."""
    center, east = _department("HY-KF"), _department("HY-CD")
    last_quarter = period_at(PeriodKind.QUARTER, now).previous()
    if center is not None:
        selection = star.open_selection(
            center,
            last_quarter,
            user=trainer,
            max_nominees=2,
            tie_breaks="fewest_complaints,higher_exam_average",
            now=now,
        )
        eligible = [c for c in star.candidates(center, last_quarter, selection.tie_breaks) if c.eligible][:2]
        if eligible:
            star.nominate(
                selection,
                [
                    (
                        c.standing.employee_id,
                        f"{c.employee.name}同志本季度积分 {c.standing.points} 分，服务规范、"
                        "业务过硬，客户满意度高，特授予“服务之星”称号。",
                    )
                    for c in eligible
                ],
                user=trainer,
                now=now,
            )
            star.approve_selection(selection, user=hr, now=now)
    if east is not None:
        # 城东's second person: the HR officer nominates, 林讲师 (or the administrator) approves.
        approver = _user("T0002")
        if approver is not None:
            star.set_designated_approver(east, approver)
        star.open_selection(
            east,
            period_at(PeriodKind.QUARTER, now),
            user=trainer,
            max_nominees=3,
            tie_breaks="fewest_complaints,higher_exam_average",
            now=now,
        )


def remove_demo_activity(employee_ids: list[int], user_ids: list[int]) -> None:
    """Delete what the ledger and the star selections hold about demo people (for ``remove-demo``):
    selections they ran, nominations, appeals, claims, then ledger lines (corrections before what they
    reverse). Exam scores go with the people (ON DELETE CASCADE)."""
    people, accounts = StarNomination.employee_id.in_(employee_ids), user_ids
    by_demo = or_(
        StarSelection.created_by_id.in_(accounts),
        StarSelection.nominated_by_id.in_(accounts),
        StarSelection.approved_by_id.in_(accounts),
    )
    db.session.execute(
        delete(StarNomination).where(
            or_(people, StarNomination.selection_id.in_(select(StarSelection.id).where(by_demo)))
        )
    )
    demo_selections = select(StarSelection.id).where(by_demo)
    demo_snapshots = select(StarSnapshot.id).where(StarSnapshot.selection_id.in_(demo_selections))
    db.session.execute(delete(StarSnapshotLine).where(StarSnapshotLine.snapshot_id.in_(demo_snapshots)))
    db.session.execute(
        update(StarSnapshotLine)
        .where(StarSnapshotLine.employee_id.in_(employee_ids))
        .values(employee_id=None)
    )
    db.session.execute(delete(StarSnapshot).where(StarSnapshot.selection_id.in_(demo_selections)))
    db.session.execute(
        update(StarSnapshot).where(StarSnapshot.taken_by_id.in_(accounts)).values(taken_by_id=None)
    )
    db.session.execute(delete(StarApprover).where(StarApprover.user_id.in_(accounts)))
    db.session.execute(delete(StarSelection).where(by_demo))
    db.session.execute(
        delete(Appeal).where(or_(Appeal.employee_id.in_(employee_ids), Appeal.resolved_by_id.in_(accounts)))
    )
    db.session.execute(
        delete(PointClaim).where(
            or_(
                PointClaim.employee_id.in_(employee_ids),
                PointClaim.entered_by_id.in_(accounts),
                PointClaim.decided_by_id.in_(accounts),
            )
        )
    )
    demo_entries = or_(
        PointEntry.employee_id.in_(employee_ids),
        PointEntry.author_id.in_(accounts),
        PointEntry.approver_id.in_(accounts),
    )
    allowed = {DEMO_REMOVAL: True}  # the ledger is append-only except for the demo's fictitious lines
    db.session.execute(
        delete(PointEntry).where(demo_entries, PointEntry.reverses_id.is_not(None)), execution_options=allowed
    )
    db.session.execute(delete(PointEntry).where(demo_entries), execution_options=allowed)
