"""A published service-star ranking, frozen (guide 4.4: results that are fair and stay as published).

At publication the ranking is copied as it stands (who, place, points, complaints, exam average, the
reasons anyone was not eligible, who was nominated) into version 1. The live ranking keeps moving — new
people join the unit, late points arrive — but the published page shows the copy. A correction (an upheld
appeal that changes a result, a ranking that was wrong) adds the next version with its reason and author,
and is audited; earlier versions stay readable.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from core import audit
from core.extensions import db
from incentives.ledger import default_locale
from incentives.models import StarSelection, StarSnapshot, StarSnapshotLine
from incentives.ranking import Candidate


def freeze(
    selection: StarSelection,
    ranked: list[Candidate],
    *,
    user: User | None,
    now: dt.datetime,
    reason: str = "",
) -> StarSnapshot:
    """Copy ``ranked`` into the next version of ``selection``'s frozen ranking."""
    nominated = {n.employee_id for n in selection.nominations}
    snapshot = StarSnapshot(
        selection=selection,
        version=len(selection.snapshots) + 1,
        taken_at=now,
        taken_by=user,
        reason=reason,
    )
    with default_locale():  # reasons are stored in the site's language, like the ledger's labels
        for cand in ranked:
            snapshot.lines.append(
                StarSnapshotLine(
                    employee_id=cand.employee.id,
                    position=cand.position,
                    employee_no=cand.standing.employee_no,
                    name=cand.standing.name,
                    department=cand.standing.department,
                    points=cand.standing.points,
                    complaints=cand.complaints,
                    exam_average=cand.exam_average,
                    reasons="\n".join(str(r) for r in cand.reasons),
                    nominated=cand.employee.id in nominated,
                )
            )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def version_of(selection: StarSelection, version: int | None) -> StarSnapshot | None:
    """The frozen version ``version`` of ``selection`` (the newest when None or unknown)."""
    if version is not None:
        for snapshot in selection.snapshots:
            if snapshot.version == version:
                return snapshot
    return selection.snapshot


def record_correction(selection: StarSelection, snapshot: StarSnapshot) -> None:
    """The audit entry of a correction: which version replaced which, and why."""
    audit.record(
        "star_selection.corrected",
        selection,
        version=snapshot.version,
        previous=snapshot.version - 1,
        reason=snapshot.reason,
    )
