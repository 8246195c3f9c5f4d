"""Blueprints and exams: validation, drawing a paper, audience and eligibility, scope, re-sit rounds.

Decisions where the issue is silent:
- A draw rule takes published questions whose *current* version matches; a category rule includes its
  subcategories. Empty filters match everything. Rules draw without replacement across the whole paper.
- Pass mark is a percentage of the paper's maximum, so a re-drawn paper with the same blueprint keeps it.
- A re-sit round (补考) copies its exam's settings with a new window; its audience is every employee whose
  final result on the exam it repeats is a fail (computed live, so a late essay grade counts).
- Trainers scoped to a subtree own the exams and blueprints whose owner department lies in it; an unscoped
  trainer or an admin owns all. HR (in scope) reads results and statistics of any exam.
- An exam owned by a department is for people in that department's subtree only, whatever its audience
  lists (a position is company-wide); a blueprint owned by one draws only from shared categories and the
  ones owned inside its subtree. Company-wide exams and blueprints have no such limit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from accounts.models import Department, Employee, User
from accounts.services import can_manage_unit
from core.auth import Role
from core.extensions import db
from exams.models import (
    Attempt,
    AttemptStatus,
    AudienceKind,
    BlueprintRule,
    BlueprintSection,
    Exam,
    ExamAudience,
    GradingMethod,
    PaperBlueprint,
    RuleKind,
)
from question_bank.labels import TYPE_LABELS
from question_bank.models import (
    Category,
    Question,
    QuestionStatus,
    QuestionVersion,
    Tag,
    question_tag_links,
)


class ExamError(ValueError):
    """A rule about exams was broken; the message is shown to the user."""


class NotAvailable(ExamError):
    """The exam or attempt does not exist for this user (answered with 404)."""


# ---------------------------------------------------------------- scope


def can_manage_exam(user: User, exam: Exam) -> bool:
    """Trainers owning the exam's department (or unscoped) and admins edit, grade and regrade it."""
    return can_manage_unit(user, exam.owner_department_id)


def can_manage_blueprint(user: User, blueprint: PaperBlueprint) -> bool:
    """Same ownership rule as exams."""
    return can_manage_unit(user, blueprint.owner_department_id)


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


# ---------------------------------------------------------------- blueprints


def rule_query(rule: BlueprintRule) -> Select:
    """The ids of published questions a draw rule may take, in id order.

    A blueprint owned by a department draws only from the categories that department's trainers may
    use (shared ones and those owned inside its subtree), so a scoped trainer's papers never take
    another branch's private questions; a company-wide blueprint draws from the whole bank."""
    query = select(Question.id).where(
        Question.status == QuestionStatus.PUBLISHED, Question.current_version_id.is_not(None)
    )
    owner = rule.section.blueprint.owner_department if rule.section is not None else None
    if owner is not None:
        owners = select(Department.id).where(Department.path.startswith(owner.path))
        query = query.where(
            Question.category_id.in_(
                select(Category.id).where(
                    or_(Category.owner_department_id.is_(None), Category.owner_department_id.in_(owners))
                )
            )
        )
    if rule.category_id:
        category = db.session.get(Category, rule.category_id)
        if category is None:
            return query.where(false())
        query = query.where(
            Question.category_id.in_(select(Category.id).where(Category.path.startswith(category.path)))
        )
    if rule.chapters:
        query = query.where(Question.chapter.in_([int(c) for c in rule.chapters]))
    if rule.types:
        query = query.where(Question.type.in_(list(rule.types)))
    else:
        query = query.where(Question.type != "description")
    if rule.difficulties:
        query = query.where(Question.difficulty.in_([int(d) for d in rule.difficulties]))
    if rule.tag_ids:
        query = query.where(
            Question.id.in_(
                select(question_tag_links.c.question_id).where(
                    question_tag_links.c.tag_id.in_([int(t) for t in rule.tag_ids])
                )
            )
        )
    return query.order_by(Question.id)


