"""Enemy groups (互斥题组): questions that give each other away, so a paper never holds two of one group.

The lint (``lint.KEY_LEAK``) proposes pairs: an item whose key stands in another's stem. A trainer who may
edit both confirms a proposal (the pair joins a confirmed group; groups that meet are merged, so a question
is in at most one confirmed group) or dismisses it (a dismissed pair is not proposed again). Paper drawing
(``exams.papers``) reads ``confirmed_groups``; saving a blueprint says when groups leave a rule short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from question_bank import lint
from question_bank.errors import QuestionError
from question_bank.models import EnemyGroup, EnemyGroupStatus, Question, enemy_group_members


@dataclass(frozen=True)
class Proposal:
    """Two questions the lint found giving each other away: ``leaked``'s key stands in ``printer``'s stem."""

    leaked: Question
    printer: Question

    @property
    def ids(self) -> list[int]:
        return sorted({self.leaked.id, self.printer.id})


def confirmed_groups(question_ids) -> dict[int, int]:
    """Question id → its confirmed group id, for the questions of ``question_ids`` that are in one."""
    ids = list(set(question_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(enemy_group_members.c.question_id, enemy_group_members.c.group_id)
        .join(EnemyGroup, EnemyGroup.id == enemy_group_members.c.group_id)
        .where(EnemyGroup.status == EnemyGroupStatus.CONFIRMED, enemy_group_members.c.question_id.in_(ids))
    )
    return {question_id: group_id for question_id, group_id in rows}


def _settled_pairs() -> set[frozenset[int]]:
    """Pairs already in one group (confirmed or dismissed): not proposed again."""
    members: dict[int, set[int]] = {}
    for group_id, question_id in db.session.execute(
        select(enemy_group_members.c.group_id, enemy_group_members.c.question_id)
    ):
        members.setdefault(group_id, set()).add(question_id)
    return {frozenset((a, b)) for ids in members.values() for a in ids for b in ids if a < b}


def proposals(user: User) -> list[Proposal]:
    """The key leaks among the questions ``user`` may edit that no group settles yet, one per pair."""
    items = lint.bank_items(user)
    settled = _settled_pairs()
    pairs: dict[frozenset[int], tuple[int, int]] = {}
    for index, others in lint.leaks(items).items():
        for other in others:
            pair = frozenset((items[index].question_id, items[other].question_id))
            if pair not in settled:
                pairs.setdefault(pair, (items[index].question_id, items[other].question_id))
    questions = {
        q.id: q
        for q in db.session.scalars(
            select(Question)
            .options(selectinload(Question.current_version))
            .where(Question.id.in_({i for pair in pairs for i in pair}))
        )
    }
    return [Proposal(questions[a], questions[b]) for a, b in pairs.values()]


def _check(questions: list[Question]) -> None:
    if len({q.id for q in questions}) < 2:
        raise QuestionError(_("An enemy group needs at least two different questions."))


def confirm(questions: list[Question], user: User | None, now: dt.datetime) -> EnemyGroup:
    """Put ``questions`` in one confirmed group, merging the confirmed groups any of them is already in."""
    _check(questions)
    existing = confirmed_groups(q.id for q in questions)
    groups = [db.session.get(EnemyGroup, gid) for gid in sorted(set(existing.values()))]
    group = groups[0] if groups else EnemyGroup(status=EnemyGroupStatus.CONFIRMED, created_at=now)
    if not groups:
        group.created_by_id = user.id if user else None
        db.session.add(group)
    members = {q.id: q for g in groups for q in g.questions} | {q.id: q for q in questions}
    for other in groups[1:]:
        db.session.delete(other)
    db.session.flush()
    group.questions = sorted(members.values(), key=lambda q: q.id)
    db.session.flush()
    audit.record("question_bank.enemy_group_confirmed", group, questions=sorted(members))
    return group


def dismiss(questions: list[Question], user: User | None, now: dt.datetime) -> EnemyGroup:
    """Record that ``questions`` may share a paper after all (the proposal is not made again)."""
    _check(questions)
    group = EnemyGroup(
        status=EnemyGroupStatus.DISMISSED, created_at=now, created_by_id=user.id if user else None
    )
    group.questions = list(questions)
    db.session.add(group)
    db.session.flush()
    audit.record("question_bank.enemy_group_dismissed", group, questions=sorted(q.id for q in questions))
    return group


def remove_member(group: EnemyGroup, question: Question) -> None:
    """Take ``question`` out of ``group``; a group left with one question is deleted."""
    group.questions = [q for q in group.questions if q.id != question.id]
    audit.record("question_bank.enemy_group_changed", group, removed=question.id)
    if len(group.questions) < 2:
        db.session.delete(group)
    db.session.flush()


def groups_in_view(user: User) -> list[EnemyGroup]:
    """Confirmed groups with at least one question ``user`` may edit."""
    visible = {item.question_id for item in lint.bank_items(user)}
    groups = db.session.scalars(
        select(EnemyGroup)
        .options(selectinload(EnemyGroup.questions).selectinload(Question.current_version))
        .where(EnemyGroup.status == EnemyGroupStatus.CONFIRMED)
        .order_by(EnemyGroup.id)
    )
    return [g for g in groups if any(q.id in visible for q in g.questions)]
