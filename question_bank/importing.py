"""Dry runs and all-or-nothing imports, and exports, for every format.

Decisions:
- A file with any problem is rejected whole: nothing is stored, and every problem is listed.
- A question whose stem matches an existing question after normalisation is listed as a duplicate in the
  dry run and SKIPPED on import unless the importer asks to import duplicates too (re-importing a file
  then adds nothing). Duplicates inside one file are imported (Moodle does the same) and listed as warnings.
- Categories: the file's category path lies below the chosen base category (``--category``); a question
  without one goes into the base, or into “未分类” (Uncategorised) when there is no base. Missing levels are
  created; new root categories are shared (no owning department) unless the importer's scope says otherwise.
- Imported questions are published when ``status`` says so (the starter bank and the CLI default), else drafts.
- Review before use (question_bank/review.py): every imported question waits for a second trainer's review,
  whatever the publish choice — the importer is its author, and an author never approves their own question
  (so a file imported as published is offered to assessment exams and practice, but not to certification
  papers, until reviewed). Only the starter bank (``approved_by_system``) comes in approved.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import selectinload

from accounts.models import User
from core import audit
from core.extensions import db
from core.i18n import gettext as _
from core.spreadsheets import SpreadsheetError
from question_bank import lint
from question_bank.answer_text import duplicate_key, plain_text, stem_search_text
from question_bank.categories import (
    category_label,
    ensure_path,
    split_path,
    subtree_ids,
    visible_category_clause,
)
from question_bank.content import QuestionData, sanitise_question
from question_bank.errors import CategoryError, FormatError, ImportRejected
from question_bank.formats import ImportProblem, ParseResult, docx, gift, moodlexml, xlsx
from question_bank.knowledge import point_named
from question_bank.models import (
    Category,
    Question,
    QuestionStatus,
    QuestionVersion,
    ReviewStatus,
    Tag,
    question_tag_links,
)
from question_bank.services import existing_duplicate_keys

FORMATS = ("xlsx", "gift", "moodlexml", "docx")  # what can be imported
EXPORT_FORMATS = ("xlsx", "gift", "moodlexml")  # what a bank exports to (Word is for papers)
DEFAULT_CATEGORY = "未分类"
MAX_FILE_BYTES = 10 * 1024 * 1024  # below MAX_CONTENT_LENGTH, so the page can say why


def guess_format(filename: str) -> str | None:
    """The format a file name suggests (.xlsx, .gift/.txt, .xml, .docx)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".docx"):
        return "docx"
    if name.endswith((".gift", ".txt")):
        return "gift"
    if name.endswith(".xml"):
        return "moodlexml"
    return None


def parse_file(data: bytes, fmt: str) -> ParseResult:
    """Parse a file in ``fmt``; a file that cannot be read at all gives one problem saying why."""
    try:
        if fmt == "xlsx":
            return xlsx.parse_workbook(data, "upload.xlsx")
        if fmt == "gift":
            return gift.parse(data)
        if fmt == "moodlexml":
            return moodlexml.parse(data)
        if fmt == "docx":
            return docx.parse(data)
    except (FormatError, SpreadsheetError, ValueError) as exc:
        return ParseResult(problems=[ImportProblem("", "", str(exc))])
    return ParseResult(problems=[ImportProblem("", "", _("Unknown format “%(fmt)s”.", fmt=fmt))])


@dataclass
class Preview:
    """What an import would do: counts per type, categories to create, duplicates, and every problem."""

    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (question label, existing id)
    in_file_duplicates: list[str] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # first questions, for the preview table
    warnings: list = field(default_factory=list)  # item-writing lint findings (lint.Finding) inside the file

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {
            "counts": self.counts,
            "total": self.total,
            "problems": [{"where": p.where, "column": p.column, "reason": p.reason} for p in self.problems],
            "duplicates": [{"question": q, "existing_id": i} for q, i in self.duplicates],
            "in_file_duplicates": self.in_file_duplicates,
            "new_categories": self.new_categories,
            "rows": self.rows,
            "warnings": [f.as_dict() for f in self.warnings],
        }


def _target_path(question: QuestionData, base: list[str]) -> list[str]:
    path = base + question.category_path
    return path or [DEFAULT_CATEGORY]


def preview(parsed: ParseResult, base_path: str = "", user: User | None = None) -> Preview:
    """The dry run: nothing is written (duplicates are looked for among what ``user`` may see)."""
    base = split_path(base_path)
    result = Preview(problems=list(parsed.problems))
    counts = Counter(q.type for q in parsed.questions)
    result.counts = dict(sorted(counts.items()))
    result.total = len(parsed.questions)
    keys = [duplicate_key(q.stem_html) for q in parsed.questions]
    existing = existing_duplicate_keys(set(keys), user)
    seen: set[str] = set()
    for question, key in zip(parsed.questions, keys, strict=True):
        if key in existing:
            result.duplicates.append((question.label(), existing[key]))
        elif key and key in seen:
            result.in_file_duplicates.append(question.label())
        seen.add(key)
    wanted = {tuple(_target_path(q, base)) for q in parsed.questions}
    wanted |= {tuple(base + c) for c in parsed.categories if base + c}
    for path in sorted(wanted):
        for depth in range(1, len(path) + 1):
            label = "/".join(path[:depth])
            if label not in result.new_categories and _find(path[:depth]) is None:
                result.new_categories.append(label)
    result.warnings = lint.lint_items(lint.parsed_items(parsed.questions))
    for question in parsed.questions[:50]:
        result.rows.append(
            {"ref": question.ref, "type": question.type, "name": question.label(),
             "category": "/".join(_target_path(question, base))}
        )  # fmt: skip
    return result


