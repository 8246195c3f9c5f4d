"""``flask seed-content``: the guide's starter content without people, idempotent and versioned; the demo
stays out of a database with real people; the first administrator.

The commands commit, so these tests use ``committed_db`` (tables emptied afterwards): on SQLite a commit
inside the rolled-back ``db`` fixture would outlive the test."""

from __future__ import annotations

import re
import tomllib

from sqlalchemy import func, select

from accounts.models import Employee, RoleGrant, User
from core.audit import AuditEntry
from core.config import PROJECT_ROOT
from core.models import utcnow
from core.seeding import StarterItem, seeders
from drills.models import EmergencyPlan
from incentives import starter
from incentives.models import PointRule
from question_bank.content import QuestionData
from question_bank.models import KnowledgePoint, Question
from question_bank.services import edit_question
from tests import factories
from training.models import CertificateType, Course


def _counts(db) -> dict:
    models = (
        Question,
        CertificateType,
        Course,
        EmergencyPlan,
        PointRule,
        StarterItem,
        Employee,
        KnowledgePoint,
    )
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seed_content_twice_changes_nothing_the_second_time(app, committed_db):
    db = committed_db
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-content"])
    assert first.exit_code == 0, first.output
    after_first = _counts(db)
    assert after_first["Question"] == 310 and after_first["CertificateType"] == 6
    assert after_first["Course"] == 7 and after_first["EmergencyPlan"] == 7 and after_first["PointRule"] == 12
    assert after_first["Employee"] == 0  # content only: nobody
    # The guide's tree: 8 chapters and 34 sections, with the bank's, courses' and criteria's points below.
    chapters = db.session.scalars(select(KnowledgePoint).where(KnowledgePoint.parent_id.is_(None))).all()
    assert len(chapters) == 8 and all(p.name.startswith("第") for p in chapters)
    assert not db.session.scalar(
        select(PointRule.active).where(PointRule.code == "PRACTICE")
    )  # off by default
    second = runner.invoke(args=["seed-content"])
    assert second.exit_code == 0, second.output
    assert _counts(db) == after_first
    assert (
        "questions: 0 added, 0 updated to this release's wording, 310 unchanged" in second.output
        and "skipped" not in second.output
    )


def test_an_edited_starter_question_is_left_as_edited_and_named(app, committed_db):
    db = committed_db
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-content", "--only", "questions"])
    question = db.session.scalar(select(Question).where(Question.type == "single").order_by(Question.id))
    version = question.current_version
    editor = factories.user()
    data = QuestionData(
        type=version.type,
        stem_html=version.stem_html,
        options=version.options,
        key=version.key,
        explanation="本单位补充：见《供电服务规范》第5条。",
        points=version.points,
        chapter=version.chapter,
        difficulty=version.difficulty,
        source_ref=version.source_ref,
    )
    edit_question(question, data, editor, utcnow())
    db.session.flush()
    edited_version = question.current_version_id
    rerun = runner.invoke(args=["seed-content", "--only", "questions"])
    assert rerun.exit_code == 0, rerun.output
    db.session.refresh(question)
    assert question.current_version_id == edited_version
    assert question.current_version.explanation == "本单位补充：见《供电服务规范》第5条。"
    assert db.session.scalar(select(func.count()).select_from(Question)) == 310
    assert "questions: 0 added, 0 updated to this release's wording, 309 unchanged" in rerun.output
    assert re.search(r"skipped .+: edited here since it was seeded", rerun.output)


def test_a_new_release_adds_its_new_starter_items_and_keeps_deleted_ones_deleted(
    app, committed_db, monkeypatch
):
    db = committed_db
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-content", "--only", "positions", "--only", "point-rules"])
    db.session.delete(db.session.scalar(select(PointRule).where(PointRule.code == "INNOVATION")))
    db.session.flush()
    extra = ("SAFETY", "安全生产无违章", "全年无违章，得 10 分。", *starter.RULES[0][3:])
    monkeypatch.setattr(starter, "RULES", [*starter.RULES, extra])
    rerun = runner.invoke(args=["seed-content", "--only", "point-rules"])
    assert rerun.exit_code == 0, rerun.output
    codes = set(db.session.scalars(select(PointRule.code)))
    assert "SAFETY" in codes and "INNOVATION" not in codes
    assert "point-rules: 1 added, 0 updated to this release's wording, 11 unchanged" in rerun.output
    assert "INNOVATION" in rerun.output and "deleted here after it was seeded" in rerun.output


