"""The frozen question pool of an exam (``ExamPool``): taken at the first start, so every candidate of one
exam draws from the same questions and versions; questions published or edited later stay out until a
trainer refreshes the pool (audited). A certification exam's pool holds only questions approved in review
(``exams.papers.is_certification``).

The start path reads the pool with one query (by primary key); only the first start of an exam, or the
first after its blueprint changed, runs the rules' queries.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core import audit
from core.extensions import db
from exams.models import Exam, ExamPool, PaperBlueprint
from exams.papers import bank_pool, is_certification


def _rule_keys(blueprint: PaperBlueprint) -> set[str]:
    return {str(rule.id) for section in blueprint.sections for rule in section.rules}


def exam_pool(exam: Exam, now: dt.datetime) -> ExamPool:
    """The exam's frozen pool, freezing it now if this is the first start (or its blueprint changed)."""
    pool = db.session.get(ExamPool, exam.id)
    if pool is not None and set(pool.versions) == _rule_keys(exam.blueprint):
        return pool
    if pool is not None:  # frozen for rules the exam no longer has (blueprint changed before any attempt)
        pool.versions, pool.frozen_at = bank_pool(exam.blueprint, is_certification(exam)), now
        db.session.flush()
        return pool
    versions = bank_pool(exam.blueprint, is_certification(exam))
    pool = ExamPool(exam_id=exam.id, versions=versions, frozen_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(pool)
            db.session.flush()
    except IntegrityError:
        # Another candidate's start froze it at the same moment: draw from that one.
        return db.session.get(ExamPool, exam.id)
    return pool


def refresh_pool(exam: Exam, user: User | None, now: dt.datetime) -> ExamPool:
    """Take the bank as it is now as the exam's pool (a trainer's explicit choice, audited); papers
    already drawn keep their questions."""
    pool = db.session.get(ExamPool, exam.id)
    before = len(pool_version_ids(pool)) if pool is not None else None
    if pool is None:
        pool = ExamPool(exam_id=exam.id, versions={}, frozen_at=now)
        db.session.add(pool)
    pool.versions, pool.frozen_at = bank_pool(exam.blueprint, is_certification(exam)), now
    db.session.flush()
    audit.record(
        "exam.pool_refreshed",
        exam,
        user_id=user.id if user is not None else None,
        questions_before=before,
        questions_after=len(pool_version_ids(pool)),
    )
    return pool


def pool_version_ids(pool: ExamPool | None) -> set[int]:
    """Every question version in a pool."""
    if pool is None:
        return set()
    return {version_id for ids in pool.versions.values() for version_id in ids}
