"""Results for trainers and HR: the final attempt per candidate, the results table and its xlsx export,
the per-department summary, and the statistics gathered from the database."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from accounts.models import Department, Employee, User
from accounts.services import scope_clause
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from core.spreadsheets import write_xlsx
from exams import statistics
from exams.labels import ATTEMPT_STATUS_LABELS
from exams.models import Attempt, AttemptItem, AttemptStatus, Exam
from exams.services import audience_employees, can_manage_exam, pick_final
from question_bank.models import QuestionVersion


def closed_attempts(exam: Exam, viewer: User | None = None) -> list[Attempt]:
    """Every submitted attempt at the exam, limited to the viewer's scope (HR sees only their people)."""
    query = (
        select(Attempt)
        .join(Employee, Employee.id == Attempt.employee_id)
        .options(joinedload(Attempt.employee).joinedload(Employee.department))
        .where(Attempt.exam_id == exam.id, Attempt.status != AttemptStatus.OPEN)
        .order_by(Attempt.id)
    )
    if viewer is not None and not can_manage_exam(viewer, exam):
        query = query.where(scope_clause(viewer, Role.HR, Employee.department_id))
    return list(db.session.scalars(query).unique())


def final_attempts(exam: Exam, viewer: User | None = None) -> list[Attempt]:
    """The attempt that counts for each candidate (grading method), limited to the viewer's scope."""
    by_employee: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in closed_attempts(exam, viewer):
        by_employee[attempt.employee_id].append(attempt)
    finals = [pick_final(attempts, exam.grading_method) for attempts in by_employee.values()]
    return sorted((a for a in finals if a is not None), key=lambda a: a.employee.employee_no)


@dataclass
class ResultFilters:
    department_id: int | None = None
    outcome: str = ""  # passed / failed / pending
    q: str = ""


def results_rows(exam: Exam, viewer: User, filters: ResultFilters) -> list[Attempt]:
    """Final attempts filtered by department subtree, outcome and name / employee number."""
    rows = final_attempts(exam, viewer)
    if filters.department_id:
        dept = db.session.get(Department, filters.department_id)
        if dept is not None:
            rows = [a for a in rows if a.employee.department.path.startswith(dept.path)]
    if filters.outcome == "passed":
        rows = [a for a in rows if a.passed is True]
    elif filters.outcome == "failed":
        rows = [a for a in rows if a.passed is False]
    elif filters.outcome == "pending":
        rows = [a for a in rows if a.status == AttemptStatus.SUBMITTED]
    if filters.q:
        needle = filters.q.strip().upper()
        rows = [
            a
            for a in rows
            if needle in a.employee.employee_no.upper() or filters.q.strip() in a.employee.name
        ]
    return rows


def outcome_label(attempt: Attempt) -> str:
    if attempt.passed is True:
        return _("Passed")
    if attempt.passed is False:
        return _("Failed")
    return str(ATTEMPT_STATUS_LABELS[AttemptStatus(attempt.status)])


def results_xlsx(exam: Exam, rows: list[Attempt]) -> bytes:
    """The results table as an xlsx workbook."""
    headers = [
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Attempt"),
        _("Submitted"),
        _("Score"),
        _("Maximum"),
        _("Result"),
    ]
    data = [
        [
            a.employee.employee_no,
            a.employee.name,
            a.employee.department.name,
            a.number,
            a.submitted_at.strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
            float(a.score) if a.score is not None else "",
            float(a.max_score),
            outcome_label(a),
        ]
        for a in rows
    ]
    return write_xlsx(headers, data, title=exam.title[:31] or "results", widths=[12, 10, 20, 8, 18, 8, 8, 10])


@dataclass
class DepartmentRow:
    department: Department
    candidates: int
    sat: int  # submitted, graded or not
    passed: int
    mean: Decimal | None
    provisional: int = 0  # submitted, essays not yet marked: apart from passes, pass rate and mean

    @property
    def graded(self) -> int:
        return self.sat - self.provisional

    @property
    def pass_rate(self) -> float | None:
        return 100.0 * self.passed / self.graded if self.graded else None


