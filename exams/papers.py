"""Paper blueprints (组卷规则) and the papers they draw: draw rules and fixed questions, what the bank can
satisfy, drawing a paper, and editing sections and rules (locked once candidates have sat a paper drawn from
the blueprint).

Decisions where the issue is silent:
- A draw rule takes published questions whose *current* version matches; a category rule includes its
  subcategories. Empty filters match everything. Rules draw without replacement across the whole paper.
- A blueprint owned by a department draws only from shared categories and the ones owned inside its
  subtree; a company-wide blueprint draws from the whole bank.
- Certification papers (``is_certification``: an exam whose purpose is certification, or whose pass grants
  a qualification) take only questions approved in review (``question_bank.review.certified_clause``:
  approved by a second trainer and not flagged by item statistics), in draw rules and fixed questions alike;
  publishing such an exam is refused while a fixed question is not approved (``unapproved_fixed``).
  Assessment and practice exams take every published question, as before.
- Enemy groups (互斥题组, ``question_bank.enemies``): a paper holds at most one question of a confirmed
  group, whichever rules drew them; groups confirmed after an exam's pool froze still apply. A rule whose
  candidates touch no group draws exactly as before (same seed, same paper).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload

from accounts.models import Department, User
from core.extensions import db
from core.i18n import gettext as _
from exams.errors import BlueprintLocked, ExamError
from exams.models import (
    Attempt,
    BlueprintRule,
    BlueprintSection,
    Exam,
    ExamPurpose,
    PaperBlueprint,
    RuleKind,
)
from question_bank import enemies, review
from question_bank.labels import TYPE_LABELS
from question_bank.models import (
    Category,
    EnemyGroup,
    EnemyGroupStatus,
    Question,
    QuestionStatus,
    QuestionVersion,
    Tag,
    enemy_group_members,
    question_tag_links,
)


def is_certification(exam: Exam) -> bool:
    """A certification paper: the exam certifies (资格认证考试) or its pass grants a qualification."""
    return exam.purpose == ExamPurpose.CERTIFICATION or exam.certificate_type_id is not None


def _published(certified: bool) -> list:
    conditions = [Question.status == QuestionStatus.PUBLISHED, Question.current_version_id.is_not(None)]
    if certified:
        conditions.append(review.certified_clause())
    return conditions


def rule_query(rule: BlueprintRule, certified: bool = False) -> Select:
    """The ids of published questions a draw rule may take, in id order (``certified``: only questions
    approved in review, for a certification paper).

    A blueprint owned by a department draws only from the categories that department's trainers may
    use (shared ones and those owned inside its subtree), so a scoped trainer's papers never take
    another branch's private questions; a company-wide blueprint draws from the whole bank."""
    query = select(Question.id).where(*_published(certified))
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


def available_count(rule: BlueprintRule, certified: bool = False) -> int:
    """How many questions the bank holds for a rule (1 or 0 for a fixed question)."""
    if rule.kind == RuleKind.FIXED:
        question = db.session.get(Question, rule.question_id) if rule.question_id else None
        ok = (
            question is not None
            and question.status == QuestionStatus.PUBLISHED
            and question.current_version_id
            and (not certified or review.is_certified(question))
        )
        return 1 if ok else 0
    return db.session.scalar(select(func.count()).select_from(rule_query(rule, certified).subquery())) or 0


def unapproved_fixed(blueprint: PaperBlueprint) -> list[Question]:
    """The fixed questions of ``blueprint`` that review has not approved (a certification exam on it is
    not published while there are any)."""
    ids = [r.question_id for s in blueprint.sections for r in s.rules if r.kind == RuleKind.FIXED and r.question_id]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Question).where(Question.id.in_(ids), ~review.certified_clause()).order_by(Question.id)
        )
    )


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


def validate_blueprint(blueprint: PaperBlueprint, certified: bool = False) -> list[str]:
    """Problems that stop a paper being drawn: each rule the bank cannot satisfy is named, with how many
    questions it needs and how many exist (rules are checked cumulatively, as they draw without
    replacement from overlapping pools; ``certified``: counting only questions approved in review)."""
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
                if available_count(rule, certified) == 0:
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
            pool = frozenset(db.session.scalars(rule_query(rule, certified)))
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
            elif rule.count + claimed > (together := _drawable_together(pool - fixed_ids)):
                problems.append(
                    _(
                        "%(where)s (%(rule)s) needs %(need)d questions, but enemy groups let at most %(have)d "
                        "of them share a paper.",
                        where=where,
                        rule=describe_rule(rule),
                        need=rule.count + claimed,
                        have=together,
                    )
                )
            pool_claims[pool] = pool_claims.get(pool, 0) + rule.count
    return problems


def _drawable_together(question_ids: frozenset[int]) -> int:
    """How many of ``question_ids`` one paper may hold: each confirmed enemy group counts once."""
    groups = enemies.confirmed_groups(question_ids)
    return len(question_ids) - len(groups) + len(set(groups.values()))


