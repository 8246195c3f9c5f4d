"""Starter content of this package: the starter bank, 310 questions written from the guide
(``data/starter_bank.json``), read through the xlsx importer's row parser and published.

The bank is kept as reviewable text: one JSON object per question whose fields are the xlsx template's
columns (题型, 题干, 选项 as a list, 答案, 解析 …) plus ``starter_key``. The starter key is the normalised
stem (``duplicate_key``) of the question as it was first shipped, and it stays when a release rewrites the
question, so ``flask seed-content`` recognises it. A rerun after an upgrade therefore adds the questions new
in the release, gives the unedited starter questions the release's wording as a new version (``_update``),
and leaves alone the ones a unit has edited or deleted (see core/seeding.py).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from core.extensions import db
from core.i18n import gettext as _
from core.models import utcnow
from core.seeding import Outcome, Starter, StarterKind, sync_starter
from core.version import app_version
from question_bank import importing, review, services
from question_bank.answer_text import duplicate_key, plain_text
from question_bank.content import sanitise_question
from question_bank.formats import ParseResult
from question_bank.formats.xlsx import HEADERS, OPTION_HEADERS, parse_rows
from question_bank.models import Question, QuestionStatus

STARTER_BANK = Path(__file__).parent / "data" / "starter_bank.json"


def _points(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _content(source) -> dict:
    """What a starter question says (the same shape for a parsed row and for a stored current version)."""
    return {
        "type": source.type,
        "stem_html": source.stem_html,
        "options": source.options,
        "key": source.key,
        "explanation": source.explanation,
        "general_feedback": source.general_feedback,
        "points": _points(source.points),
        "difficulty": source.difficulty,
        "chapter": source.chapter,
        "source_ref": source.source_ref,
    }


def _fingerprint(question: Question) -> dict | None:
    return _content(question.current_version) if question.current_version is not None else None


def _find(item: Starter) -> Question | None:
    return db.session.scalar(
        select(Question).where(Question.stem_key == item.payload[1]).order_by(Question.id).limit(1)
    )


def _create(items: list[Starter]) -> list[Question]:
    """Import the new starter questions in one all-or-nothing run of the xlsx importer, published."""
    parsed = ParseResult(questions=[item.payload[0] for item in items])
    importing.run_import(
        parsed, None, utcnow(), status=QuestionStatus.PUBLISHED, import_duplicates=True, approved_by_system=True
    )
    keys = [item.payload[1] for item in items]
    stored: dict[str, Question] = {}
    for question in db.session.scalars(
        select(Question).where(Question.stem_key.in_(keys)).order_by(Question.id)
    ):
        stored.setdefault(question.stem_key, question)
    return [stored[key] for key in keys]


def _update(question: Question, item: Starter) -> None:
    """Give an unedited starter question the release's wording as a new version (exams keep the versions
    they used). Its category, tags and status stay as they are here: a unit may have re-tagged or moved it."""
    data = copy.deepcopy(item.payload[0])
    data.tags = [tag.name for tag in question.tags]
    now = utcnow()
    version = services.edit_question(
        question, data, None, now, note=_("Starter bank of release %(release)s", release=app_version())
    )
    if version.approved_at is None:  # the release's own wording is approved with it (question_bank/review.py)
        review.approve_by_system(question, now)


QUESTION_KIND = StarterKind(
    kind="question",
    fetch=lambda id_: db.session.get(Question, id_),
    find=_find,
    fingerprint=_fingerprint,
    create=_create,
    update=_update,
)


def bank_entries() -> list[dict]:
    """The starter bank's source: one dict per question (template columns, 选项 as a list, starter_key)."""
    return json.loads(STARTER_BANK.read_text(encoding="utf-8"))


def bank_rows(entries: list[dict]) -> list[list[str]]:
    """The entries as xlsx template rows (header first)."""
    rows = [list(HEADERS)]
    for entry in entries:
        options = dict(zip(OPTION_HEADERS, entry.get("选项", []), strict=False))
        rows.append(
            [
                str(options.get(h, entry.get(h, "")) if h in OPTION_HEADERS else entry.get(h, ""))
                for h in HEADERS
            ]
        )
    return rows


def starter_questions() -> list[Starter]:
    """The starter bank as this release ships it, one item per starter key."""
    entries = bank_entries()
    parsed = parse_rows(bank_rows(entries))
    if parsed.problems:
        raise ValueError(f"the starter bank has problems: {parsed.problems[:3]}")
    items: dict[str, Starter] = {}
    for entry, data in zip(entries, parsed.questions, strict=True):
        sanitise_question(data)
        key = entry.get("starter_key") or duplicate_key(data.stem_html)
        label = f"{data.source_ref} {plain_text(data.stem_html)[:30]}".strip()
        items.setdefault(
            key, Starter(f"question:{key}", label, _content(data), (data, duplicate_key(data.stem_html)))
        )
    return list(items.values())


def seed_starter_questions(outcome: Outcome) -> None:
    """The starter bank's questions (new ones added, published; edited or deleted ones left alone)."""
    sync_starter(QUESTION_KIND, starter_questions(), outcome)