def department_summary(exam: Exam, viewer: User) -> list[DepartmentRow]:
    """Per department: audience size, how many sat, how many passed, mean final score. Attempts still
    waiting for marking are counted apart (``provisional``), in neither the passes nor the mean."""
    finals = final_attempts(exam, viewer)
    audience = audience_employees(exam) if not exam.parent_exam_id else [a.employee for a in finals]
    if not can_manage_exam(viewer, exam):
        allowed = set(
            db.session.scalars(
                select(Employee.id).where(scope_clause(viewer, Role.HR, Employee.department_id))
            )
        )
        audience = [e for e in audience if e.id in allowed]
    # Someone who sat but is no longer in the audience (moved, or removed from it) still counts.
    audience_ids = {e.id for e in audience}
    people = audience + [a.employee for a in finals if a.employee_id not in audience_ids]
    rows: dict[int, DepartmentRow] = {}
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for employee in people:
        row = rows.setdefault(employee.department_id, DepartmentRow(employee.department, 0, 0, 0, None))
        row.candidates += 1
    for attempt in finals:
        row = rows[attempt.employee.department_id]
        row.sat += 1
        if attempt.status != AttemptStatus.GRADED:  # provisional until every essay is marked
            row.provisional += 1
            continue
        row.passed += 1 if attempt.passed else 0
        scores[attempt.employee.department_id].append(attempt.score or Decimal(0))
    for dept_id, values in scores.items():
        rows[dept_id].mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))
    return sorted(rows.values(), key=lambda r: r.department.path)


@dataclass
class OptionRow:
    """One line of the distractor analysis: the option as the bank wrote it (answers are stored by option
    id, so each candidate's shuffle is already undone), the share choosing it, and whether it is the key."""

    option_id: str
    html: str  # option HTML from the question bank; empty for true/false and "no answer"
    share: float
    is_key: bool


def _option_rows(version: QuestionVersion, stats: statistics.ItemStats) -> list[OptionRow]:
    key = version.key or {}
    if version.type == "truefalse":
        keyed = {str(key.get("answer")).lower()}
    elif version.type == "multiple":
        keyed = {str(c) for c in key.get("correct") or []}
    else:
        keyed = {str(o.get("id")) for o in version.options or [] if Decimal(str(o.get("fraction") or 0)) > 0}
    html = {str(o.get("id")): o.get("html") or "" for o in version.options or []}
    return [
        OptionRow(option_id, html.get(option_id, ""), share, option_id in keyed)
        for option_id, share in stats.distractors.items()
    ]


@dataclass
class ExamStatistics:
    summary: statistics.Summary
    histogram: list[int]
    alpha: float | None
    items: list[tuple[QuestionVersion, statistics.ItemStats, list[OptionRow]]]
    max_score: Decimal
    alpha_basis: str | None = None  # "questions", "positions" or None (see _alpha)
    alpha_items: int = 0
    alpha_candidates: int = 0


def _alpha(finals, items: list[AttemptItem], shuffled: bool) -> tuple[float | None, str | None, int, int]:
    """Cronbach's alpha, its basis, its number of items and of candidates.

    - Every candidate had the same questions (a fixed paper, or fixed questions within a drawn one):
      alpha over those questions.
    - Drawn papers: without question shuffling, position p of every paper comes from the same rule, so
      alpha is computed over the positions, the way Moodle reports random-question slots. It needs
      every paper to have the same positions at the same points.
    - Otherwise (shuffled drawn papers, papers of different shapes): alpha over the largest set of
      questions (by question id) that enough candidates all had (half of them, at most 30, at least two;
      ``statistics.shared_block``), over those candidates; undefined when no two questions qualify."""
    scored = [i for i in items if i.qtype != "description"]
    by_question: dict[int, dict[int, AttemptItem]] = defaultdict(dict)
    by_position: dict[int, dict[int, AttemptItem]] = defaultdict(dict)
    for item in scored:
        by_question[item.attempt_id][item.question_id] = item
        by_position[item.attempt_id][item.position] = item
    attempts = [a for a in finals if a.id in by_question]
    if len(attempts) < 2:
        return None, None, 0, 0
    common = sorted(set.intersection(*(set(by_question[a.id]) for a in attempts)))
    if len(common) >= 2 and all(len(by_question[a.id]) == len(common) for a in attempts):
        matrix = [[float(by_question[a.id][q].mark or 0) for q in common] for a in attempts]
        return statistics.cronbach_alpha(matrix), "questions", len(common), len(attempts)
    shapes = {tuple((p, i.points) for p, i in sorted(by_position[a.id].items())) for a in attempts}
    if not shuffled and len(shapes) == 1:
        positions = sorted(by_position[attempts[0].id])
        if len(positions) >= 2:
            matrix = [[float(by_position[a.id][p].mark or 0) for p in positions] for a in attempts]
            return statistics.cronbach_alpha(matrix), "positions", len(positions), len(attempts)
    papers = {a.id: {q: float(i.mark or 0) for q, i in by_question[a.id].items()} for a in attempts}
    enough = max(2, min(statistics.FEW_RESPONSES, math.ceil(len(attempts) / 2)))
    questions, candidates = statistics.shared_block(papers, enough)
    if not questions:
        return None, None, 0, 0
    matrix = [[papers[c][q] for q in questions] for c in candidates]
    return statistics.cronbach_alpha(matrix), "shared", len(questions), len(candidates)


