"""Business rules of the question bank: create, edit (with versions), find, bulk changes, duplicates.

Versioning rule: editing a question whose current version is ``used`` (an exam, paper or attempt refers
to it, see ``mark_version_used``) or whose status is published creates a new version and moves
``current_version_id``; a draft's unused current version is edited in place (nobody can have seen it).
Old versions are never changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from accounts.models import User
from core.auth import Role
from core.extensions import db
from core.i18n import gettext as _
from question_bank import review
from question_bank.answer_text import duplicate_key, plain_text, stem_search_text
from question_bank.categories import subtree_ids, visible_category_clause
from question_bank.content import QuestionData, sanitise_question, validate
from question_bank.errors import QuestionError
from question_bank.knowledge import point_named
from question_bank.models import (
    Category,
    Question,
    QuestionStatus,
    QuestionVersion,
    Tag,
    question_tag_links,
)

PAGE_SIZE = 50


# ---------------------------------------------------------------- contract for exams


def questions_matching(
    category_ids=None, chapters=None, tags=None, types=None, difficulties=None, status="published"
) -> Select:
    """A select of ``Question`` rows matching a paper blueprint rule (categories include their subtrees)."""
    query = select(Question)
    if status:
        query = query.where(Question.status == status)
    if category_ids:
        sub = select(Category.id).where(
            or_(*(Category.path.startswith(p) for p in _category_paths(category_ids)))
        )
        query = query.where(Question.category_id.in_(sub))
    if chapters:
        query = query.where(Question.chapter.in_(list(chapters)))
    if types:
        query = query.where(Question.type.in_([str(t) for t in types]))
    if difficulties:
        query = query.where(Question.difficulty.in_(list(difficulties)))
    if tags:
        tag_ids = select(Tag.id).where(or_(Tag.name.in_([str(t) for t in tags]), Tag.id.in_(_ints(tags))))
        query = query.where(
            Question.id.in_(
                select(question_tag_links.c.question_id).where(question_tag_links.c.tag_id.in_(tag_ids))
            )
        )
    return query


def _ints(values) -> list[int]:
    return [int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())]


def _category_paths(category_ids) -> list[str]:
    return list(db.session.scalars(select(Category.path).where(Category.id.in_(list(category_ids))))) or [
        "\x00"
    ]


def get_version(version_id: int) -> QuestionVersion:
    """The question version with this id (raises QuestionError when missing)."""
    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        raise QuestionError(_("Question version not found."), status=404)
    return version


def mark_version_used(version: QuestionVersion) -> None:
    """Freeze ``version``: an exam, paper or attempt refers to it, so editing creates a new version."""
    version.used = True


# ---------------------------------------------------------------- create and edit


def _tags(names: list[str]) -> list[Tag]:
    wanted = []
    for name in names:
        name = name.strip()[:100]
        if name and name not in wanted:
            wanted.append(name)
    if not wanted:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    result = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            tag = point_named(name)
            existing[name] = tag
        result.append(tag)
    return result


def _copy_filters(question: Question, data: QuestionData) -> None:
    question.type = data.type
    question.chapter = data.chapter
    question.difficulty = data.difficulty
    question.points = data.points
    question.source_ref = data.source_ref
    question.name = (data.name or plain_text(data.stem_html))[:255]
    question.stem_text = stem_search_text(data.stem_html)
    question.stem_key = duplicate_key(data.stem_html)


def _version_from(
    data: QuestionData, number: int, user: User | None, now: dt.datetime, note: str
) -> QuestionVersion:
    return QuestionVersion(
        number=number,
        type=data.type,
        name=(data.name or plain_text(data.stem_html))[:255],
        stem_html=data.stem_html,
        options=data.options,
        key=data.key,
        explanation=data.explanation,
        general_feedback=data.general_feedback,
        points=data.points,
        difficulty=data.difficulty,
        chapter=data.chapter,
        source_ref=data.source_ref,
        created_by_id=user.id if user else None,
        created_at=now,
        change_note=note[:500],
    )


def create_question(
    data: QuestionData,
    category: Category,
    author: User | None,
    now: dt.datetime,
    *,
    status: str = QuestionStatus.DRAFT,
    tags: list[Tag] | None = None,
) -> Question:
    """Store a new question with its first version (``data`` must already be valid)."""
    sanitise_question(data)
    problems = validate(data)
    if problems:
        raise QuestionError(" ".join(problems))
    question = Question(
        category=category,
        status=status,
        author_id=author.id if author else None,
        created_at=now,
        updated_at=now,
        idnumber=data.idnumber or None,
    )
    _copy_filters(question, data)
    question.exam_only = data.exam_only
    question.tags = tags if tags is not None else _tags(data.tags)
    version = _version_from(data, 1, author, now, _("Created"))
    question.versions.append(version)
    db.session.add(question)
    db.session.flush()
    question.current_version = version
    db.session.flush()
    return question


def version_data(version: QuestionVersion, question: Question) -> QuestionData:
    """The content of ``version`` as ``QuestionData`` (for editing forms and exports)."""
    return QuestionData(
        type=version.type,
        stem_html=version.stem_html,
        options=[dict(o) for o in version.options or []],
        key=dict(version.key or {}),
        name=version.name,
        explanation=version.explanation,
        general_feedback=version.general_feedback,
        points=Decimal(version.points),
        difficulty=version.difficulty,
        chapter=version.chapter,
        source_ref=version.source_ref,
        tags=[t.name for t in question.tags],
        idnumber=question.idnumber,
        exam_only=question.exam_only,
    )


def _content(version: QuestionVersion) -> tuple:
    return (
        version.type,
        version.stem_html,
        version.options,
        version.key,
        version.explanation,
        version.general_feedback,
        Decimal(version.points),
        version.difficulty,
        version.chapter,
        version.source_ref,
    )


def edit_question(
    question: Question, data: QuestionData, editor: User | None, now: dt.datetime, *, note: str = ""
) -> QuestionVersion:
    """Save new content for ``question``: a new version when the current one is published or used. Changed
    content waits for a second trainer's review again (``question_bank.review``)."""
    sanitise_question(data)
    problems = validate(data)
    if problems:
        raise QuestionError(" ".join(problems))
    current = question.current_version
    question.tags = _tags(data.tags)
    candidate = _version_from(data, current.number + 1, editor, now, note or _("Edited"))
    if _content(candidate) == _content(current):
        question.updated_at = now
        return current
    if current.used or question.status != QuestionStatus.DRAFT:
        question.versions.append(candidate)
        db.session.flush()
        question.current_version = candidate
        version = candidate
    else:
        for attr in ("type", "name", "stem_html", "options", "key", "explanation", "general_feedback", "points",
                     "difficulty", "chapter", "source_ref", "change_note"):  # fmt: skip
            setattr(current, attr, getattr(candidate, attr))
        current.created_by_id = editor.id if editor else None
        current.created_at = now
        version = current
    _copy_filters(question, data)
    question.updated_at = now
    review.content_changed(question)
    return version