def test_seed_content_names_an_unknown_part(app, committed_db):
    result = app.test_cli_runner().invoke(args=["seed-content", "--only", "questionz"])
    assert result.exit_code != 0 and "unknown part(s): questionz" in result.output


def test_seed_demo_refuses_on_a_database_with_real_people(app, committed_db):
    db = committed_db
    factories.user()  # real people (not demo)
    people = db.session.scalar(select(func.count()).select_from(Employee))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert f"This database holds {people} real (non-demo) " in result.output and "--force" in result.output
    assert db.session.scalar(select(func.count()).select_from(Employee)) == people
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_create_admin_refuses_a_second_admin_without_another(app, committed_db):
    db = committed_db
    runner = app.test_cli_runner()
    first = runner.invoke(
        args=["accounts", "create-admin", "--employee-no", "it001", "--name", "张管理", "--generate"]
    )
    assert first.exit_code == 0, first.output
    admin = db.session.scalar(select(User).join(User.employee).where(Employee.employee_no == "IT001"))
    assert admin.must_change_password and admin.has_any_role("admin")
    assert admin.employee.department.code == "ROOT" and admin.employee.position.name == "系统管理员"
    assert re.search(r"^IT001\t\S{12}$", first.output, re.M)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "accounts.create_admin"))

    second = runner.invoke(
        args=["accounts", "create-admin", "--employee-no", "IT002", "--name", "李", "--generate"]
    )
    assert second.exit_code == 1 and "an active administrator already exists: IT001" in second.output
    assert db.session.scalar(select(func.count()).select_from(RoleGrant)) == 1

    typed = runner.invoke(
        args=["accounts", "create-admin", "--employee-no", "IT002", "--name", "李管理", "--another"],
        input="Grid-Ready-2027\nGrid-Ready-2027\n",
    )
    assert typed.exit_code == 0, typed.output
    assert "Grid-Ready-2027" not in typed.output  # a typed password is never printed
    assert db.session.scalar(select(func.count()).select_from(RoleGrant)) == 2


def test_create_admin_refuses_a_weak_or_mismatched_password(app, committed_db):
    db = committed_db
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["accounts", "create-admin", "--employee-no", "IT001", "--name", "张"],
        input="12345678\n12345678\n",
    )
    assert weak.exit_code == 1 and db.session.scalar(select(func.count()).select_from(Employee)) == 0
    mismatch = runner.invoke(
        args=["accounts", "create-admin", "--employee-no", "IT001", "--name", "张"],
        input="Grid-Ready-2027\nGrid-Ready-2028\n",
    )
    assert mismatch.exit_code != 0 and db.session.scalar(select(func.count()).select_from(Employee)) == 0


def test_demo_people_are_marked_listed_and_removed(app, committed_db):
    db = committed_db
    for seeder in seeders(app)[:1]:  # the organisation only: quick
        seeder.run(lambda line: None)
    db.session.flush()
    real = factories.user()
    db.session.commit()
    real_numbers = sorted(db.session.scalars(select(Employee.employee_no).where(Employee.demo.is_(False))))
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["accounts", "list-demo"])
    assert "A0001" in listed.output and real.employee.employee_no not in listed.output
    removed = runner.invoke(args=["accounts", "remove-demo", "--yes"])
    assert removed.exit_code == 0, removed.output
    assert sorted(db.session.scalars(select(Employee.employee_no))) == real_numbers


def test_version_command_and_footer_show_the_pyproject_version(app, client):
    version = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert (
        app.test_cli_runner().invoke(args=["gridready", "version"]).output.strip() == f"GridReady {version}"
    )
    assert f"GridReady 版本 {version}" in client.get("/login").get_data(as_text=True)
