"""Migration 0021 (review before use) on data made with the previous schema (0020): questions already
published or retired are approved by the system, with every version dated when it was written; drafts wait
for review; nothing else changes, and the downgrade takes the columns away again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade

from core.extensions import db
from tests.question_bank.test_knowledge_migration import DIALECTS, _migrating_app, upgrade_over_old_data

OLD_DATA = [
    "INSERT INTO question_categories (id, name, path, description) VALUES (1, 'c', '/1/', '')",
    "INSERT INTO questions (id, category_id, type, status, created_at, updated_at, difficulty, stem_text,"
    " stem_key, points, source_ref, name, exam_only) VALUES"
    " (1, 1, 'single', 'published', '2026-01-01', '2026-01-01', 3, 'q1', 'k1', 1, '', '', false),"
    " (2, 1, 'single', 'draft', '2026-01-01', '2026-01-01', 3, 'q2', 'k2', 1, '', '', false),"
    " (3, 1, 'single', 'retired', '2026-01-01', '2026-01-01', 3, 'q3', 'k3', 1, '', '', false)",
    "INSERT INTO question_versions (id, question_id, number, type, name, stem_html, options, key, explanation,"
    " general_feedback, points, difficulty, source_ref, created_at, change_note, used) VALUES"
    " (11, 1, 1, 'single', '', 'q1', '[]', '{}', '', '', 1, 3, '', '2026-01-02 08:00:00', '', true),"
    " (12, 1, 2, 'single', '', 'q1b', '[]', '{}', '', '', 1, 3, '', '2026-02-03 08:00:00', '', false),"
    " (21, 2, 1, 'single', '', 'q2', '[]', '{}', '', '', 1, 3, '', '2026-01-04 08:00:00', '', false),"
    " (31, 3, 1, 'single', '', 'q3', '[]', '{}', '', '', 1, 3, '', '2026-01-05 08:00:00', '', false)",
    "UPDATE questions SET current_version_id = 12 WHERE id = 1",
    "UPDATE questions SET current_version_id = 21 WHERE id = 2",
    "UPDATE questions SET current_version_id = 31 WHERE id = 3",
]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_questions_in_use_are_approved_by_the_system_and_drafts_wait(dialect):
    app = _migrating_app(dialect)
    with app.app_context():
        upgrade_over_old_data("0020", OLD_DATA, "0021")
        with db.engine.connect() as conn:
            status = dict(conn.execute(sa.text("SELECT id, review_status FROM questions")).all())
            versions = {
                row.id: row
                for row in conn.execute(
                    sa.text(
                        "SELECT id, created_at, approved_at, approved_by_id, approved_by_system"
                        " FROM question_versions"
                    )
                )
            }
            reviews = conn.execute(sa.text("SELECT count(*) FROM question_reviews")).scalar_one()
        assert status == {1: "approved", 2: "draft", 3: "approved"}
        for version_id in (11, 12, 31):
            row = versions[version_id]
            assert bool(row.approved_by_system) and row.approved_by_id is None
            assert str(row.approved_at)[:16] == str(row.created_at)[:16]
        assert versions[21].approved_at is None and not versions[21].approved_by_system
        assert reviews == 0
        downgrade(revision="0020")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("questions")}
            tables = sa.inspect(conn).get_table_names()
            count = conn.execute(sa.text("SELECT count(*) FROM question_versions")).scalar_one()
        assert "review_status" not in columns and "question_reviews" not in tables and count == 4
        db.engine.dispose()
