"""The exam runtime: start (draw and freeze a paper), autosave with sequence numbers, the server-side
timer, submit and auto-submit, and grading an attempt.

Concurrency rules (the database, not a check in Python, keeps them):
- One open attempt per (exam, employee): a partial unique index; a start that loses the race resumes the
  winner's attempt.
- A save is one conditional UPDATE: it writes only when the client's ``seq`` is higher than the stored one
  and the attempt is still open and before its deadline (an EXISTS inside the same statement). On
  PostgreSQL the save first takes a FOR SHARE lock on the attempt row, so a submit (which UPDATEs that
  row) waits for in-flight saves and every save either lands before grading or is refused after it.
- Submit flips ``open`` to ``submitted`` with ``UPDATE ... WHERE status = 'open'`` and grades only when it
  changed a row: two submits (two tabs, two cron runs) grade once. Flip, grading and score are one
  transaction, so a worker killed half-way leaves the attempt open with every saved answer.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape
from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from accounts.models import Employee
from core import audit, signals
from core.extensions import db
from core.i18n import gettext as _
from exams import arrangements, grading, integrity, outcomes, responses
from exams.errors import AttemptClosed, BadAnswer, CannotStart, ExamError, NotAvailable
from exams.models import Attempt, AttemptItem, AttemptStatus, Exam, ResultsRelease
from exams.papers import DrawnQuestion, draw_paper
from exams.pools import exam_pool
from exams.services import attempts_of, in_audience
from question_bank.models import QuestionVersion
from question_bank.services import mark_version_used

BLANK = re.compile(r"\{\{(\d+)\}\}")


# ---------------------------------------------------------------- starting


def deadline_for(exam: Exam, started_at: dt.datetime, terms: arrangements.Terms | None = None) -> dt.datetime:
    """Deadline = min(start + duration, window close), with the candidate's arrangement
    (``exams.arrangements.deadline``: extra minutes on both, their own window's close)."""
    return arrangements.deadline(exam, started_at, terms or arrangements.terms_from(exam, None))


def open_attempt(exam: Exam, employee: Employee) -> Attempt | None:
    """The employee's attempt in progress, if any."""
    return db.session.scalar(
        select(Attempt)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.employee_id == employee.id,
            Attempt.status == AttemptStatus.OPEN,
        )
        .execution_options(populate_existing=True)
    )


