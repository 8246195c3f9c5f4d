"""Exams (考试安排): who manages and reads them, settings, audience and eligibility, re-sit rounds, and
which attempt counts.

Decisions where the issue is silent (paper blueprints and drawing: see ``exams.papers``):
- Pass mark is a percentage of the paper's maximum, so a re-drawn paper with the same blueprint keeps it.
- A re-sit round (补考) copies its exam's settings with a new window; its audience is every employee whose
  final result on the exam it repeats is a fail (computed live, so a late essay grade counts).
- Trainers scoped to a subtree own the exams and blueprints whose owner department lies in it; an unscoped
  trainer or an admin owns all. HR (in scope) reads results and statistics of any exam.
- An exam owned by a department is for people in that department's subtree only, whatever its audience
  lists (a position is company-wide). Company-wide exams have no such limit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import selectinload

from accounts.models import Department, Employee, User
from accounts.services import can_manage_unit, scope_clause
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from exams.errors import ExamError
from exams.errors import NotAvailable as NotAvailable  # re-exported: older callers name it here
from exams.integrity import parse_networks
from exams.models import (
    Attempt,
    AttemptStatus,
    AudienceKind,
    Exam,
    ExamAudience,
    ExamInvigilator,
    GradingMethod,
    PaperBlueprint,
)
from exams.papers import draw_paper as draw_paper  # re-exported: older callers name it here
from exams.papers import is_certification, unapproved_fixed, validate_blueprint

# ---------------------------------------------------------------- scope


def can_manage_exam(user: User, exam: Exam) -> bool:
    """Trainers owning the exam's department (or unscoped) and admins edit, grade and regrade it."""
    return can_manage_unit(user, exam.owner_department_id)


def can_manage_blueprint(user: User, blueprint: PaperBlueprint) -> bool:
    """Same ownership rule as exams."""
    return can_manage_unit(user, blueprint.owner_department_id)


def is_invigilator(user: User, exam: Exam) -> bool:
    """Whether ``user`` is one of the exam's named invigilators (监考; that exam only)."""
    return bool(
        db.session.scalar(
            select(ExamInvigilator.id)
            .where(ExamInvigilator.exam_id == exam.id, ExamInvigilator.user_id == user.id)
            .limit(1)
        )
    )


def can_invigilate(user: User, exam: Exam) -> bool:
    """The exam's managers and its named invigilators watch its monitor and act on its candidates."""
    return can_manage_exam(user, exam) or is_invigilator(user, exam)


def invigilated_exams(user: User) -> list[Exam]:
    """Exams the user is a named invigilator of, newest window first."""
    return list(
        db.session.scalars(
            select(Exam)
            .join(ExamInvigilator, ExamInvigilator.exam_id == Exam.id)
            .where(ExamInvigilator.user_id == user.id)
            .order_by(Exam.opens_at.desc())
        )
    )


def set_invigilators(exam: Exam, users: list[User], by: User) -> None:
    """Replace the exam's invigilators with ``users`` (people the manager covers: see the view)."""
    wanted = {u.id for u in users}
    current = {
        i.user_id: i
        for i in db.session.scalars(select(ExamInvigilator).where(ExamInvigilator.exam_id == exam.id))
    }
    for user_id, row in current.items():
        if user_id not in wanted:
            db.session.delete(row)
    for user_id in sorted(wanted - set(current)):
        db.session.add(ExamInvigilator(exam_id=exam.id, user_id=user_id, added_by_id=by.id))
    db.session.flush()


def invigilators_of(exam: Exam) -> list[ExamInvigilator]:
    return list(
        db.session.scalars(
            select(ExamInvigilator).where(ExamInvigilator.exam_id == exam.id).order_by(ExamInvigilator.id)
        )
    )


def can_view_results(user: User, exam: Exam) -> bool:
    """Managers of the exam, and HR (their rows limited to their scope)."""
    return can_manage_exam(user, exam) or user.has_any_role(Role.HR)