def exam_statistics(exam: Exam, viewer: User | None = None) -> ExamStatistics:
    """Statistics over the final graded attempts (one per candidate), per Moodle's definitions; for a
    scoped HR reader, over the candidates in their scope (as the results table)."""
    finals = [a for a in final_attempts(exam, viewer) if a.status == AttemptStatus.GRADED]
    totals = [a.score or Decimal(0) for a in finals]
    percents = [float(a.score or 0) * 100 / float(a.max_score) if a.max_score else 0.0 for a in finals]
    summ = statistics.summary(totals, [bool(a.passed) for a in finals])
    items = list(
        db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id.in_([a.id for a in finals])))
    )
    total_of = {a.id: float(a.score or 0) for a in finals}
    by_question: dict[int, list[AttemptItem]] = defaultdict(list)
    for item in items:
        if item.qtype != "description":
            by_question[item.question_id].append(item)
    alpha, basis, alpha_items, alpha_candidates = _alpha(finals, items, exam.shuffle_questions)
    versions = {
        v.question_id: v
        for v in db.session.scalars(
            select(QuestionVersion)
            .where(QuestionVersion.id.in_({i.version_id for i in items}))
            .order_by(QuestionVersion.id)
        )
    }
    item_rows = []
    for question_id, q_items in sorted(by_question.items()):
        version = versions[question_id]
        choices = None
        option_ids: list[str] = []
        if version.type in ("single", "multiple"):
            option_ids = [str(o.get("id")) for o in version.options or []]
            choices = [list((i.response or {}).get("choice") or []) for i in q_items]
        elif version.type == "truefalse":
            option_ids = ["true", "false"]
            choices = [
                []
                if (i.response or {}).get("answer") is None
                else [str((i.response or {})["answer"]).lower()]
                for i in q_items
            ]
        stats = statistics.item_stats(
            question_id,
            [float(i.mark or 0) for i in q_items],
            [total_of[i.attempt_id] for i in q_items],
            float(q_items[0].points),
            choices,
            option_ids,
        )
        item_rows.append((version, stats, _option_rows(version, stats)))
    max_score = max((a.max_score for a in finals), default=Decimal(0))
    return ExamStatistics(
        summ,
        statistics.histogram(percents),
        alpha,
        item_rows,
        max_score,
        basis,
        alpha_items,
        alpha_candidates,
    )


def unfinished_attempts_of(employee_ids: list[int]) -> dict[int, list[str]]:
    """Exam attempts of these people still in progress or waiting for marking (listed when a roster import
    takes them off post)."""
    rows = db.session.execute(
        select(Attempt.employee_id, func.count(Attempt.id))
        .where(
            Attempt.employee_id.in_(employee_ids),
            Attempt.status.in_((AttemptStatus.OPEN, AttemptStatus.SUBMITTED)),
        )
        .group_by(Attempt.employee_id)
    )
    return {eid: [_("%(n)d exam attempt(s) in progress or waiting for marking", n=n)] for eid, n in rows}