def own_attempt(attempt_id: int, employee_id: int | None) -> Attempt:
    """The employee's own attempt; NotAvailable (404) for a missing one or someone else's."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or employee_id is None or attempt.employee_id != employee_id:
        raise NotAvailable(_("Attempt not found."))
    return attempt


def check_can_sit(exam: Exam, employee: Employee) -> None:
    """404 (NotAvailable) for an unpublished exam or one the employee is not a candidate of."""
    if not exam.published or not in_audience(exam, employee):
        raise NotAvailable(_("Exam not found."))


def start_attempt(
    exam: Exam, employee: Employee, now: dt.datetime, *, gate: integrity.Gate | None = None
) -> Attempt:
    """Resume the open attempt, or start a new one: draw the paper, freeze it on question versions.

    Refused (CannotStart) outside the candidate's window or when their attempts are used up, and (a new
    attempt only) when the exam's access code or allowed networks refuse the ``gate`` (what the request
    brought: code typed, client address, device); an expired attempt found on the way is auto-submitted
    first, and that is kept."""
    check_can_sit(exam, employee)
    current = open_attempt(exam, employee)
    if current is not None:
        if current.deadline > now:
            return current
        submit_attempt(current, now, auto=True)
    terms = arrangements.terms(exam, employee.id)
    used = _check_can_start(exam, employee, now, terms)
    gate = gate or integrity.Gate()
    integrity.check_gate(exam, gate)
    seed = secrets.randbelow(2**31 - 1)
    pool = exam_pool(exam, now)
    try:
        paper = draw_paper(exam.blueprint, seed, shuffle_questions=exam.shuffle_questions, pool=pool.versions)
    except ExamError as exc:
        if pool.frozen_at == now:  # frozen by this start: a pool no paper can be drawn from is not kept
            db.session.delete(pool)
            db.session.flush()
        raise CannotStart(exc.message) from exc
    attempt = Attempt(
        exam_id=exam.id,
        employee_id=employee.id,
        number=used + 1,
        status=AttemptStatus.OPEN,
        seed=seed,
        started_at=now,
        deadline=deadline_for(exam, now, terms),
        device=gate.device,
        max_score=sum((d.points for d in paper if d.version.type != "description"), Decimal(0)),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
    except IntegrityError:
        # Another request started this attempt at the same moment: resume that one.
        winner = open_attempt(exam, employee)
        if winner is None:
            raise CannotStart(_("Another attempt was just started; reload the page.")) from None
        return winner
    _freeze_paper(attempt, paper, option_orders(paper, seed, exam.shuffle_options))
    audit.record("attempt.start", attempt, exam_id=exam.id, number=attempt.number, seed=seed)
    return attempt


def _check_can_start(exam: Exam, employee: Employee, now: dt.datetime, terms: arrangements.Terms) -> int:
    """Refuse a start outside the candidate's window or with their attempts used up; the attempts used."""
    if now < terms.opens_at:
        raise CannotStart(_("This exam has not opened yet."))
    if now >= terms.closes_at:
        raise CannotStart(_("This exam has closed."))
    used = len(attempts_of(exam, employee))
    if used >= terms.max_attempts:
        raise CannotStart(_("You have used all %(n)d attempts at this exam.", n=terms.max_attempts))
    return used


def _freeze_paper(attempt: Attempt, paper: list[DrawnQuestion], orders: list[list]) -> None:
    """Store the drawn paper as the attempt's items (one INSERT) and mark its question versions used."""
    db.session.execute(
        insert(AttemptItem),
        [
            {
                "attempt_id": attempt.id,
                "position": index,
                "section_title": drawn.section_title,
                "version_id": drawn.version.id,
                "question_id": drawn.question.id,
                "qtype": drawn.version.type,
                "points": drawn.points if drawn.version.type != "description" else Decimal(0),
                "option_order": orders[index - 1],
                "seq": 0,
                "grader_comment": "",
            }
            for index, drawn in enumerate(paper, start=1)
        ],
    )
    for drawn in paper:
        if not drawn.version.used:
            mark_version_used(drawn.version)  # a version on a paper is immutable from now on


def option_orders(paper, seed: int, shuffle: bool) -> list[list]:
    """Per item: the option ids in display order (choice questions) or the right-hand column (matching).

    Matching answers are always shown in a shuffled (or, without shuffling, alphabetical) order, never in
    key order, which would give the pairs away."""
    rng = random.Random(seed ^ 0x5EED)
    orders: list[list] = []
    for drawn in paper:
        version = drawn.version
        if version.type in ("single", "multiple"):
            ids = [str(o.get("id")) for o in version.options or []]
            if shuffle:
                rng.shuffle(ids)
            orders.append(ids)
        elif version.type == "matching":
            key = version.key or {}
            rights = [p.get("right", "") for p in key.get("pairs") or []] + list(key.get("distractors") or [])
            rights = sorted(set(rights))
            if shuffle:
                rng.shuffle(rights)
            orders.append(rights)
        else:
            orders.append([])
    return orders


# ---------------------------------------------------------------- what the candidate receives


def versions_of(items: list[AttemptItem]) -> dict[int, QuestionVersion]:
    ids = {i.version_id for i in items}
    return {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}