def available_count(rule: BlueprintRule) -> int:
    """How many questions the bank holds for a rule (1 or 0 for a fixed question)."""
    if rule.kind == RuleKind.FIXED:
        question = db.session.get(Question, rule.question_id) if rule.question_id else None
        ok = (
            question is not None
            and question.status == QuestionStatus.PUBLISHED
            and question.current_version_id
        )
        return 1 if ok else 0
    return db.session.scalar(select(func.count()).select_from(rule_query(rule).subquery())) or 0


def describe_rule(rule: BlueprintRule) -> str:
    """A rule in words, for validation messages and the editor."""
    if rule.kind == RuleKind.FIXED:
        return _("fixed question #%(id)s", id=rule.question_id)
    parts = []
    if rule.category_id:
        category = db.session.get(Category, rule.category_id)
        parts.append(_("category %(name)s", name=category.name if category else rule.category_id))
    if rule.chapters:
        parts.append(_("chapters %(c)s", c=", ".join(str(c) for c in rule.chapters)))
    if rule.types:
        parts.append(_("types %(t)s", t=", ".join(str(TYPE_LABELS.get(t, t)) for t in rule.types)))
    if rule.difficulties:
        parts.append(_("difficulty %(d)s", d=", ".join(str(d) for d in rule.difficulties)))
    if rule.tag_ids:
        names = dict(db.session.execute(select(Tag.id, Tag.name).where(Tag.id.in_(rule.tag_ids))).all())
        parts.append(_("tags %(t)s", t=", ".join(names.get(t, f"#{t}") for t in rule.tag_ids)))
    return _("%(n)d questions from %(what)s", n=rule.count, what="; ".join(parts) or _("the whole bank"))


def validate_blueprint(blueprint: PaperBlueprint) -> list[str]:
    """Problems that stop a paper being drawn: each rule the bank cannot satisfy is named, with how many
    questions it needs and how many exist (rules are checked cumulatively, as they draw without
    replacement from overlapping pools)."""
    problems: list[str] = []
    if not any(section.rules for section in blueprint.sections):
        problems.append(_("The blueprint has no questions yet: add a draw rule or a fixed question."))
    fixed_ids: set[int] = set()
    pool_claims: dict[frozenset[int], int] = {}
    for s_index, section in enumerate(blueprint.sections, start=1):
        for r_index, rule in enumerate(section.rules, start=1):
            where = _("Section %(s)d “%(title)s”, rule %(r)d", s=s_index, title=section.title, r=r_index)
            if rule.points is None or Decimal(rule.points) < 0:
                problems.append(_("%(where)s: points must be zero or more.", where=where))
            if rule.kind == RuleKind.FIXED:
                if available_count(rule) == 0:
                    problems.append(
                        _(
                            "%(where)s: question #%(id)s is missing or not published.",
                            where=where,
                            id=rule.question_id,
                        )
                    )
                elif rule.question_id in fixed_ids:
                    problems.append(
                        _("%(where)s: question #%(id)s is used twice.", where=where, id=rule.question_id)
                    )
                fixed_ids.add(rule.question_id)
                continue
            if rule.count < 1:
                problems.append(_("%(where)s: the number of questions must be at least 1.", where=where))
                continue
            pool = frozenset(db.session.scalars(rule_query(rule)))
            available = len(pool - fixed_ids)
            # Questions already claimed by earlier rules drawing from the same or a smaller pool.
            claimed = sum(n for other, n in pool_claims.items() if other <= pool)
            if rule.count + claimed > available:
                problems.append(
                    _(
                        "%(where)s (%(rule)s) needs %(need)d questions but the bank has %(have)d.",
                        where=where,
                        rule=describe_rule(rule),
                        need=rule.count + claimed,
                        have=available,
                    )
                )
            pool_claims[pool] = pool_claims.get(pool, 0) + rule.count
    return problems


@dataclass(frozen=True)
class DrawnQuestion:
    section_title: str
    question: Question
    version: QuestionVersion
    points: Decimal