def keep_unexposed_fields(old: QuestionVersion, data: QuestionData) -> None:
    """The edit form shows no option feedback, and option weights only for multiple choice (they come
    from Moodle files): keep what it does not show from ``old`` while the options and key they belong
    to are unchanged."""
    if data.type != old.type:
        return
    old_key = old.key or {}
    if data.type in {"single", "multiple"} and data.key.get("correct") == old_key.get("correct"):
        by_id = {o["id"]: o for o in old.options or []}
        for option in data.options:
            previous = by_id.get(option["id"])
            if previous is not None:
                if data.type == "single":  # multiple-choice weights are edited in the form
                    option["fraction"] = previous.get("fraction", option["fraction"])
                option["feedback"] = previous.get("feedback", "")
    elif data.type == "truefalse" and data.key.get("answer") == old_key.get("answer"):
        for name in ("true_feedback", "false_feedback"):
            if name in old_key:
                data.key[name] = old_key[name]
    elif data.type == "fill" and data.key.get("blanks") == old_key.get("blanks") and "answers" in old_key:
        data.key["answers"] = old_key["answers"]
    elif data.type == "numerical":
        plain = [
            (a["value"], a.get("tolerance") or "0") for a in old_key.get("answers", []) if a["value"] != "*"
        ]
        if plain == [(a["value"], a["tolerance"]) for a in data.key.get("answers", [])]:
            data.key["answers"] = old_key["answers"]


def set_status(question: Question, status: str, now: dt.datetime) -> None:
    """Publish, retire or return a question to draft."""
    question.status = QuestionStatus(status)
    question.updated_at = now


# ---------------------------------------------------------------- finding


@dataclass
class QuestionFilter:
    type: str = ""
    chapter: int | None = None
    difficulty: int | None = None
    tag_id: int | None = None
    category_id: int | None = None
    status: str = ""
    text: str = ""


def filtered_query(user: User, flt: QuestionFilter) -> Select:
    """Questions ``user`` may see, narrowed by ``flt`` (text: substring of the normalised stem)."""
    query = select(Question)
    if not user.has_any_role(Role.ADMIN):
        query = query.where(
            Question.category_id.in_(select(Category.id).where(visible_category_clause(user)))
        )
    if flt.type:
        query = query.where(Question.type == flt.type)
    if flt.chapter:
        query = query.where(Question.chapter == flt.chapter)
    if flt.difficulty:
        query = query.where(Question.difficulty == flt.difficulty)
    if flt.status:
        query = query.where(Question.status == flt.status)
    if flt.category_id:
        category = db.session.get(Category, flt.category_id)
        if category is not None:
            query = query.where(Question.category_id.in_(subtree_ids(category)))
    if flt.tag_id:
        query = query.where(
            Question.id.in_(
                select(question_tag_links.c.question_id).where(question_tag_links.c.tag_id == flt.tag_id)
            )
        )
    text = stem_search_text(flt.text or "")
    if text:
        if db.session.get_bind().dialect.name == "sqlite":
            # SQLite has no index for substrings; instr() scans far faster than LIKE (both exact here,
            # as stem_text and the search are normalised the same way).
            query = query.where(func.instr(Question.stem_text, text) > 0)
        else:
            # PostgreSQL answers LIKE '%…%' from the pg_trgm GIN index.
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Question.stem_text.like(f"%{escaped}%", escape="\\"))
    return query


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    has_next: bool
    total: int | None  # None when more than ``count_limit`` (shown as "1000+")


