"""What a candidate is told about their result: marking finished, or a regrade that turned a pass into a
fail or a fail into a pass. In-app always, by e-mail where SMTP is configured (core.notifications)."""

from __future__ import annotations

import datetime as dt

from core.i18n import lazy_gettext as _l
from core.notifications import notify
from core.timeutil import to_local
from exams.models import Arrangement, Attempt, Exam
from exams.runtime import score_visible


def _link(attempt: Attempt) -> str:
    return f"/exams/attempts/{attempt.id}/result"


def _recipients(attempt: Attempt) -> list:
    user = attempt.employee.user
    return [user] if user is not None else []


def marking_complete(attempt: Attempt, now: dt.datetime) -> None:
    """The last hand mark is in: the final score is out (or, under the results policy, will be)."""
    exam = attempt.exam
    if not score_visible(attempt, now):
        body = _l("Your answers have all been marked. The result is shown once the results are released.")
    elif attempt.passed:
        body = _l(
            "Final score: %(score)s of %(max)s. You passed.", score=attempt.score, max=attempt.max_score
        )
    else:
        body = _l(
            "Final score: %(score)s of %(max)s. You did not reach the pass mark.",
            score=attempt.score,
            max=attempt.max_score,
        )
    notify(
        _recipients(attempt),
        kind="exam.marked",
        title=_l("Marking finished: %(title)s", title=exam.title),
        body=body,
        link=_link(attempt),
        now=now,
    )


def result_flipped(attempt: Attempt, now: dt.datetime) -> None:
    """A regrade after a key correction turned the attempt's pass into a fail or its fail into a pass."""
    if attempt.passed:
        body = _l(
            "After a corrected answer key your score is %(score)s of %(max)s: you now pass.",
            score=attempt.score,
            max=attempt.max_score,
        )
    else:
        body = _l(
            "After a corrected answer key your score is %(score)s of %(max)s: this is no longer a pass.",
            score=attempt.score,
            max=attempt.max_score,
        )
    notify(
        _recipients(attempt),
        kind="exam.regraded",
        title=_l("Result changed: %(title)s", title=attempt.exam.title),
        body=body,
        link=_link(attempt),
        now=now,
    )


def arrangement_granted(arrangement: Arrangement, exam: Exam, now: dt.datetime) -> None:
    """The candidate is told their arrangement (extra time, own window, extra attempts), once per grant."""
    user = arrangement.employee.user
    if user is None:
        return
    parts = []
    if arrangement.extra_minutes:
        parts.append(_l("%(n)d extra minutes", n=arrangement.extra_minutes))
    if arrangement.closes_at:
        parts.append(
            _l(
                "your own window %(a)s – %(b)s",
                a=to_local(arrangement.opens_at).strftime("%Y-%m-%d %H:%M"),
                b=to_local(arrangement.closes_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    if arrangement.extra_attempts:
        parts.append(_l("%(n)d extra attempts", n=arrangement.extra_attempts))
    notify(
        [user],
        kind="exam.arrangement",
        title=_l("Arrangement for %(title)s", title=exam.title),
        body=_l("You have been granted: %(what)s.", what=LazyJoin(parts)),
        link=f"/exams/{exam.id}",
        now=now,
        key=f"arrangement:{arrangement.id}:{int(arrangement.granted_at.timestamp())}",
    )


class LazyJoin:
    """Lazy strings joined in the recipient's language when the notice is rendered."""

    def __init__(self, parts):
        self.parts = parts

    def __str__(self) -> str:
        return " · ".join(str(p) for p in self.parts) if self.parts else "—"