def draw_paper(
    blueprint: PaperBlueprint, seed: int, *, shuffle_questions: bool = False
) -> list[DrawnQuestion]:
    """The paper ``seed`` draws from ``blueprint`` (the same seed and bank give the same paper).

    Fixed questions are taken first so draw rules never repeat them; within a section the order is the
    rules' order, shuffled when ``shuffle_questions``."""
    rng = random.Random(seed)
    taken: set[int] = {r.question_id for s in blueprint.sections for r in s.rules if r.kind == RuleKind.FIXED}
    paper: list[DrawnQuestion] = []
    for section in blueprint.sections:
        chosen: list[tuple[int, Decimal]] = []
        for rule in section.rules:
            if rule.kind == RuleKind.FIXED:
                chosen.append((rule.question_id, Decimal(rule.points)))
                continue
            pool = [qid for qid in db.session.scalars(rule_query(rule)) if qid not in taken]
            if len(pool) < rule.count:
                raise ExamError(
                    _(
                        "The bank cannot fill “%(section)s”: %(rule)s.",
                        section=section.title,
                        rule=describe_rule(rule),
                    )
                )
            picked = rng.sample(pool, rule.count)
            taken.update(picked)
            chosen.extend((qid, Decimal(rule.points)) for qid in picked)
        if shuffle_questions:
            rng.shuffle(chosen)
        questions = {
            q.id: q
            for q in db.session.scalars(select(Question).where(Question.id.in_([c[0] for c in chosen])))
        }
        for qid, points in chosen:
            question = questions.get(qid)
            if question is None or question.current_version is None:
                raise ExamError(_("Question #%(id)s is no longer available.", id=qid))
            paper.append(DrawnQuestion(section.title, question, question.current_version, points))
    return paper


def blueprint_max_score(blueprint: PaperBlueprint) -> Decimal:
    """The paper's maximum: points × count summed over the rules."""
    return sum(
        (
            Decimal(r.points) * (1 if r.kind == RuleKind.FIXED else r.count)
            for s in blueprint.sections
            for r in s.rules
        ),
        Decimal(0),
    )


def category_uses(category_ids: list[int]) -> list[str]:
    """The blueprints whose draw rules take from these categories (registered with question_bank, so a
    category in use is not deleted and the rule does not silently widen to the whole bank)."""
    titles = db.session.scalars(
        select(PaperBlueprint.title)
        .join(BlueprintSection, BlueprintSection.blueprint_id == PaperBlueprint.id)
        .join(BlueprintRule, BlueprintRule.section_id == BlueprintSection.id)
        .where(BlueprintRule.category_id.in_(category_ids))
        .distinct()
        .order_by(PaperBlueprint.title)
    ).all()
    return [_("paper blueprint “%(title)s”", title=t) for t in titles]


def blueprint_attempted(blueprint: PaperBlueprint) -> bool:
    """True once any exam drawing from ``blueprint`` has an attempt.

    From then on the blueprint's structure is locked (as Moodle locks a quiz's questions once it has
    been attempted): every candidate of an exam must draw from the same rules, so later candidates are
    not given a different paper. Its title and description stay editable; to change the rules, copy it
    (``copy_blueprint``) and point the next exam or re-sit at the copy."""
    return (
        db.session.scalar(
            select(Attempt.id)
            .join(Exam, Attempt.exam_id == Exam.id)
            .where(Exam.blueprint_id == blueprint.id)
            .limit(1)
        )
        is not None
    )


def ensure_structure_editable(blueprint: PaperBlueprint) -> None:
    """Raise ExamError when the blueprint's sections and rules may no longer change."""
    if blueprint_attempted(blueprint):
        raise ExamError(
            _(
                "Candidates have already sat an exam drawn from this blueprint, so its sections and rules "
                "can no longer change. Copy it and edit the copy."
            )
        )


def _renumber(items) -> None:
    for index, item in enumerate(items, start=1):
        item.position = index


def add_section(blueprint: PaperBlueprint, title: str) -> BlueprintSection:
    """Append a section to a blueprint."""
    section = BlueprintSection(title=title, position=len(blueprint.sections) + 1)
    blueprint.sections.append(section)
    db.session.flush()
    return section


