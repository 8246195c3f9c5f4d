"""The bank's item-writing lint page: the cues a test-wise candidate uses, per question, with a link to edit
(rules in question_bank/lint.py, explained in docs/item-writing.md)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from core.auth import role_required
from question_bank import lint
from question_bank.labels import LINT_CODE_LABELS, LINT_SEVERITY_LABELS, lint_message
from question_bank.views import bp
from question_bank.views.common import BANK_ROLES

SHOWN = 300


@bp.get("/lint")
@role_required(*BANK_ROLES)
def lint_page():
    items = lint.bank_items(current_user)
    findings = lint.lint_items(items)
    code = request.args.get("code", "")
    shown = [f for f in findings if not code or f.code == code]
    return render_template(
        "question_bank/lint.html",
        figures=lint.bank_figures(items),
        count=len(items),
        findings=shown[:SHOWN],
        total=len(shown),
        by_code={c: sum(1 for f in findings if f.code == c) for c in lint.CODES},
        code=code if code in lint.CODES else "",
        code_labels=LINT_CODE_LABELS,
        severity_labels=LINT_SEVERITY_LABELS,
        message=lint_message,
    )
