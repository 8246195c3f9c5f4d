"""Issue 15 §1: no demo certification paper prints another item's key. A thousand papers are drawn from the
demo blueprint (the starter bank's chapters 3, 6 and 7) and every pair of items on each is checked."""

from __future__ import annotations

from core.seeding import Outcome
from exams import papers, seed
from question_bank.lint import LintItem, key_needles, leaks_into, printed_text
from question_bank.starter import seed_starter_questions


def _item(version) -> LintItem:
    return LintItem(
        ref=str(version.question_id), type=version.type, stem_html=version.stem_html,
        options=version.options, key=version.key,
    )  # fmt: skip


def test_a_thousand_demo_certification_papers_hold_no_key_leak(db):
    seed_starter_questions(Outcome("questions"))
    blueprint = seed.demo_blueprint()
    pool = papers.bank_pool(blueprint)
    items: dict[int, LintItem] = {}
    leaked: list[tuple[int, int, int]] = []
    for number in range(1000):
        paper = papers.draw_paper(blueprint, number, pool=pool)
        assert len(paper) == 29
        drawn = [items.setdefault(d.version.id, _item(d.version)) for d in paper]
        stems = [printed_text(item) for item in drawn]
        for i, item in enumerate(drawn):
            if not key_needles(item):
                continue
            leaked += [(number, i, j) for j, stem in enumerate(stems) if j != i and leaks_into(item, stem)]
    assert leaked == []
    assert len(items) > 150  # the papers really vary
