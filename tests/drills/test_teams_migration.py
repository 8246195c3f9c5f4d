"""Migration 0022 (emergency teams) on data made with the previous schema: the settings row keeps its
values and gets 12 months, existing participants get no team, and the way back drops only what 0022 added."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade

from core.extensions import db
from tests.question_bank.test_knowledge_migration import DIALECTS, _migrating_app, upgrade_over_old_data

OLD_DATA = [
    "INSERT INTO departments (id, name, code, kind, path, depth) VALUES (1, '城东供电所', 'CD', 'station', '/1/', 0)",
    "INSERT INTO drill_settings (id, amber_days, escalation_days, red_days, report_due_days, coverage_half_years,"
    " tier_excellent, tier_good, tier_pass, deficiency_due_days, reminder_days_before, rules_start, unit_kinds)"
    " VALUES (1, 45, 30, 10, 15, 4, 90, 80, 70, 30, 7, '2025H1', '[\"station\"]')",
]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_teams_migration_keeps_settings_and_goes_back(dialect):
    app = _migrating_app(dialect)
    with app.app_context():
        upgrade_over_old_data("0020", OLD_DATA, "0022")
        with db.engine.begin() as conn:
            settings = conn.execute(sa.text("SELECT amber_days, team_lapse_months FROM drill_settings")).one()
            conn.execute(
                sa.text(
                    "INSERT INTO drill_teams (id, name, department_id, duties, active, created_at)"
                    " VALUES (1, '抢修一队', 1, '', true, '2026-01-01')"
                )
            )
            with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():  # one name per department
                conn.execute(
                    sa.text(
                        "INSERT INTO drill_teams (id, name, department_id, duties, active, created_at)"
                        " VALUES (2, '抢修一队', 1, '', true, '2026-01-01')"
                    )
                )
            columns = {c["name"] for c in sa.inspect(conn).get_columns("drill_participants")}
        assert tuple(settings) == (45, 12)
        assert "team_id" in columns
        downgrade(revision="0020")
        with db.engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            columns = {c["name"] for c in sa.inspect(conn).get_columns("drill_settings")}
            kept = conn.execute(sa.text("SELECT amber_days FROM drill_settings")).scalar_one()
        assert "drill_teams" not in tables and "drill_team_members" not in tables
        assert "team_lapse_months" not in columns and kept == 45
        db.engine.dispose()
