"""Starter content of this package: the starter bank, 310 questions written from the guide
(``data/starter_bank.xlsx``), loaded through the xlsx importer and published.

Each question's starter key is its normalised stem (``duplicate_key``), so a rerun after an upgrade adds
the questions new in the release and leaves alone the ones a unit has edited (a new version) or deleted.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from core.extensions import db
from core.models import utcnow
from core.seeding import Outcome, Starter, StarterKind, sync_starter
from question_bank import importing
from question_bank.answer_text import duplicate_key, plain_text
from question_bank.content import sanitise_question
from question_bank.formats import ParseResult
from question_bank.models import Question, QuestionStatus

STARTER_BANK = Path(__file__).parent / "data" / "starter_bank.xlsx"


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
    importing.run_import(parsed, None, utcnow(), status=QuestionStatus.PUBLISHED, import_duplicates=True)
    keys = [item.payload[1] for item in items]
    stored: dict[str, Question] = {}
    for question in db.session.scalars(
        select(Question).where(Question.stem_key.in_(keys)).order_by(Question.id)
    ):
        stored.setdefault(question.stem_key, question)
    return [stored[key] for key in keys]


QUESTION_KIND = StarterKind(
    kind="question",
    fetch=lambda id_: db.session.get(Question, id_),
    find=_find,
    fingerprint=_fingerprint,
    create=_create,
)


def starter_questions() -> list[Starter]:
    """The starter bank as this release ships it, one item per distinct stem."""
    parsed = importing.parse_file(STARTER_BANK.read_bytes(), "xlsx")
    if parsed.problems:
        raise ValueError(f"the starter bank has problems: {parsed.problems[:3]}")
    items: dict[str, Starter] = {}
    for data in parsed.questions:
        sanitise_question(data)
        key = duplicate_key(data.stem_html)
        label = f"{data.source_ref} {plain_text(data.stem_html)[:30]}".strip()
        items.setdefault(key, Starter(f"question:{key}", label, _content(data), (data, key)))
    return list(items.values())


def seed_starter_questions(outcome: Outcome) -> None:
    """The starter bank's questions (new ones added, published; edited or deleted ones left alone)."""
    sync_starter(QUESTION_KIND, starter_questions(), outcome)