def candidate_item(item: AttemptItem, version: QuestionVersion) -> dict:
    """One question as the candidate sees it: never the key, fractions, feedback or explanation."""
    data = {
        "position": item.position,
        "section": item.section_title,
        "type": item.qtype,
        "points": str(item.points),
        "stem_html": version.stem_html,
        "seq": item.seq,
        "response": item.response,
    }
    if item.qtype in ("single", "multiple"):
        html = {str(o.get("id")): o.get("html", "") for o in version.options or []}
        data["options"] = [{"id": oid, "html": html.get(oid, "")} for oid in item.option_order]
    elif item.qtype == "truefalse":
        data["options"] = [{"id": "true", "html": _("True")}, {"id": "false", "html": _("False")}]
    elif item.qtype == "fill":
        data["blanks"] = len(BLANK.findall(version.stem_html or "")) or len(
            (version.key or {}).get("blanks") or []
        )
    elif item.qtype == "matching":
        data["lefts"] = [p.get("left", "") for p in (version.key or {}).get("pairs") or []]
        data["rights"] = list(item.option_order)
    elif item.qtype == "numerical":
        data["unit"] = (version.key or {}).get("unit", "")
    return data


def candidate_paper(attempt: Attempt, now: dt.datetime) -> dict:
    """The attempt as JSON for the runtime page and other clients (documented in docs/exams.md)."""
    items = list(
        db.session.scalars(
            select(AttemptItem)
            .where(AttemptItem.attempt_id == attempt.id)
            .order_by(AttemptItem.position)
            .execution_options(populate_existing=True)
        )
    )
    versions = versions_of(items)
    return {
        "attempt_id": attempt.id,
        "exam": {"id": attempt.exam_id, "title": attempt.exam.title},
        "number": attempt.number,
        "status": attempt.status,
        **clock(attempt, now),
        "questions": [candidate_item(i, versions[i.version_id]) for i in items],
    }


def render_stem(stem_html: str, position: int) -> Markup:
    """The stem with each ``{{n}}`` blank turned into a text box (the stem is sanitised by question_bank)."""

    def box(match: re.Match) -> str:
        n = int(match.group(1))
        return (
            f'<input type="text" class="form-control d-inline-block w-auto blank" autocomplete="off" '
            f'data-blank="{n - 1}" aria-label="{escape(_("Blank %(n)d", n=n))}" maxlength="500">'
        )

    return Markup(BLANK.sub(box, stem_html or ""))  # noqa: S704 — sanitised stem plus our own inputs


def clock(attempt: Attempt, now: dt.datetime) -> dict:
    """The server's clock for the countdown: now, deadline and seconds left (0 when past)."""
    remaining = max(0, int((attempt.deadline - now).total_seconds()))
    return {
        "server_now": now.isoformat(),
        "deadline": attempt.deadline.isoformat(),
        "remaining_seconds": remaining if attempt.is_open else 0,
    }


# ---------------------------------------------------------------- autosave


@dataclass(frozen=True)
class SaveResult:
    saved: bool  # False: a newer answer was already stored and is kept
    seq: int
    response: dict | None
    saved_at: dt.datetime | None
    remaining_seconds: int


# The save path runs thousands of times a minute on exam day: its statements are built once, with bound
# parameters, instead of per request. Two round trips per save: one read (ownership, status, deadline and
# the item's type in a single join; on PostgreSQL FOR SHARE of the attempt row, so a submit waits for an
# in-flight save) and one conditional UPDATE that also re-checks that the attempt is still open.
_SAVE_HEAD = (
    select(Attempt.status, Attempt.deadline, AttemptItem.id, AttemptItem.qtype)
    .select_from(Attempt)
    .outerjoin(
        AttemptItem,
        (AttemptItem.attempt_id == Attempt.id) & (AttemptItem.position == bindparam("position")),
    )
    .where(Attempt.id == bindparam("attempt_id"), Attempt.employee_id == bindparam("employee_id"))
)
_SAVE_HEAD_PG = _SAVE_HEAD.with_for_update(read=True, of=Attempt)
_items = AttemptItem.__table__.c
_SAVE_WRITE = (
    update(AttemptItem)
    .where(
        AttemptItem.id == bindparam("item_id"),
        AttemptItem.seq < bindparam("new_seq"),
        exists().where(
            Attempt.id == bindparam("of_attempt"),
            Attempt.status == AttemptStatus.OPEN,
            Attempt.deadline > bindparam("now", type_=Attempt.__table__.c.deadline.type),
        ),
    )
    .values(
        response=bindparam("new_response", type_=_items.response.type),
        seq=bindparam("new_seq"),
        saved_at=bindparam("now", type_=_items.saved_at.type),
    )
    .execution_options(synchronize_session=False)
)
_SAVE_KEPT = select(AttemptItem.seq, AttemptItem.response, AttemptItem.saved_at).where(
    AttemptItem.id == bindparam("item_id")
)


