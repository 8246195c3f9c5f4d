"""``flask questions import|export`` and the starter-bank seeder."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from core.models import utcnow
from core.seeding import SKIP_NEWER, Outcome
from core.version import app_version
from question_bank import starter
from question_bank.answer_text import duplicate_key
from question_bank.content import cell_html
from question_bank.models import Question, Tag
from question_bank.services import edit_question, version_data
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


def test_a_release_that_rewrites_starter_items_gives_unedited_ones_a_new_version(app, db, monkeypatch):
    """An installed bank seeded from an older wording: the unedited starter questions get the new wording as a
    new version (keeping the unit's tags), the ones a unit edited are left alone and named."""
    current = starter.bank_entries()
    older = copy.deepcopy(current)
    older[1]["题干"] = "旧措辞：" + older[1]["题干"]  # same starter key, older wording
    older[2]["选项"] = list(reversed(older[2]["选项"]))
    older[2]["答案"] = "ABCD"[len(older[2]["选项"]) - 1 - "ABCD".index(current[2]["答案"])]
    monkeypatch.setattr(starter, "bank_entries", lambda: older)
    seed_starter_questions(Outcome("questions"))
    reworded = db.session.scalar(select(Question).where(Question.stem_text.like("旧措辞%")))
    reworded.tags = [Tag(name="本单位知识点")]
    kept = db.session.scalar(
        select(Question).where(Question.stem_key == duplicate_key(cell_html(older[2]["题干"])))
    )
    data = version_data(kept.current_version, kept)
    data.explanation = "本单位补充说明。"
    edit_question(kept, data, None, utcnow())
    db.session.flush()

    monkeypatch.setattr(starter, "bank_entries", lambda: current)
    outcome = Outcome("questions")
    seed_starter_questions(outcome)
    db.session.refresh(reworded)
    assert (outcome.added, outcome.updated, outcome.unchanged) == (0, 1, 308)
    assert [reason for _label, reason in outcome.skipped] == [SKIP_NEWER.format(release=app_version())]
    assert [v.number for v in reworded.versions] == [1, 2]
    assert not reworded.current_version.stem_html.startswith("<p>旧措辞")
    assert [t.name for t in reworded.tags] == ["本单位知识点"] and reworded.status == "published"
    assert kept.current_version.explanation == "本单位补充说明。"
    again = Outcome("questions")
    seed_starter_questions(again)
    assert (again.updated, again.unchanged) == (0, 309)