def add_rule(section: BlueprintSection, **fields) -> BlueprintRule:
    """Append a draw rule or a fixed question to a section."""
    if fields.get("kind") == RuleKind.FIXED:
        question = db.session.get(Question, fields.get("question_id") or 0)
        if question is None:
            raise ExamError(_("Question #%(id)s does not exist.", id=fields.get("question_id")))
        fields["count"] = 1
    rule = BlueprintRule(position=len(section.rules) + 1, **fields)
    section.rules.append(rule)
    db.session.flush()
    return rule


def rename_section(section: BlueprintSection, title: str) -> None:
    """Give a section a new title (e.g. 一、单选题)."""
    section.title = title
    db.session.flush()


def _move(siblings, item, step: int) -> None:
    """Swap ``item`` with its neighbour ``step`` places away (no change at either end); renumber."""
    items = list(siblings)
    index = items.index(item)
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    _renumber(items)
    db.session.flush()


def _remove(siblings: list, item) -> None:
    """Delete ``item`` (delete-orphan cascade) and close the gap in the positions."""
    siblings.remove(item)
    db.session.flush()
    _renumber(siblings)
    db.session.flush()


def move_section(section: BlueprintSection, step: int) -> None:
    """Move a section one place up (``step=-1``) or down (``+1``); papers are drawn in this order."""
    _move(section.blueprint.sections, section, step)


def delete_section(section: BlueprintSection) -> None:
    """Delete a section with its rules; the others keep their order."""
    _remove(section.blueprint.sections, section)


def move_rule(rule: BlueprintRule, step: int) -> None:
    """Move a rule one place up or down within its section."""
    _move(rule.section.rules, rule, step)


def delete_rule(rule: BlueprintRule) -> None:
    """Delete a rule; the others in its section keep their order."""
    _remove(rule.section.rules, rule)


def copy_blueprint(blueprint: PaperBlueprint, title: str, user: User | None) -> PaperBlueprint:
    """A new, unlocked blueprint with the same sections and rules (and owner department)."""
    copy = PaperBlueprint(
        title=title[:200],
        description=blueprint.description,
        owner_department_id=blueprint.owner_department_id,
        created_by_id=user.id if user is not None else None,
    )
    for section in blueprint.sections:
        new_section = BlueprintSection(title=section.title, position=section.position)
        for rule in section.rules:
            new_section.rules.append(
                BlueprintRule(
                    position=rule.position,
                    kind=rule.kind,
                    count=rule.count,
                    points=rule.points,
                    category_id=rule.category_id,
                    chapters=list(rule.chapters or []),
                    tag_ids=list(rule.tag_ids or []),
                    types=list(rule.types or []),
                    difficulties=list(rule.difficulties or []),
                    question_id=rule.question_id,
                )
            )
        copy.sections.append(new_section)
    db.session.add(copy)
    db.session.flush()
    return copy


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
        parent = exam.parent_exam
        result = final_attempt(parent, employee) if parent else None
        return result is not None and result.status == AttemptStatus.GRADED and result.passed is False
    return bool(
        db.session.scalar(
            select(ExamAudience.id).where(ExamAudience.exam_id == exam.id, _audience_match(employee)).limit(1)
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


def audience_employees(exam: Exam) -> list[Employee]:
    """Every active employee the exam is for, in one query (departments include their subtrees).

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
        return []
    query = select(Employee).where(Employee.status == "active", or_(*clauses))
    if exam.owner_department is not None:
        query = query.where(
            Employee.department_id.in_(
                select(Department.id).where(Department.path.startswith(exam.owner_department.path))
            )
        )
    return list(
        db.session.scalars(query.options(selectinload(Employee.department)).order_by(Employee.employee_no))
    )


def create_resit(exam: Exam, opens_at: dt.datetime, closes_at: dt.datetime, user: User | None) -> Exam:
    """A re-sit round (补考) of ``exam`` for those who failed it: same paper rules, a new window."""
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
        published=False,
        parent_exam=exam,
        round_number=exam.round_number + 1,
        certificate_type_id=exam.certificate_type_id,
        owner_department_id=exam.owner_department_id,
        created_by_id=user.id if user else None,
    )
    check_exam_settings(resit)
    db.session.add(resit)
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
