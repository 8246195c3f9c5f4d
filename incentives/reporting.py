"""HR's view of the ledger: filtered lists (unit, period, rule), the xlsx export and the SVG charts of
points by rule and by month. Everything is limited to the departments the viewer covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from accounts.models import Department, Employee, User
from accounts.services import scope_clause
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from core.spreadsheets import write_xlsx
from core.timeutil import to_local
from incentives.models import PointEntry, PointRule
from incentives.periods import Period, period_of


@dataclass
class LedgerFilter:
    unit: Department | None = None
    period: Period | None = None
    rule_id: int | None = None
    q: str = ""


def staff_role(user: User) -> str:
    """The role through which ``user`` reads the ledger (admin sees everything)."""
    if user.has_any_role(Role.ADMIN):
        return Role.ADMIN
    if user.has_any_role(Role.HR):
        return Role.HR
    return Role.TRAINER


def ledger_query(user: User, filters: LedgerFilter) -> Select:
    """Ledger lines ``user`` may see, matching ``filters``, newest first."""
    query = (
        select(PointEntry)
        .join(Employee, Employee.id == PointEntry.employee_id)
        .join(Department, Department.id == Employee.department_id)
        .options(joinedload(PointEntry.employee).joinedload(Employee.department))
        .where(scope_clause(user, staff_role(user), Employee.department_id))
    )
    if filters.unit is not None:
        query = query.where(Department.path.startswith(filters.unit.path))
    if filters.period is not None:
        query = query.where(
            PointEntry.occurred_at >= filters.period.start_utc,
            PointEntry.occurred_at < filters.period.end_utc,
        )
    if filters.rule_id:
        query = query.where(PointEntry.rule_id == filters.rule_id)
    if filters.q:
        like = f"%{filters.q}%"
        query = query.where(or_(Employee.name.like(like), Employee.employee_no.like(like.upper())))
    return query.order_by(PointEntry.occurred_at.desc(), PointEntry.id.desc())


def export_xlsx(user: User, filters: LedgerFilter) -> bytes:
    """The filtered ledger as a workbook (text cells are neutralised against formula injection)."""
    headers = [
        _("Entry"),
        _("Date"),
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Rule"),
        _("Points"),
        _("Source"),
        _("Reason"),
        _("Entered by"),
        _("Approved by"),
        _("Corrects entry"),
    ]
    rows = []
    for entry in db.session.scalars(ledger_query(user, filters)).unique():
        rows.append(
            [
                entry.id,
                to_local(entry.occurred_at).strftime("%Y-%m-%d %H:%M"),
                entry.employee.employee_no,
                entry.employee.name,
                entry.employee.department.name,
                entry.rule.name,
                entry.points,
                entry.source_label,
                entry.reason,
                entry.author.display_name if entry.author else _("Automatic"),
                entry.approver.display_name if entry.approver else "",
                entry.reverses_id or "",
            ]
        )
    return write_xlsx(
        headers, rows, title=_("Points ledger"), widths=[8, 17, 12, 10, 16, 18, 8, 30, 40, 10, 10, 8]
    )


def points_by_rule(user: User, filters: LedgerFilter) -> list[tuple[str, Decimal]]:
    """Net points per rule for the filtered ledger, largest first."""
    inner = (
        ledger_query(user, filters).order_by(None).with_only_columns(PointEntry.rule_id, PointEntry.points)
    )
    sub = inner.subquery()
    rows = db.session.execute(
        select(PointRule.name, func.sum(sub.c.points))
        .join(sub, sub.c.rule_id == PointRule.id)
        .group_by(PointRule.name)
        .order_by(func.sum(sub.c.points).desc())
    )
    return [(name, Decimal(total)) for name, total in rows]


def points_by_month(user: User, filters: LedgerFilter, year: int) -> list[tuple[int, Decimal]]:
    """Net points per calendar month of ``year`` (Asia/Shanghai) for the filtered ledger (unit, rule)."""
    monthly = []
    base = LedgerFilter(unit=filters.unit, rule_id=filters.rule_id, q=filters.q)
    for month in range(1, 13):
        period = period_of("month", year, month)
        query = (
            ledger_query(user, base)
            .order_by(None)
            .with_only_columns(func.coalesce(func.sum(PointEntry.points), 0))
            .where(PointEntry.occurred_at >= period.start_utc, PointEntry.occurred_at < period.end_utc)
        )
        monthly.append((month, Decimal(db.session.scalar(query))))
    return monthly


def bar_chart_svg(
    bars: list[tuple[str, Decimal]], *, title: str, width: int = 640, bar_height: int = 22
) -> Markup:
    """A horizontal bar chart as inline SVG (negative bars drawn to the left of the zero line, in red)."""
    if not bars:
        return Markup("")
    label_w, value_w, pad = 170, 60, 8
    plot_w = width - label_w - value_w - 2 * pad
    top = max([v for _n, v in bars] + [Decimal(0)])
    bottom = min([v for _n, v in bars] + [Decimal(0)])
    span = (top - bottom) or Decimal(1)
    zero_x = label_w + pad + float((-bottom) / span) * plot_w
    height = len(bars) * (bar_height + 6) + 34
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="w-100" style="max-width:{width}px">',
        f'<text x="{pad}" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for i, (name, value) in enumerate(bars):
        y = 28 + i * (bar_height + 6)
        length = float(abs(value) / span) * plot_w
        x = zero_x - length if value < 0 else zero_x
        colour = "#dc3545" if value < 0 else "#0d6efd"
        parts.append(
            f'<text x="{label_w}" y="{y + bar_height * 0.7:.1f}" font-size="12" text-anchor="end">'
            f"{escape(str(name)[:16])}</text>"
            f'<rect x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" height="{bar_height}" fill="{colour}">'
            f"<title>{escape(str(name))}: {value}</title></rect>"
            f'<text x="{width - value_w + 4}" y="{y + bar_height * 0.7:.1f}" font-size="12">{value}</text>'
        )
    parts.append(f'<line x1="{zero_x:.1f}" y1="24" x2="{zero_x:.1f}" y2="{height - 4}" stroke="#6c757d"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text part above is escaped


def month_names() -> list[str]:
    return [_("Month %(m)d", m=m) for m in range(1, 13)]


def today_local(now: dt.datetime) -> dt.date:
    return to_local(now).date()
