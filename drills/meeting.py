"""The after-action workflow: the draft report (the evaluation report PDF before it is issued, assembled
from the timeline, objective ratings, observations' counts, feedback and findings) is discussed at the
after-action meeting (总结会议: date, attendees, decisions); the report is then issued as version 1 and
re-issued as further versions (``issued_reports``). Corrective actions hang on the findings as before.

The meeting is recorded by the drill's managers once the drill is conducted and can be corrected until the
drill is closed; a correction after the report was issued appears in the next re-issued version. Issuing
does not wait for it (a drill evaluated without a meeting still gets its report), but the drill page asks
for it until it is recorded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from accounts.models import User
from core.extensions import db
from core.i18n import gettext as _
from core.timeutil import local_date
from drills.conduct_models import AfterActionMeeting
from drills.errors import DrillError, DrillStateError
from drills.models import Drill, DrillStatus

OPEN_STATES = (DrillStatus.CONDUCTED, DrillStatus.EVALUATING, DrillStatus.REPORTED, DrillStatus.IMPROVING)
TEXT_MAX = 4000


def meeting_of(drill: Drill) -> AfterActionMeeting | None:
    return db.session.scalar(select(AfterActionMeeting).where(AfterActionMeeting.drill_id == drill.id))


def record(
    drill: Drill, *, held_on: dt.date, attendees: str, decisions: str, user: User, now: dt.datetime
) -> AfterActionMeeting:
    """Record (or correct) the drill's after-action meeting."""
    if drill.status not in OPEN_STATES:
        raise DrillStateError(
            _("The meeting is recorded after the drill is conducted and before it is closed.")
        )
    if held_on < local_date(drill.starts_at) or held_on > local_date(now):
        raise DrillError(_("The meeting is held between the drill and today."))
    attendees, decisions = (attendees or "").strip(), (decisions or "").strip()
    if not attendees or not decisions:
        raise DrillError(_("Name the attendees and the decisions."))
    if len(attendees) > TEXT_MAX or len(decisions) > TEXT_MAX:
        raise DrillError(_("Each answer is at most %(n)s characters.", n=TEXT_MAX))
    meeting = meeting_of(drill) or AfterActionMeeting(drill_id=drill.id)
    meeting.held_on, meeting.attendees, meeting.decisions = held_on, attendees, decisions
    meeting.recorded_by_id, meeting.recorded_at = user.id if user else None, now
    db.session.add(meeting)
    db.session.flush()
    return meeting