def _owned_clause(user: User, column):
    if user.has_any_role(Role.ADMIN):
        return column.is_(None) | column.is_not(None)
    roots = user.scope_roots(Role.TRAINER)
    if roots is None:
        return column.is_(None) | column.is_not(None)
    if not roots:
        return false()
    return column.in_(select(Department.id).where(or_(*(Department.path.startswith(r.path) for r in roots))))


def exams_query(user: User) -> Select:
    """Exams the user manages, or (HR) may read results of, newest first."""
    query = select(Exam).order_by(Exam.opens_at.desc(), Exam.id.desc())
    if user.has_any_role(Role.HR, Role.ADMIN):
        return query
    return query.where(_owned_clause(user, Exam.owner_department_id))


def blueprints_query(user: User) -> Select:
    """Blueprints the user owns."""
    return (
        select(PaperBlueprint)
        .where(_owned_clause(user, PaperBlueprint.owner_department_id))
        .order_by(PaperBlueprint.id.desc())
    )


# ---------------------------------------------------------------- exams and audience


def check_exam_settings(exam: Exam) -> None:
    """Refuse inconsistent settings (window, duration, attempts, pass mark)."""
    if exam.closes_at <= exam.opens_at:
        raise ExamError(_("The window must close after it opens."))
    if exam.duration_minutes < 1:
        raise ExamError(_("The duration must be at least one minute."))
    if exam.max_attempts < 1:
        raise ExamError(_("At least one attempt must be allowed."))
    if not Decimal(0) <= Decimal(exam.pass_percent) <= Decimal(100):
        raise ExamError(_("The pass mark is a percentage between 0 and 100."))
    parse_networks(exam.allowed_networks or "")


def check_exam(exam: Exam, user: User) -> None:
    """Refuse an exam on a blueprint the user does not own, a published one whose blueprint the bank cannot
    draw yet, or inconsistent settings."""
    blueprint = db.session.get(PaperBlueprint, exam.blueprint_id)
    if blueprint is None or not can_manage_blueprint(user, blueprint):
        raise ExamError(_("Choose one of your paper blueprints."))
    if exam.published:
        certified = is_certification(exam)
        unapproved = unapproved_fixed(blueprint) if certified else []
        if unapproved:
            raise ExamError(
                _(
                    "A certification exam takes only questions approved in review; not yet approved: %(q)s.",
                    q="、".join(f"#{q.id} {q.name[:40]}" for q in unapproved),
                )
            )
        problems = validate_blueprint(blueprint, certified)
        if problems and certified:
            raise ExamError(
                _(
                    "The blueprint cannot be drawn yet from questions approved in review: %(p)s",
                    p=" ".join(problems),
                )
            )
        if problems:
            raise ExamError(_("The blueprint cannot be drawn yet: %(p)s", p=" ".join(problems)))
    check_exam_settings(exam)


def employee_ids_by_number(user: User, numbers: list[str]) -> dict[str, int]:
    """Employee ids by employee number, among the people the trainer covers (an admin: everyone).

    A number outside the trainer's scope reads as unknown (no lookup oracle)."""
    in_scope = (
        Employee.id.is_not(None)
        if user.has_any_role(Role.ADMIN)
        else scope_clause(user, Role.TRAINER, Employee.department_id)
    )
    return dict(
        db.session.execute(
            select(Employee.employee_no, Employee.id).where(Employee.employee_no.in_(numbers), in_scope)
        ).all()
    )


def set_audience(exam: Exam, departments=(), positions=(), employees=()) -> None:
    """Replace the exam's audience with these departments (subtrees), positions and named employees."""
    exam.audience.clear()
    db.session.flush()
    for kind, ids in (
        (AudienceKind.DEPARTMENT, departments),
        (AudienceKind.POSITION, positions),
        (AudienceKind.EMPLOYEE, employees),
    ):
        for target in sorted({int(i) for i in ids}):
            exam.audience.append(ExamAudience(kind=kind, target_id=target))
    db.session.flush()


def _ancestor_ids(department: Department) -> list[int]:
    return [int(part) for part in department.path.strip("/").split("/") if part]