BATCH = 1000


def _insert_batch(
    batch: list[tuple[QuestionData, str, int]],
    tag_ids: dict[str, int],
    author_id,
    status,
    now,
    note: str,
    approved: bool = False,
) -> None:
    """Insert questions, their first versions and tag links with a few multi-row statements (an import
    of thousands of questions would spend most of its time in per-object ORM bookkeeping otherwise)."""
    question_rows = [
        _question_row(data, key, category_id, author_id, status, now) for data, key, category_id in batch
    ]
    if approved:  # the starter bank: approved by the system (question_bank/review.py)
        for row in question_rows:
            row["review_status"] = ReviewStatus.APPROVED
    question_ids = list(
        db.session.scalars(
            insert(Question).returning(Question.id, sort_by_parameter_order=True), question_rows
        )
    )
    version_rows = [
        _version_row(question_id, row["name"], data, author_id, now, note)
        for question_id, row, (data, _key, _cat) in zip(question_ids, question_rows, batch, strict=True)
    ]
    if approved:
        for row in version_rows:
            row.update(approved_at=now, approved_by_system=True)
    # RETURNING makes SQLAlchemy send multi-row INSERTs (insertmanyvalues) instead of one per row.
    db.session.execute(insert(QuestionVersion).returning(QuestionVersion.id), version_rows).all()
    # One statement per batch for the cycle question → current version (not one UPDATE per row).
    db.session.execute(
        update(Question)
        .where(Question.id.in_(question_ids))
        .values(
            current_version_id=select(QuestionVersion.id)
            .where(QuestionVersion.question_id == Question.id)
            .scalar_subquery()
        ),
        execution_options={"synchronize_session": False},
    )
    links = [
        {"question_id": question_id, "tag_id": tag_ids[name]}
        for question_id, (data, _key, _cat) in zip(question_ids, batch, strict=True)
        for name in _tag_names(data)
    ]
    for start in range(0, len(links), 5000):
        db.session.execute(insert(question_tag_links).values(links[start : start + 5000]))


def _question_row(data: QuestionData, key: str, category_id: int, author_id, status, now) -> dict:
    """The ``questions`` row of an imported question (its HTML sanitised first, whatever the format)."""
    sanitise_question(data)
    return {
        "category_id": category_id,
        "type": data.type,
        "status": status,
        "author_id": author_id,
        "created_at": now,
        "updated_at": now,
        "chapter": data.chapter,
        "difficulty": data.difficulty,
        "stem_text": stem_search_text(data.stem_html),
        "stem_key": key,
        "points": data.points,
        "source_ref": data.source_ref,
        "idnumber": data.idnumber or None,
        "exam_only": data.exam_only,
        "name": (data.name or plain_text(data.stem_html))[:255],
    }


def _version_row(question_id: int, name: str, data: QuestionData, author_id, now, note: str) -> dict:
    """The first ``question_versions`` row of an imported question."""
    return {
        "question_id": question_id,
        "number": 1,
        "type": data.type,
        "name": name,
        "stem_html": data.stem_html,
        "options": data.options,
        "key": data.key,
        "explanation": data.explanation,
        "general_feedback": data.general_feedback,
        "points": data.points,
        "difficulty": data.difficulty,
        "chapter": data.chapter,
        "source_ref": data.source_ref,
        "created_by_id": author_id,
        "created_at": now,
        "change_note": note,
        "used": False,
    }


def _tag_names(data: QuestionData) -> list[str]:
    """The question's tag names, trimmed to the column's 100 characters, each once."""
    return list(dict.fromkeys(t.strip()[:100] for t in data.tags if t.strip()))


def _find(names: tuple[str, ...]) -> Category | None:
    node = None
    for name in names:
        query = select(Category).where(Category.name == name)
        query = (
            query.where(Category.parent_id == node.id) if node else query.where(Category.parent_id.is_(None))
        )
        node = db.session.scalar(query)
        if node is None:
            return None
    return node


