"""``flask questions import|export`` and the starter-bank seeder."""

from __future__ import annotations

from sqlalchemy import func, select

from core.seeding import Outcome
from question_bank.models import Question
from question_bank.starter import seed_starter_questions
from tests.question_bank import factories


def test_cli_export_then_dry_run_import(app, committed_db, tmp_path):
    # The export commits (its audit entry), so this test uses real commits and emptied tables.
    factories.question()
    runner = app.test_cli_runner()
    for fmt, name in (("xlsx", "q.xlsx"), ("gift", "q.gift"), ("moodlexml", "q.xml")):
        target = tmp_path / name
        result = runner.invoke(args=["questions", "export", str(target), "--format", fmt])
        assert result.exit_code == 0, result.output
        check = runner.invoke(
            args=["questions", "import", str(target), "--dry-run", "--category", "导入/测试"]
        )
        assert check.exit_code == 0, check.output
        assert "single: 1" in check.output and "Duplicate of question" in check.output


def test_cli_rejects_bad_file_and_unknown_category(app, db, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.gift"
    bad.write_bytes("::Q:: Café {T}".encode("cp1252"))
    result = runner.invoke(args=["questions", "import", str(bad)])
    assert result.exit_code == 1 and "UTF-8" in result.output and "nothing was imported" in result.output
    result = runner.invoke(
        args=["questions", "export", str(tmp_path / "x.xlsx"), "--format", "xlsx", "--category", "没有"]
    )
    assert result.exit_code == 1 and "No category “没有”" in result.output


def test_cli_import_commits_questions(app, committed_db, tmp_path):
    db = committed_db
    path = tmp_path / "one.gift"
    path.write_text("$CATEGORY: $course$/营销\n\n::热线:: 客服热线是{=95598}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 questions" in result.output
    question = db.session.scalar(select(Question).where(Question.name == "热线"))
    assert question.category.name == "营销" and question.status == "published"


def test_starter_bank_seeder_is_idempotent(app, db):
    first, second = Outcome("questions"), Outcome("questions")
    seed_starter_questions(first)
    seed_starter_questions(second)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 310
    assert (first.added, second.added, second.unchanged, second.skipped) == (310, 0, 310, [])