def _audience_match(employee: Employee):
    return or_(
        and_(
            ExamAudience.kind == AudienceKind.DEPARTMENT,
            ExamAudience.target_id.in_(_ancestor_ids(employee.department)),
        ),
        and_(ExamAudience.kind == AudienceKind.POSITION, ExamAudience.target_id == employee.position_id),
        and_(ExamAudience.kind == AudienceKind.EMPLOYEE, ExamAudience.target_id == employee.id),
    )


def _within_owner(exam: Exam, employee: Employee) -> bool:
    """An exam owned by a department is for people in that department's subtree only, whatever its
    audience lists (a scoped trainer cannot set an exam for, and then read the results of, people
    outside their branch)."""
    owner = exam.owner_department
    return owner is None or (
        employee.department is not None and employee.department.path.startswith(owner.path)
    )


def in_audience(exam: Exam, employee: Employee) -> bool:
    """Whether ``employee`` is among the exam's candidates (for a re-sit: failed the exam it repeats).

    An exam owned by a department is limited to that department's subtree (``_within_owner``)."""
    if not _within_owner(exam, employee):
        return False
    if exam.parent_exam_id:
        if _named(exam, employee):
            return True
        parent = exam.parent_exam
        result = final_attempt(parent, employee) if (parent and exam.resit_failed) else None
        return result is not None and result.status == AttemptStatus.GRADED and result.passed is False
    return bool(
        db.session.scalar(
            select(ExamAudience.id).where(ExamAudience.exam_id == exam.id, _audience_match(employee)).limit(1)
        )
    )


def _named(exam: Exam, employee: Employee) -> bool:
    return bool(
        db.session.scalar(
            select(ExamAudience.id)
            .where(
                ExamAudience.exam_id == exam.id,
                ExamAudience.kind == AudienceKind.EMPLOYEE,
                ExamAudience.target_id == employee.id,
            )
            .limit(1)
        )
    )


def candidate_exams(employee: Employee, now: dt.datetime, *, recent_days: int = 30) -> list[Exam]:
    """Published exams ``employee`` may sit that are open, upcoming, or closed within ``recent_days``."""
    horizon = now - dt.timedelta(days=recent_days)
    direct = select(Exam).where(
        Exam.published.is_(True),
        Exam.parent_exam_id.is_(None),
        Exam.closes_at >= horizon,
        Exam.id.in_(select(ExamAudience.exam_id).where(_audience_match(employee))),
        or_(
            Exam.owner_department_id.is_(None),
            Exam.owner_department_id.in_(_ancestor_ids(employee.department)),
        ),
    )
    exams = list(db.session.scalars(direct))
    resits = db.session.scalars(
        select(Exam).where(
            Exam.published.is_(True), Exam.parent_exam_id.is_not(None), Exam.closes_at >= horizon
        )
    )
    exams.extend(e for e in resits if in_audience(e, employee))
    return sorted(exams, key=lambda e: (e.opens_at, e.id))


def audience_clause(exam: Exam):
    """A WHERE clause selecting the active employees the exam is for (departments include their
    subtrees, limited to the owner's subtree), or None when the audience is empty.

    For a re-sit this is the exam's own audience list; who may actually sit a re-sit is decided by
    ``in_audience`` (a fail on the exam it repeats)."""
    entries = db.session.execute(
        select(ExamAudience.kind, ExamAudience.target_id).where(ExamAudience.exam_id == exam.id)
    ).all()
    by_kind: dict[str, list[int]] = {}
    for kind, target in entries:
        by_kind.setdefault(kind, []).append(target)
    clauses = []
    if by_kind.get(AudienceKind.EMPLOYEE):
        clauses.append(Employee.id.in_(by_kind[AudienceKind.EMPLOYEE]))
    if by_kind.get(AudienceKind.POSITION):
        clauses.append(Employee.position_id.in_(by_kind[AudienceKind.POSITION]))
    if by_kind.get(AudienceKind.DEPARTMENT):
        paths = db.session.scalars(
            select(Department.path).where(Department.id.in_(by_kind[AudienceKind.DEPARTMENT]))
        ).all()
        subtree = select(Department.id).where(or_(*(Department.path.startswith(p) for p in paths)))
        clauses.append(Employee.department_id.in_(subtree))
    if not clauses:
        return None
    clause = and_(Employee.status == "active", or_(*clauses))
    if exam.owner_department is not None:
        clause = and_(
            clause,
            Employee.department_id.in_(
                select(Department.id).where(Department.path.startswith(exam.owner_department.path))
            ),
        )
    return clause


