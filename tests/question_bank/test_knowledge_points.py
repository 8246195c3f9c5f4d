"""The one knowledge-point vocabulary: the guide's tree, and imports and exports carry the points."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import utcnow
from core.seeding import Outcome
from question_bank import importing
from question_bank.knowledge import seed_knowledge_points, set_parent, subtree_ids
from question_bank.models import KnowledgePoint, Question

GIFT = """$CATEGORY: 知识点测试

// [tag:响应时限] [tag:本单位自定]
::q1::一般故障的到达时限是多少？{=2小时 ~4小时 ~8小时}
"""


@pytest.fixture
def tree(db):
    seed_knowledge_points(Outcome("knowledge-points"))
    return {p.name: p for p in db.session.scalars(select(KnowledgePoint))}


def test_the_tree_has_the_guides_chapters_sections_and_points(tree):
    section = tree["3.3 服务响应与时效要求"]
    assert section.parent.name == "第3章 电力客户服务保障" and section.guide_section == "3.3"
    assert tree["响应时限"].parent_id == section.id
    assert tree["应急处理流程"].parent.guide_section == "6.3"
    assert set(subtree_ids(section)) == {section.id, tree["响应时限"].id, tree["服务评估"].id}


def test_an_unplaced_point_is_placed_but_a_placed_one_is_left_where_it_is(db):
    loose = KnowledgePoint(name="持证上岗", path="")
    moved = KnowledgePoint(name="响应时限", path="")
    db.session.add_all([loose, moved])
    db.session.flush()
    loose.path, moved.path = f"/{loose.id}/", f"/{moved.id}/"
    seed_knowledge_points(Outcome("knowledge-points"))
    assert loose.parent.guide_section == "3.1" and loose.path.count("/") == 4
    chapter_7 = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.guide_section == "7"))
    set_parent(moved, chapter_7)
    seed_knowledge_points(Outcome("knowledge-points"))
    assert moved.parent_id == chapter_7.id


@pytest.mark.parametrize("fmt", ["gift", "moodlexml", "xlsx"])
def test_imports_and_exports_carry_the_knowledge_points(tree, fmt):
    parsed = importing.parse_file(GIFT.encode(), "gift")
    importing.run_import(parsed, None, utcnow())
    question = db.session.scalar(select(Question).where(Question.stem_text.like("%一般故障%")))
    names = {p.name for p in question.tags}
    assert names == {"响应时限", "本单位自定"}
    assert (
        next(p for p in question.tags if p.name == "响应时限").id == tree["响应时限"].id
    )  # the tree's point
    assert next(p for p in question.tags if p.name == "本单位自定").parent_id is None  # a new root point
    exported = importing.export_questions(fmt, "知识点测试")
    again = importing.parse_file(exported, fmt)
    assert set(again.questions[0].tags) == {"响应时限", "本单位自定"}