def list_questions(
    user: User, flt: QuestionFilter, page: int = 1, per_page: int = PAGE_SIZE, count_limit: int = 1000
) -> Page:
    """One page of the trainer's list, newest first (by id, which the primary key index serves), with
    category, tags and author loaded (a fixed number of queries, never one per row). The total is counted
    only up to ``count_limit``, and not at all on a page that is the last one."""
    page = max(page, 1)
    base = filtered_query(user, flt)
    rows = list(
        db.session.scalars(
            base.options(
                selectinload(Question.tags),
                selectinload(Question.category),
                selectinload(Question.author),
            )
            .order_by(Question.id.desc())
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )
    capped = db.session.scalar(
        select(func.count()).select_from(
            base.with_only_columns(Question.id).limit(count_limit + 1).subquery()
        )
    )
    return Page(
        items=rows[:per_page],
        page=page,
        per_page=per_page,
        has_next=len(rows) > per_page,
        total=capped if capped <= count_limit else None,
    )


def visible_question(user: User, question_id: int) -> Question | None:
    """The question if ``user`` may see it (its category is visible), else None (answer 404)."""
    return db.session.scalar(
        select(Question)
        .join(Category, Question.category_id == Category.id)
        .where(Question.id == question_id, visible_category_clause(user))
        .options(selectinload(Question.versions), selectinload(Question.tags))
    )


def duplicates_of(
    stem_html: str, *, exclude_id: int | None = None, limit: int = 5, user: User | None = None
) -> list[Question]:
    """Existing questions whose stem equals ``stem_html`` after normalisation (tags, width, spaces,
    punctuation and case ignored); with ``user``, only those in categories the user may see."""
    key = duplicate_key(stem_html)
    if not key:
        return []
    query = select(Question).where(Question.stem_key == key)
    if user is not None:
        query = query.join(Category, Question.category_id == Category.id).where(visible_category_clause(user))
    if exclude_id:
        query = query.where(Question.id != exclude_id)
    return list(db.session.scalars(query.order_by(Question.id).limit(limit)))


def existing_duplicate_keys(keys: set[str], user: User | None = None) -> dict[str, int]:
    """For import: which of ``keys`` already exist, mapped to one matching question id; with ``user``,
    only among the questions in categories that user may see (another branch's private bank neither
    shows through nor makes an import skip questions)."""
    found: dict[str, int] = {}
    keys = {k for k in keys if k}
    chunk = list(keys)
    for start in range(0, len(chunk), 500):
        query = select(Question.stem_key, Question.id).where(
            Question.stem_key.in_(chunk[start : start + 500])
        )
        if user is not None:
            query = query.join(Category, Question.category_id == Category.id).where(
                visible_category_clause(user)
            )
        for key, qid in db.session.execute(query):
            found.setdefault(key, qid)
    return found


# ---------------------------------------------------------------- bulk


def editable_questions(user: User, ids: list[int]) -> list[Question]:
    """The questions among ``ids`` that ``user`` may edit (others are silently left out)."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Question)
            .join(Category, Question.category_id == Category.id)
            .where(and_(Question.id.in_(ids), visible_category_clause(user)))
            .options(selectinload(Question.tags))
        )
    )


def bulk_retag(questions: list[Question], add: list[str], remove: list[str], now: dt.datetime) -> int:
    """Add and remove knowledge-point tags on several questions (no new version: tags are not content)."""
    add_tags = _tags(add)
    remove_names = {n.strip() for n in remove if n.strip()}
    for question in questions:
        kept = [t for t in question.tags if t.name not in remove_names]
        for tag in add_tags:
            if tag not in kept:
                kept.append(tag)
        question.tags = kept
        question.updated_at = now
    db.session.flush()
    return len(questions)


def bulk_move(questions: list[Question], category: Category, now: dt.datetime) -> int:
    """Move several questions to ``category``."""
    for question in questions:
        question.category = category
        question.updated_at = now
    db.session.flush()
    return len(questions)


def bulk_status(questions: list[Question], status: str, now: dt.datetime) -> int:
    """Publish or retire several questions."""
    for question in questions:
        set_status(question, status, now)
    db.session.flush()
    return len(questions)
