"""Emergency-team readiness on the compliance board: per team, the active members who have taken part in
no drill in the last ``team_lapse_months`` (12) months.

What counts as taking part: a participant record (any role) of a drill that was conducted (status
conducted or later, not cancelled) with the person's attendance recorded as present. The drill's date is
its local date (Asia/Shanghai). The window runs back whole calendar months from today: on 2026-12-02
with 12 months, a drill on 2025-12-02 counts and one on 2025-12-01 does not (a month end is clamped:
12 months before 2025-02-28 is 2024-02-28, 1 month before 03-31 is 02-28/29).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import local_date
from drills.models import Drill, DrillParticipant, DrillStatus
from drills.team_models import EmergencyTeam, TeamMember
from drills.teams import active_members

HELD_STATUSES = (
    DrillStatus.CONDUCTED,
    DrillStatus.EVALUATING,
    DrillStatus.REPORTED,
    DrillStatus.IMPROVING,
    DrillStatus.CLOSED,
)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class LapsedMember:
    member: TeamMember
    last_drill: dt.date | None  # the local date of the person's last drill, None if never


@dataclass
class TeamReadiness:
    team: EmergencyTeam
    active: int  # members on the team today
    lapsed: list[LapsedMember]


def last_drill_dates(employee_ids: set[int]) -> dict[int, dt.date]:
    """The local date of each person's most recent drill taken part in (one grouped query)."""
    if not employee_ids:
        return {}
    rows = db.session.execute(
        select(DrillParticipant.employee_id, func.max(Drill.starts_at))
        .join(Drill, Drill.id == DrillParticipant.drill_id)
        .where(
            DrillParticipant.employee_id.in_(employee_ids),
            DrillParticipant.attended.is_(True),
            Drill.status.in_(HELD_STATUSES),
        )
        .group_by(DrillParticipant.employee_id)
    )
    return {employee_id: local_date(at) for employee_id, at in rows if at is not None}


def team_readiness(teams: list[EmergencyTeam], today: dt.date, months: int) -> list[TeamReadiness]:
    """For each active team: its active members and those with no drill since ``months`` months before
    ``today`` (the cutoff day itself still counts)."""
    cutoff = months_before(today, months)
    current = {t.id: active_members(t, today) for t in teams if t.active}
    last = last_drill_dates({m.employee_id for members in current.values() for m in members})
    result = []
    for team in teams:
        if team.id not in current:
            continue
        members = current[team.id]
        lapsed = [
            LapsedMember(m, last.get(m.employee_id))
            for m in members
            if last.get(m.employee_id) is None or last[m.employee_id] < cutoff
        ]
        result.append(TeamReadiness(team, len(members), lapsed))
    return result
