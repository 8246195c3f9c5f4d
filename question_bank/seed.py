"""Demo data: the starter bank (310 questions written from the guide) loaded through the xlsx importer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from core.extensions import db
from core.models import utcnow
from question_bank import importing
from question_bank.models import Question

STARTER_BANK = Path(__file__).parent / "data" / "starter_bank.xlsx"


def seed_starter_bank(report) -> None:
    """Import the starter bank once (a real, all-or-nothing run of the xlsx importer), published."""
    if db.session.scalar(select(func.count()).select_from(Question)):
        return
    parsed = importing.parse_file(STARTER_BANK.read_bytes(), "xlsx")
    summary = importing.run_import(parsed, None, utcnow(), status="published")
    report(f"Question bank: {summary['created']} starter questions imported from {STARTER_BANK.name}.")
