"""``flask questions import|export|lint``: the same importers, exporters and item lint as the web pages,
run inline."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from core.extensions import db
from core.models import utcnow
from core.spreadsheets import SpreadsheetError
from question_bank import importing, lint
from question_bank.errors import CategoryError
from question_bank.labels import lint_message

questions_cli = AppGroup("questions", help="Import and export the question bank.")


def _print_preview(plan: importing.Preview) -> None:
    click.echo(f"Questions: {plan.total}")
    for qtype, count in plan.counts.items():
        click.echo(f"  {qtype}: {count}")
    for label in plan.new_categories:
        click.echo(f"New category: {label}")
    for label, existing in plan.duplicates:
        click.echo(f"Duplicate of question {existing} (skipped): {label}")
    for label in plan.in_file_duplicates:
        click.echo(f"Duplicate inside the file (imported): {label}")
    for problem in plan.problems:
        click.echo(f"Error: {problem}", err=True)
    for finding in plan.warnings:
        click.echo(f"Warning ({finding.code}): {finding.ref}: {lint_message(finding)}")


@questions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(importing.FORMATS), help="Default: from the file extension."
)
@click.option("--category", "category", default="", help="Import below this category path (a/b/c).")
@click.option(
    "--dry-run", is_flag=True, help="Check the file and print what would be created; store nothing."
)
@click.option("--draft", is_flag=True, help="Import as drafts instead of published questions.")
def import_command(path: Path, fmt: str | None, category: str, dry_run: bool, draft: bool) -> None:
    """Import questions from PATH (all or nothing); exits 1 when the file is rejected."""
    fmt = fmt or importing.guess_format(path.name)
    if fmt is None:
        raise click.UsageError("Cannot tell the format from the file name; pass --format.")
    if path.stat().st_size > importing.MAX_FILE_BYTES:
        click.echo(f"Error: the file is larger than {importing.MAX_FILE_BYTES // 1024 // 1024} MB.", err=True)
        sys.exit(1)
    try:
        parsed = importing.parse_file(path.read_bytes(), fmt)
    except SpreadsheetError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    plan = importing.preview(parsed, category)
    _print_preview(plan)
    if not plan.ok:
        click.echo("Rejected: nothing was imported.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("Dry run: nothing was imported.")
        return
    status = "draft" if draft else "published"
    summary = importing.run_import(parsed, None, utcnow(), base_path=category, status=status)
    db.session.commit()
    click.echo(
        f"Imported {summary['created']} questions; skipped {summary['skipped_duplicates']} duplicates."
    )


@questions_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(importing.EXPORT_FORMATS), required=True)
@click.option("--category", "category", default="", help="Export only this category path and below.")
def export_command(path: Path, fmt: str, category: str) -> None:
    """Export the bank's current question versions to PATH."""
    try:
        data = importing.export_questions(fmt, category)
    except CategoryError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    path.write_bytes(data)
    click.echo(f"Wrote {path} ({len(data)} bytes).")


@questions_cli.command("lint")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def lint_command(fmt: str) -> None:
    """Item-writing cues of the bank's drafts and published questions (see docs/item-writing.md); exits 1
    when a question gives another's answer away."""
    items = lint.bank_items()
    findings = lint.lint_items(items)
    figures = lint.bank_figures(items)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "questions": len(items),
                    "figures": figures.as_dict(),
                    "findings": [f.as_dict() for f in findings],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for finding in findings:
            click.echo(f"{finding.severity:8} {finding.code:20} {finding.ref}: {lint_message(finding)}")
        click.echo(f"{len(items)} questions, {len(findings)} findings.")
        for name, value in figures.as_dict().items():
            click.echo(f"  {name}: {value}")
    if any(f.severity == lint.ERROR for f in findings):
        sys.exit(1)


def init_app(app) -> None:
    app.cli.add_command(questions_cli)