def _enemy_versions() -> dict[int, int]:
    """Version id → confirmed enemy group id, for every version of a question in a confirmed group."""
    rows = db.session.execute(
        select(QuestionVersion.id, enemy_group_members.c.group_id)
        .join(enemy_group_members, enemy_group_members.c.question_id == QuestionVersion.question_id)
        .join(EnemyGroup, EnemyGroup.id == enemy_group_members.c.group_id)
        .where(EnemyGroup.status == EnemyGroupStatus.CONFIRMED)
    )
    return dict(rows.all())


def _pick(rng: random.Random, candidates: list[int], count: int, enemy: dict[int, int], used: set[int]):
    """``count`` of ``candidates`` at random, none from an enemy group in ``used`` or twice from one group
    (``used`` grows with the groups picked); None when the groups leave too few."""
    if not any(v in enemy for v in candidates):
        return rng.sample(candidates, count)
    picked = []
    for version_id in rng.sample(candidates, len(candidates)):
        group = enemy.get(version_id)
        if group is not None and group in used:
            continue
        picked.append(version_id)
        if group is not None:
            used.add(group)
        if len(picked) == count:
            return picked
    return None


@dataclass(frozen=True)
class DrawnQuestion:
    section_title: str
    question: Question
    version: QuestionVersion
    points: Decimal


def bank_pool(blueprint: PaperBlueprint, certified: bool = False) -> dict[str, list[int]]:
    """For each rule of ``blueprint`` (by id, as text), the current versions of the published questions it
    may take from the bank now, in question order (a fixed rule: its one question, or none; ``certified``:
    only questions approved in review)."""
    versions: dict[str, list[int]] = {}
    for section in blueprint.sections:
        for rule in section.rules:
            if rule.kind == RuleKind.FIXED:
                query = select(Question.current_version_id).where(
                    Question.id == rule.question_id, *_published(certified)
                )
            else:
                query = rule_query(rule, certified).with_only_columns(Question.current_version_id)
            versions[str(rule.id)] = list(db.session.scalars(query))
    return versions


def draw_paper(
    blueprint: PaperBlueprint,
    seed: int,
    *,
    shuffle_questions: bool = False,
    pool: dict[str, list[int]] | None = None,
    certified: bool = False,
) -> list[DrawnQuestion]:
    """The paper ``seed`` draws from ``blueprint`` (the same seed and pool give the same paper).

    ``pool`` is an exam's frozen pool (``exams.pools``); without one the paper is drawn from the bank as
    it is now (``certified``: only questions approved in review, for a certification paper). Fixed questions are taken first so draw rules never repeat them; within a section the
    order is the rules' order, shuffled when ``shuffle_questions``."""
    pool = bank_pool(blueprint, certified) if pool is None else pool
    rng = random.Random(seed)
    rules = [rule for section in blueprint.sections for rule in section.rules]
    taken = {pool[str(r.id)][0] for r in rules if r.kind == RuleKind.FIXED and pool.get(str(r.id))}
    enemy = _enemy_versions()
    used_groups = {enemy[v] for v in taken if v in enemy}
    chosen_by_section: list[tuple[str, list[tuple[int, Decimal]]]] = []
    for section in blueprint.sections:
        chosen: list[tuple[int, Decimal]] = []
        for rule in section.rules:
            candidates = pool.get(str(rule.id)) or []
            if rule.kind == RuleKind.FIXED:
                if not candidates:
                    raise ExamError(_("Question #%(id)s is no longer available.", id=rule.question_id))
                chosen.append((candidates[0], Decimal(rule.points)))
                continue
            candidates = [v for v in candidates if v not in taken]
            if len(candidates) < rule.count:
                raise ExamError(
                    _(
                        "The bank cannot fill “%(section)s”: %(rule)s.",
                        section=section.title,
                        rule=describe_rule(rule),
                    )
                )
            picked = _pick(rng, candidates, rule.count, enemy, used_groups)
            if picked is None:
                raise ExamError(
                    _(
                        "Enemy groups leave too few questions for “%(section)s”: %(rule)s.",
                        section=section.title,
                        rule=describe_rule(rule),
                    )
                )
            taken.update(picked)
            chosen.extend((version_id, Decimal(rule.points)) for version_id in picked)
        if shuffle_questions:
            rng.shuffle(chosen)
        chosen_by_section.append((section.title, chosen))
    return _drawn(chosen_by_section)


def _drawn(chosen_by_section: list[tuple[str, list[tuple[int, Decimal]]]]) -> list[DrawnQuestion]:
    """The chosen versions with their questions, loaded in one query, in paper order."""
    ids = [version_id for _title, chosen in chosen_by_section for version_id, _points in chosen]
    versions = {
        v.id: v
        for v in db.session.scalars(
            select(QuestionVersion)
            .options(joinedload(QuestionVersion.question))
            .where(QuestionVersion.id.in_(ids))
        )
    }
    paper = []
    for title, chosen in chosen_by_section:
        for version_id, points in chosen:
            version = versions.get(version_id)
            if version is None:
                raise ExamError(_("A question of this paper is no longer in the bank."))
            paper.append(DrawnQuestion(title, version.question, version, points))
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
    """Raise BlueprintLocked when the blueprint's sections and rules may no longer change."""
    if blueprint_attempted(blueprint):
        raise BlueprintLocked(
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