def audience_employees(exam: Exam) -> list[Employee]:
    """Every active employee the exam is for, in one query (``audience_clause``)."""
    clause = audience_clause(exam)
    if clause is None:
        return []
    return list(
        db.session.scalars(
            select(Employee)
            .where(clause)
            .options(selectinload(Employee.department))
            .order_by(Employee.employee_no)
        )
    )


def create_resit(
    exam: Exam,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    user: User | None,
    *,
    failed: bool = True,
    named: tuple[int, ...] = (),
) -> Exam:
    """A re-sit round (补考) of ``exam`` for those who failed it (``failed``) and the employees ``named``
    (a make-up round for absentees): same paper rules, a new window."""
    if exam.purpose == "practice":
        raise ExamError(_("Practice exams have no re-sit rounds."))
    resit = Exam(
        title=_("%(title)s (re-sit %(n)d)", title=exam.title, n=exam.round_number),
        description=exam.description,
        purpose=exam.purpose,
        blueprint_id=exam.blueprint_id,
        opens_at=opens_at,
        closes_at=closes_at,
        duration_minutes=exam.duration_minutes,
        max_attempts=1,
        grading_method=exam.grading_method,
        pass_percent=exam.pass_percent,
        shuffle_questions=exam.shuffle_questions,
        shuffle_options=exam.shuffle_options,
        multiple_rule=exam.multiple_rule,
        results_release=exam.results_release,
        show_answers=exam.show_answers,
        show_explanations=exam.show_explanations,
        blind_grading=exam.blind_grading,
        log_focus=exam.log_focus,
        focus_warn_after=exam.focus_warn_after,
        focus_collect_after=exam.focus_collect_after,
        ask_fullscreen=exam.ask_fullscreen,
        block_copy=exam.block_copy,
        allowed_networks=exam.allowed_networks,
        review_days=exam.review_days,
        resit_failed=failed,
        published=False,
        parent_exam=exam,
        round_number=exam.round_number + 1,
        certificate_type_id=exam.certificate_type_id,
        owner_department_id=exam.owner_department_id,
        created_by_id=user.id if user else None,
    )
    check_exam_settings(resit)
    if not failed and not named:
        raise ExamError(
            _("A make-up round needs someone to sit it: the absentees, those who failed, or both.")
        )
    db.session.add(resit)
    db.session.flush()
    for employee_id in sorted(set(named)):
        resit.audience.append(ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=employee_id))
    db.session.flush()
    return resit


def attempts_of(exam: Exam, employee: Employee) -> list[Attempt]:
    """The employee's attempts at the exam, oldest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.exam_id == exam.id, Attempt.employee_id == employee.id)
            .order_by(Attempt.number)
        )
    )


def final_attempt(exam: Exam, employee: Employee) -> Attempt | None:
    """The attempt that counts under the exam's grading method (highest or last), among closed attempts."""
    closed = [a for a in attempts_of(exam, employee) if a.status != AttemptStatus.OPEN]
    return pick_final(closed, exam.grading_method)


def pick_final(closed: list[Attempt], method: str) -> Attempt | None:
    """Highest score (ties: the earlier attempt) or the last attempt; attempts awaiting grading count as
    their provisional score."""
    if not closed:
        return None
    if method == GradingMethod.LAST:
        return max(closed, key=lambda a: a.number)
    return max(closed, key=lambda a: (a.score or Decimal(0), -a.number))