def save_answer(
    attempt_id: int, employee_id: int, position: int, seq: int, response, now: dt.datetime
) -> SaveResult:
    """Store an answer when ``seq`` is higher than the stored one; answer with what the server kept.

    NotAvailable for another person's attempt or a missing item; AttemptClosed after submit or the
    deadline (nothing is written)."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or seq > 2**31 - 1:
        raise BadAnswer(_("The sequence number must be a positive integer."))
    head = _SAVE_HEAD_PG if db.session.get_bind().dialect.name == "postgresql" else _SAVE_HEAD
    row = db.session.execute(
        head, {"attempt_id": attempt_id, "employee_id": employee_id, "position": position}
    ).first()
    if row is None:
        raise NotAvailable(_("Attempt not found."))
    status, deadline, item_id, qtype = row
    if status != AttemptStatus.OPEN:
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer be changed."))
    if deadline <= now:
        raise AttemptClosed(_("Time is up: answers saved after the deadline are not accepted."))
    if item_id is None:
        raise NotAvailable(_("Question not found."))
    clean = responses.validate_response(qtype, response)
    result = db.session.execute(
        _SAVE_WRITE,
        {"item_id": item_id, "new_seq": seq, "of_attempt": attempt_id, "now": now, "new_response": clean},
    )
    remaining = max(0, int((deadline - now).total_seconds()))
    if result.rowcount == 1:
        return SaveResult(True, seq, clean, now, remaining)
    kept = db.session.execute(_SAVE_KEPT, {"item_id": item_id}).one()
    if kept.seq < seq:  # not stale, so the attempt closed between our check and the write
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer be changed."))
    return SaveResult(False, kept.seq, kept.response, kept.saved_at, remaining)


def settle_refused_save(attempt_id: int, now: dt.datetime) -> Attempt:
    """After a save refused as closed: the attempt, auto-submitted now when its time has run out.

    The refused save's reads are dropped first (a rollback, nothing was written): on PostgreSQL they hold
    a FOR SHARE lock on the attempt row, and two late saves each upgrading theirs to submit would deadlock."""
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id)
    finalise_if_expired(attempt, now)
    return attempt


# ---------------------------------------------------------------- submit and grading


def submit_attempt(attempt: Attempt, now: dt.datetime, *, auto: bool = False) -> bool:
    """Close the attempt and grade it once; False when another request already did.

    A submit after the deadline is an auto-submit: it keeps the answers saved before the deadline."""
    if now >= attempt.deadline:
        auto = True
    submitted_at = min(now, attempt.deadline)
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=submitted_at, auto_submitted=auto)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if result.rowcount != 1:
        return False
    grade_attempt(attempt, now)
    audit.record(
        "attempt.auto_submit" if auto else "attempt.submit",
        attempt,
        exam_id=attempt.exam_id,
        score=attempt.score,
        status=attempt.status,
    )
    return True


def load_items(attempt: Attempt) -> list[AttemptItem]:
    """The attempt's items as stored now (fresh from the database)."""
    return list(
        db.session.scalars(
            select(AttemptItem)
            .where(AttemptItem.attempt_id == attempt.id)
            .order_by(AttemptItem.position)
            .execution_options(populate_existing=True)
        )
    )


