"""Dashboard cards of the points scheme: an employee's points and rank, and what waits for HR."""

from __future__ import annotations

from sqlalchemy import func, select

from accounts.models import Employee
from accounts.services import scope_clause
from core.auth import Role
from core.extensions import db
from incentives.ledger import balance
from incentives.models import Appeal, AppealStatus, ClaimStatus, PointClaim
from incentives.periods import period_at
from incentives.ranking import leaderboard, standing_of, unit_of
from incentives.selection import stars_of


def my_card(user, now):
    """Dashboard: my points this quarter, my rank in my unit, my star titles."""
    quarter = period_at("quarter", now)
    unit = unit_of(user.employee)
    board = leaderboard(unit, quarter)
    return {
        "total": balance(user.employee_id),
        "quarter": quarter,
        "quarter_points": balance(user.employee_id, quarter.start_utc, quarter.end_utc),
        "standing": standing_of(user.employee_id, board),
        "unit": unit,
        "unit_size": len(board),
        "stars": stars_of(user.employee_id),
    }


def hr_card(user, now):
    """Dashboard for HR: what waits for *this* user's decision (in scope; not their own entries, nor
    entries or appeals about themselves, which someone else must decide)."""
    pending = db.session.scalar(
        select(func.count(PointClaim.id))
        .join(Employee, Employee.id == PointClaim.employee_id)
        .where(
            PointClaim.status == ClaimStatus.PENDING,
            scope_clause(user, Role.HR, Employee.department_id),
            PointClaim.entered_by_id != user.id,
            PointClaim.employee_id != user.employee_id,
        )
    )
    appeals = db.session.scalar(
        select(func.count(Appeal.id))
        .join(Employee, Employee.id == Appeal.employee_id)
        .where(
            Appeal.status == AppealStatus.OPEN,
            scope_clause(user, Role.HR, Employee.department_id),
            Appeal.employee_id != user.employee_id,
        )
    )
    return {"pending": pending or 0, "appeals": appeals or 0}
