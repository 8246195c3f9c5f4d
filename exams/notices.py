"""What candidates are told, in-app always and by e-mail where SMTP is configured (core.notifications, whose
e-mail goes out through the task queue after the commit):

- marking finished, or a regrade that turned a pass into a fail or a fail into a pass;
- an arrangement granted to them (extra time, own window, extra attempts): once per grant;
- and, from the periodic job (``exams/jobs.py``, every minute, ``send_due``): the exam published → its
  audience; 24 h and 1 h before the window closes → candidates who have not started (people with a window
  of their own are left out); results released (the results policy now shows the score) → each candidate,
  once per attempt.

Every periodic notice carries a key (``exam:<id>``, ``exam:<id>:24h``, ``exam:<id>:1h``,
``attempt:<id>``), so reruns, retries and several workers send each one once (core's unique index)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import Employee, User
from core.extensions import db
from core.i18n import lazy_gettext as _l
from core.notifications import Notification, notify
from core.timeutil import to_local
from exams import monitor
from exams.models import Arrangement, Attempt, AttemptStatus, Exam, ReviewRequest, ReviewStatus
from exams.runtime import score_visible


def _link_attempt(attempt: Attempt) -> str:
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
        link=_link_attempt(attempt),
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
        link=_link_attempt(attempt),
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
                a=_local(arrangement.opens_at),
                b=_local(arrangement.closes_at),
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


# ---------------------------------------------------------------- the periodic notices (exams/jobs.py)

RESULTS_HORIZON = dt.timedelta(days=30)


def _users_of(employee_ids) -> list[User]:
    ids = list(employee_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.employee_id.in_(ids), User.active.is_(True))))


def _link(exam: Exam) -> str:
    return f"/exams/{exam.id}"


@dataclass(frozen=True)
class ExamNotice:
    """One notice the periodic job sends to people of an exam's audience, once each, while the time left
    before the window closes is in ``window`` (more than the first, at most the second; None: no bound)."""

    count: str  # its name in ``send_due``'s counts
    kind: str
    key_suffix: str  # once-key ``exam:<id><suffix>``
    window: tuple[dt.timedelta | None, dt.timedelta | None]
    audience: Callable[[Exam], Iterable[int]]  # employee ids
    title: Callable[[Exam], object]
    body: Callable[[Exam], object]
    # leave out whoever was told of the exam's publication within this time (no reminder right after it)
    quiet_after_published: dt.timedelta | None = None


def _local(moment: dt.datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def _reminder_title(exam: Exam):
    return _l("Reminder: %(title)s closes soon", title=exam.title)


def _reminder_body(exam: Exam):
    return _l(
        "You have not started this exam yet. It closes at %(when)s (Beijing time).",
        when=_local(exam.closes_at),
    )


# Reminders go to candidates who have not started; people with a window of their own are left out (their
# window is not this one). The 24 h reminder skips whoever was told of the publication in the last 12 hours.
EXAM_NOTICES = (
    ExamNotice(
        "published",
        "exam.published",
        "",
        (None, None),
        monitor.candidate_ids,
        lambda exam: _l("New exam: %(title)s", title=exam.title),
        lambda exam: _l(
            "Window: %(a)s – %(b)s (Beijing time), %(n)d minutes.",
            a=_local(exam.opens_at),
            b=_local(exam.closes_at),
            n=exam.duration_minutes,
        ),
    ),
    ExamNotice(
        "reminder_24h",
        "exam.reminder",
        ":24h",
        (dt.timedelta(hours=1), dt.timedelta(hours=24)),
        monitor.not_started_ids,
        _reminder_title,
        _reminder_body,
        quiet_after_published=dt.timedelta(hours=12),
    ),
    ExamNotice(
        "reminder_1h",
        "exam.reminder",
        ":1h",
        (None, dt.timedelta(hours=1)),
        monitor.not_started_ids,
        _reminder_title,
        _reminder_body,
    ),
)
_BY_COUNT = {notice.count: notice for notice in EXAM_NOTICES}


def _due(notice: ExamNotice, left: dt.timedelta) -> bool:
    above, at_most = notice.window
    return (above is None or left > above) and (at_most is None or left <= at_most)


def send_exam_notice(notice: ExamNotice, exam: Exam, now: dt.datetime) -> int:
    """Send one of the periodic exam notices to its audience (once each); returns how many were sent."""
    users = _users_of(notice.audience(exam))
    if notice.quiet_after_published is not None:
        just_told = set(
            db.session.scalars(
                select(Notification.user_id).where(
                    Notification.kind == "exam.published",
                    Notification.once_key == f"exam:{exam.id}",
                    Notification.created_at > now - notice.quiet_after_published,
                )
            )
        )
        users = [u for u in users if u.id not in just_told]
    sent = notify(
        users,
        kind=notice.kind,
        title=notice.title(exam),
        body=notice.body(exam),
        link=_link(exam),
        now=now,
        key=f"exam:{exam.id}{notice.key_suffix}",
    )
    return len(sent)


def published(exam: Exam, now: dt.datetime) -> int:
    """The exam is published: tell its audience (once each)."""
    return send_exam_notice(_BY_COUNT["published"], exam, now)


def reminder(exam: Exam, now: dt.datetime, label: str) -> int:
    """24 h or 1 h (``label``) before the window closes: tell those who have not started (once each)."""
    return send_exam_notice(_BY_COUNT[f"reminder_{label}"], exam, now)


def results_released(exam: Exam, now: dt.datetime) -> int:
    """Each closed attempt whose score the results policy now shows: tell its candidate (once each)."""
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.exam_id == exam.id, Attempt.status != AttemptStatus.OPEN)
        .options(selectinload(Attempt.employee).selectinload(Employee.user))
    ).all()
    visible = [a for a in attempts if score_visible(a, now)]
    keys = {f"attempt:{a.id}" for a in visible}
    told = (
        set(
            db.session.scalars(
                select(Notification.once_key).where(
                    Notification.kind == "exam.result", Notification.once_key.in_(keys)
                )
            )
        )
        if keys
        else set()
    )
    sent = 0
    for attempt in visible:
        if f"attempt:{attempt.id}" in told:
            continue
        if attempt.passed is None:
            body = _l(
                "Score: %(score)s of %(max)s (some answers are still being marked).",
                score=attempt.score,
                max=attempt.max_score,
            )
        elif attempt.passed:
            body = _l("Score: %(score)s of %(max)s. You passed.", score=attempt.score, max=attempt.max_score)
        else:
            body = _l(
                "Score: %(score)s of %(max)s. You did not reach the pass mark.",
                score=attempt.score,
                max=attempt.max_score,
            )
        sent += len(
            notify(
                _recipients(attempt),
                kind="exam.result",
                title=_l("Result released: %(title)s", title=exam.title),
                body=body,
                link=_link_attempt(attempt),
                now=now,
                key=f"attempt:{attempt.id}",
            )
        )
    return sent


def send_due(now: dt.datetime) -> dict:
    """Everything due now (safe to run every minute, from several workers: each notice has a key)."""
    counts = {"published": 0, "reminder_24h": 0, "reminder_1h": 0, "results": 0}
    live = db.session.scalars(
        select(Exam).where(Exam.published.is_(True), Exam.closes_at > now).order_by(Exam.id)
    ).all()
    for exam in live:
        left = exam.closes_at - now
        for notice in EXAM_NOTICES:
            if _due(notice, left):
                counts[notice.count] += send_exam_notice(notice, exam, now)
    recent = db.session.scalars(
        select(Exam).where(Exam.published.is_(True), Exam.closes_at > now - RESULTS_HORIZON).order_by(Exam.id)
    ).all()
    for exam in recent:
        counts["results"] += results_released(exam, now)
    return counts


def review_answered(review: ReviewRequest, now: dt.datetime) -> None:
    """The candidate's score review is answered (changed or upheld), once per request."""
    attempt = review.attempt
    if review.status == ReviewStatus.CHANGED:
        body = _l(
            "Question %(n)d: the mark is now %(mark)s (was %(old)s); your score is %(score)s of %(max)s. %(answer)s",
            n=review.item.position,
            mark=review.new_mark,
            old=review.old_mark,
            score=attempt.score,
            max=attempt.max_score,
            answer=review.answer,
        )
    else:
        body = _l(
            "Question %(n)d: the marking stands. %(answer)s", n=review.item.position, answer=review.answer
        )
    notify(
        _recipients(attempt),
        kind="exam.review",
        title=_l("Score review answered: %(title)s", title=attempt.exam.title),
        body=body,
        link=_link_attempt(attempt),
        now=now,
        key=f"review:{review.id}",
    )
