"""Migration 0015 merges the bank's tags into the knowledge points without loss, on data made with the
previous schema (0012): tags, question links, a blueprint rule naming tag ids, a course's points."""

from __future__ import annotations

import json
import os
import tempfile

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from core import create_app
from core.extensions import db
from tests.conftest import TEST_CONFIG, reset_schema

DIALECTS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _scratch_url(dialect: str, folder: str) -> str:
    """A database of its own for the migration: a SQLite file, or on PostgreSQL the test database's
    sibling ``<name>_migration`` (created when missing, emptied)."""
    if dialect == "sqlite":
        return f"sqlite:///{folder}/migration.db"
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    url = sa.engine.make_url(base)
    name = f"{url.database}_migration"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    scratch = url.set(database=name)
    engine = sa.create_engine(scratch)
    reset_schema(engine)
    engine.dispose()
    return scratch.render_as_string(hide_password=False)


def _migrating_app(dialect: str):
    folder = tempfile.mkdtemp(prefix="gridready-migration-")
    return create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": _scratch_url(dialect, folder),
            "INSTANCE_DIR": folder,
            "UPLOAD_DIR": os.path.join(folder, "uploads"),
        }
    )


def upgrade_over_old_data(old_revision: str, statements: list[str], new_revision: str) -> None:
    """In a migrating app's context: the schema at ``old_revision``, the rows ``statements`` write, then the
    upgrade to ``new_revision``: the migration under test meets data made by the previous schema."""
    upgrade(revision=old_revision)
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    upgrade(revision=new_revision)


OLD_DATA = [
    "INSERT INTO question_categories (id, name, path, description) VALUES (1, 'c', '/1/', '')",
    "INSERT INTO questions (id, category_id, type, status, created_at, updated_at, difficulty, stem_text,"
    " stem_key, points, source_ref, name) VALUES"
    " (1, 1, 'single', 'published', '2026-01-01', '2026-01-01', 3, 'q1', 'k1', 1, '', ''),"
    " (2, 1, 'single', 'published', '2026-01-01', '2026-01-01', 3, 'q2', 'k2', 1, '', '')",
    # 应急流程 is both a tag (id 7) and a training knowledge point (id 3); 持证上岗 is only a tag.
    "INSERT INTO question_tags (id, name) VALUES (7, '应急流程'), (8, '持证上岗'), (9, '没人用的标签')",
    "INSERT INTO knowledge_points (id, name, guide_section) VALUES (3, '应急流程', '6.4'), (4, '服务理念', '1.5')",
    "INSERT INTO question_tag_links (question_id, tag_id) VALUES (1, 7), (1, 8), (2, 8)",
    "INSERT INTO courses (id, code, title, description, guide_chapters, hours, form, requires_exam,"
    " issues_completion_certificate, active, created_at) VALUES"
    " (1, 'C1', 'course', '', '', 1, 'classroom', false, true, true, '2026-01-01')",
    "INSERT INTO course_knowledge_points (course_id, knowledge_point_id) VALUES (1, 3), (1, 4)",
    "INSERT INTO paper_blueprints (id, title, description, created_at, updated_at) VALUES"
    " (1, 'b', '', '2026-01-01', '2026-01-01')",
    "INSERT INTO blueprint_sections (id, blueprint_id, position, title) VALUES (1, 1, 0, 's')",
    "INSERT INTO blueprint_rules (id, section_id, position, kind, count, points, chapters, tag_ids, types,"
    " difficulties) VALUES (1, 1, 0, 'draw', 1, 1, '[]', '[7, 8]', '[]', '[]')",
]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_tags_become_knowledge_points_without_loss(dialect):
    app = _migrating_app(dialect)
    with app.app_context():
        upgrade_over_old_data("0012", OLD_DATA, "0015")
        with db.engine.connect() as conn:
            points = dict(conn.execute(sa.text("SELECT name, id FROM knowledge_points")).all())
            links = set(conn.execute(sa.text("SELECT question_id, tag_id FROM question_tag_links")).all())
            course = set(
                conn.execute(sa.text("SELECT knowledge_point_id FROM course_knowledge_points")).all()
            )
            rule_tags = conn.execute(sa.text("SELECT tag_ids FROM blueprint_rules")).scalar_one()
            paths = dict(conn.execute(sa.text("SELECT id, path FROM knowledge_points")).all())
            tables = sa.inspect(conn).get_table_names()
        # One vocabulary: the shared name is one point (the training one), the others are new points.
        assert set(points) == {"应急流程", "服务理念", "持证上岗", "没人用的标签"}
        assert points["应急流程"] == 3
        assert links == {(1, 3), (1, points["持证上岗"]), (2, points["持证上岗"])}
        assert course == {(3,), (4,)}
        rule_tags = json.loads(rule_tags) if isinstance(rule_tags, str) else rule_tags
        assert rule_tags == [3, points["持证上岗"]]
        assert all(path == f"/{id_}/" for id_, path in paths.items())
        assert "question_tags" not in tables
        # And back: the points questions use are tags again, links intact.
        downgrade(revision="0012")
        with db.engine.connect() as conn:
            tags = dict(conn.execute(sa.text("SELECT id, name FROM question_tags")).all())
            back = set(conn.execute(sa.text("SELECT question_id, tag_id FROM question_tag_links")).all())
        assert tags == {3: "应急流程", points["持证上岗"]: "持证上岗"}
        assert back == links
        db.engine.dispose()