def grade_attempt(
    attempt: Attempt, now: dt.datetime, *, versions: dict[int, QuestionVersion] | None = None
) -> None:
    """Mark every automatically graded item (essays keep a hand mark or stay pending), then total."""
    items = load_items(attempt)
    versions = versions or versions_of(items)
    rule = attempt.exam.multiple_rule
    for item in items:
        version = versions[item.version_id]
        mark = grading.grade_response(
            item.qtype, version.key or {}, version.options or [], item.response, item.points, rule
        )
        if mark is not None:
            item.mark = mark
        elif item.qtype == "essay" and not grading.is_answered("essay", item.response) and item.mark is None:
            item.mark = Decimal("0.00")  # nothing written: nothing to grade
    db.session.flush()
    total_attempt(attempt, items, now)


def pass_mark(exam: Exam, max_score: Decimal) -> Decimal:
    """The score needed to pass: pass_percent of the paper's maximum."""
    return Decimal(exam.pass_percent) * Decimal(max_score) / Decimal(100)


def total_attempt(attempt: Attempt, items: list[AttemptItem], now: dt.datetime) -> None:
    """Sum the marks; when none is pending the score is final: set pass/fail and send the signals."""
    attempt.score = sum((i.mark or Decimal(0) for i in items), Decimal(0))
    pending = any(i.mark is None for i in items)
    was_passed = attempt.passed
    if pending:
        attempt.status = AttemptStatus.SUBMITTED
        attempt.passed = None
        db.session.flush()
        return
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = now
    attempt.passed = attempt.score >= pass_mark(attempt.exam, attempt.max_score)
    db.session.flush()
    send_signals(attempt, now, newly_passed=attempt.passed and not was_passed)


def send_signals(attempt: Attempt, now: dt.datetime, *, newly_passed: bool) -> None:
    """attempt_graded always; exam_passed when the attempt passes (training grants the certificate)."""
    source_key = f"exam-attempt:{attempt.id}"
    employee = attempt.employee
    signals.attempt_graded.send(
        attempt,
        employee=employee,
        exam=attempt.exam,
        score=attempt.score,
        passed=attempt.passed,
        max_score=attempt.max_score,
        source_key=source_key,
        now=now,
    )
    if newly_passed:
        outcomes.credit_pass(attempt, now)
        signals.exam_passed.send(
            attempt,
            employee=employee,
            exam=attempt.exam,
            score=attempt.score,
            max_score=attempt.max_score,
            first_attempt=attempt.number == 1,
            source_key=source_key,
            now=now,
        )


def finalise_if_expired(attempt: Attempt, now: dt.datetime) -> bool:
    """Auto-submit an open attempt whose deadline has passed (lazily, on the candidate's next request)."""
    if attempt.is_open and attempt.deadline <= now:
        return submit_attempt(attempt, now, auto=True)
    return False


def expired_attempt_ids(now: dt.datetime, limit: int = 500) -> list[int]:
    """Open attempts past their deadline, oldest deadline first."""
    return list(
        db.session.scalars(
            select(Attempt.id)
            .where(Attempt.status == AttemptStatus.OPEN, Attempt.deadline <= now)
            .order_by(Attempt.deadline)
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- what the candidate may see afterwards


def score_visible(attempt: Attempt, now: dt.datetime) -> bool:
    """The results policy: immediately (even provisional while essays wait), after the window closes, or
    only once manual grading is finished."""
    if attempt.is_open:
        return False
    release = attempt.exam.results_release
    if release == ResultsRelease.IMMEDIATE:
        return True
    if release == ResultsRelease.AFTER_CLOSE:
        return now >= attempt.exam.closes_at
    return attempt.status == AttemptStatus.GRADED


def answers_visible(attempt: Attempt, now: dt.datetime) -> bool:
    """Correct answers are shown once the score is, if the exam allows it."""
    return attempt.exam.show_answers and score_visible(attempt, now)


def explanations_visible(attempt: Attempt, now: dt.datetime) -> bool:
    """Explanations are shown once the score is, if the exam allows it."""
    return attempt.exam.show_explanations and score_visible(attempt, now)