def run_import(
    parsed: ParseResult,
    user: User | None,
    now: dt.datetime,
    *,
    base_path: str = "",
    status: str = QuestionStatus.PUBLISHED,
    import_duplicates: bool = False,
    owner_department_id: int | None = None,
    progress=None,
    approved_by_system: bool = False,
) -> dict:
    """Store every question of a problem-free ``parsed`` file in the caller's transaction (all or nothing:
    raises ``ImportRejected`` before writing anything when the file has problems). Returns counts."""
    if parsed.problems:
        raise ImportRejected(parsed.problems)
    base = split_path(base_path)
    keys = [duplicate_key(q.stem_html) for q in parsed.questions]
    existing = {} if import_duplicates else existing_duplicate_keys(set(keys), user)
    category_for = _category_finder(parsed, base, owner_department_id)
    for path in parsed.categories:
        if base + path:
            category_for(base + path)
    tag_ids = dict(db.session.execute(select(Tag.name, Tag.id)).all())
    counts: Counter = Counter()
    skipped = 0
    total = len(parsed.questions)
    note = _("Imported")
    author_id = user.id if user else None
    pending: list[tuple[QuestionData, str, int]] = []
    with audit.suppress_automatic(db.session):
        for index, (data, key) in enumerate(zip(parsed.questions, keys, strict=True), start=1):
            if key and key in existing:
                skipped += 1
                continue
            _add_missing_tags(data, tag_ids)
            pending.append((data, key, category_for(_target_path(data, base)).id))
            counts[data.type] += 1
            if len(pending) >= BATCH:
                _insert_batch(pending, tag_ids, author_id, status, now, note, approved_by_system)
                pending = []
                if progress:
                    progress(index, total)
        if pending:
            _insert_batch(pending, tag_ids, author_id, status, now, note, approved_by_system)
    created = sum(counts.values())
    summary = {
        "created": created,
        "published": created if status == QuestionStatus.PUBLISHED else 0,
        "drafts": created if status == QuestionStatus.DRAFT else 0,
        "skipped_duplicates": skipped,
        "counts": dict(sorted(counts.items())),
    }
    audit.record("question_bank.import", None, **summary)
    return summary


def outcome_message(summary: dict) -> str:
    """What an import did, in the importer's words: how many questions are published, how many drafts."""
    return _(
        "%(n)d questions imported: %(p)d published, %(d)d drafts; %(s)d duplicates skipped.",
        n=summary["created"],
        p=summary["published"],
        d=summary["drafts"],
        s=summary["skipped_duplicates"],
    )


def _category_finder(
    parsed: ParseResult, base: list[str], owner_department_id: int | None
) -> Callable[[list[str]], Category]:
    """A lookup path → category that creates missing levels once, with the file's descriptions and
    idnumbers (Moodle) on categories that have none yet."""
    categories: dict[tuple[str, ...], Category] = {}

    def category_for(path: list[str]) -> Category:
        key = tuple(path)
        if key not in categories:
            categories[key] = ensure_path(path, owner_department_id=owner_department_id)
            info = parsed.category_info.get(tuple(path[len(base) :]))
            if info and not categories[key].description:
                categories[key].description = info
            idnumber = parsed.category_idnumbers.get(tuple(path[len(base) :]))
            if idnumber and not categories[key].idnumber:
                categories[key].idnumber = idnumber
        return categories[key]

    return category_for


def _add_missing_tags(data: QuestionData, tag_ids: dict[str, int]) -> None:
    """Create the tags of ``data`` that do not exist yet; ``tag_ids`` learns their ids."""
    for name in _tag_names(data):
        if name not in tag_ids:
            tag_ids[name] = point_named(name).id


# ---------------------------------------------------------------- export


def export_questions(fmt: str, category_path: str = "", user: User | None = None) -> bytes:
    """Every question (current versions) below ``category_path`` (all when empty) in ``fmt``."""
    query = (
        select(Question)
        .options(
            selectinload(Question.tags),
            selectinload(Question.current_version),
            selectinload(Question.category),
        )
        .order_by(Question.category_id, Question.id)
    )
    base: Category | None = None
    if category_path:
        base = _find(tuple(split_path(category_path)))
        if base is None:
            raise CategoryError(_("No category “%(path)s”.", path=category_path), status=404)
        query = query.where(Question.category_id.in_(subtree_ids(base)))
    if user is not None:
        query = query.join(Category, Question.category_id == Category.id).where(visible_category_clause(user))
    questions = list(db.session.scalars(query))
    by_id = {c.id: c for c in db.session.scalars(select(Category))}
    base_depth = len([p for p in base.path.split("/") if p]) - 1 if base else 0
    items = []
    for question in questions:
        version: QuestionVersion = question.current_version
        names = category_label(question.category, by_id).split("/")
        items.append((question, version, names[base_depth:] if base else names))
    audit.record("question_bank.export", None, format=fmt, category=category_path, count=len(items))
    if fmt == "xlsx":
        return xlsx.write_workbook(
            xlsx.export_row(q.type, v, [t.name for t in q.tags], "/".join(names), exam_only=q.exam_only)
            for q, v, names in items
        )
    if fmt == "gift":
        return gift.export(items).encode("utf-8")
    if fmt == "moodlexml":
        return moodlexml.export(items)
    raise ValueError(_("Unknown format “%(fmt)s”.", fmt=fmt))
