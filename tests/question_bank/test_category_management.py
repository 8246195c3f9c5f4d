"""Managing the category tree: rename, move with the subtree, delete (questions move first; refused with
subcategories or while a blueprint draws from it); scope and bad input change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from exams.models import BlueprintRule
from question_bank.categories import category_label, delete_category, move_category
from question_bank.errors import CategoryError
from question_bank.models import Category, Question
from tests import factories as people
from tests.access import assert_access
from tests.exams import factories as exam_factories
from tests.question_bank import factories


def _fresh(db, category: Category) -> Category:
    db.session.expire_all()
    return db.session.get(Category, category.id)


def test_rename_checks_siblings_and_slashes(client, login, db):
    service = factories.category("服务规范")
    factories.category("应急处置")
    login("trainer")
    url = f"/question-bank/categories/{service.id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"edit-name": "服务规范与礼仪", "edit-description": "第6章"})
    assert response.status_code == 302
    assert (_fresh(db, service).name, _fresh(db, service).description) == ("服务规范与礼仪", "第6章")
    for bad, message in (("应急处置", "already exists here"), ("a/b", "must not be empty or contain")):
        refused = client.post(url, data={"edit-name": bad})
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
        assert _fresh(db, service).name == "服务规范与礼仪"


def test_adding_a_taken_name_is_shown_beside_the_field_and_adds_nothing(client, login, db):
    factories.category("应急处置")
    login("trainer")
    refused = client.post("/question-bank/categories", data={"name": "应急处置", "parent_id": 0})
    assert refused.status_code == 400 and "already exists here" in refused.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(Category).where(Category.name == "应急处置")) == 1
    )


def test_move_carries_the_subtree_and_takes_the_new_owner(client, login, db):
    north = people.department("北区")
    top = factories.category("第3章")
    child = factories.category("3.1 服务渠道", parent=top)
    grandchild = factories.category("95598", parent=child)
    target = factories.category("北区题库", owner=north)
    question = factories.question(grandchild)
    login("trainer")
    response = client.post(f"/question-bank/categories/{child.id}/move", data={"move-parent_id": target.id})
    assert response.status_code == 302
    child, grandchild = _fresh(db, child), _fresh(db, grandchild)
    assert category_label(grandchild) == "北区题库/3.1 服务渠道/95598"
    assert child.path == f"{target.path}{child.id}/" and grandchild.path == f"{child.path}{grandchild.id}/"
    assert child.owner_department_id == grandchild.owner_department_id == north.id
    assert db.session.get(Question, question.id).category_id == grandchild.id
    # The filter by the moved category still finds the question (subtree by path).
    listing = client.get(f"/question-bank/?category={child.id}").get_data(as_text=True)
    assert "一般故障的响应时间" in listing
    # Back to the top level: the owner stays.
    client.post(f"/question-bank/categories/{child.id}/move", data={"move-parent_id": 0})
    assert category_label(_fresh(db, grandchild)) == "3.1 服务渠道/95598"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "Category")
        )
        >= 2
    )


def test_move_into_own_subtree_or_onto_a_name_clash_is_refused(client, login, db):
    top = factories.category("第6章")
    child = factories.category("6.4 培训", parent=top)
    factories.category("6.4 培训")  # a top-level namesake
    with pytest.raises(CategoryError, match="into itself"):
        move_category(top, child)
    with pytest.raises(CategoryError, match="into itself"):
        move_category(top, top)
    with pytest.raises(CategoryError, match="already exists here"):
        move_category(child, None)
    login("trainer")
    refused = client.post(f"/question-bank/categories/{top.id}/move", data={"move-parent_id": child.id})
    assert refused.status_code == 400 and "into itself" in refused.get_data(as_text=True)
    assert _fresh(db, top).parent_id is None and _fresh(db, child).path == f"{top.path}{child.id}/"


def test_delete_moves_questions_and_refuses_what_is_in_use(client, login, db):
    top = factories.category("第7章")
    child = factories.category("7.2 应急", parent=top)
    spare = factories.category("待整理")
    question = factories.question(child)
    child_id = child.id
    login("trainer")
    # Subcategories first.
    refused = client.post(f"/question-bank/categories/{top.id}/delete", data={"delete-move_to_id": spare.id})
    assert refused.status_code == 400 and "subcategories first" in refused.get_data(as_text=True)
    # Questions need a destination.
    refused = client.post(f"/question-bank/categories/{child.id}/delete", data={"delete-move_to_id": 0})
    assert refused.status_code == 400 and "holds 1 questions" in refused.get_data(as_text=True)
    # A blueprint rule drawing from it blocks the delete, naming the blueprint.
    blueprint = exam_factories.blueprint(draw=[{"count": 1, "category_id": child.id}])
    blueprint.title = "应急知识组卷"
    db.session.flush()
    refused = client.post(
        f"/question-bank/categories/{child.id}/delete", data={"delete-move_to_id": spare.id}
    )
    assert refused.status_code == 400 and "应急知识组卷" in refused.get_data(as_text=True)
    assert db.session.get(Question, question.id).category_id == child.id
    rule = db.session.scalar(select(BlueprintRule).where(BlueprintRule.category_id == child.id))
    db.session.delete(rule)
    db.session.flush()
    done = client.post(f"/question-bank/categories/{child.id}/delete", data={"delete-move_to_id": spare.id})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Category, child_id) is None
    assert db.session.get(Question, question.id).category_id == spare.id
    # An empty category goes without a destination.
    assert delete_category(_fresh(db, top)) == 0


def test_scope_other_branchs_category_and_destination_answer_404(client, login, db):
    north, south = people.department("北区"), people.department("南区")
    mine = factories.category("北区题库", owner=north)
    theirs = factories.category("南区题库", owner=south)
    login("trainer", scope=north)
    assert client.get(f"/question-bank/categories/{theirs.id}").status_code == 404
    assert client.post(f"/question-bank/categories/{theirs.id}/delete", data={}).status_code == 404
    moved = client.post(f"/question-bank/categories/{mine.id}/move", data={"move-parent_id": theirs.id})
    assert moved.status_code == 404
    assert _fresh(db, mine).parent_id is None
    assert db.session.get(Category, theirs.id) is not None


def test_manage_page_permissions(app, db):
    category = factories.category()
    assert_access(app, f"/question-bank/categories/{category.id}", ("trainer", "admin"))


def test_shared_categories_are_restructured_only_company_wide(client, login, db):
    """A scoped trainer uses shared categories but cannot rename, move or delete them: moving one under
    their own branch's category would hide it, with its questions, from every other branch."""
    north = people.department("北区")
    shared = factories.category("共享题库")
    mine = factories.category("北区题库", owner=north)
    login("trainer", scope=north)
    assert client.get(f"/question-bank/categories/{shared.id}").status_code == 403
    assert (
        client.post(
            f"/question-bank/categories/{shared.id}/move", data={"move-parent_id": mine.id}
        ).status_code
        == 403
    )
    assert client.post(f"/question-bank/categories/{shared.id}/delete", data={}).status_code == 403
    assert _fresh(db, shared).parent_id is None and _fresh(db, shared).owner_department_id is None
    listing = client.get("/question-bank/categories").get_data(as_text=True)
    assert f"/question-bank/categories/{mine.id}" in listing
    assert f"/question-bank/categories/{shared.id}" not in listing
    assert client.get(f"/question-bank/categories/{mine.id}").status_code == 200


def test_another_branchs_private_questions_do_not_count_as_duplicates(db):
    """A scoped trainer's import neither learns of nor skips a question that only exists in another
    branch's private category."""
    from core.models import utcnow
    from question_bank.importing import parse_file, preview, run_import

    north, south = people.department("北区"), people.department("南区")
    theirs = factories.category("南区题库", owner=south)
    factories.question(theirs, factories.single_data(stem="一般故障抢修人员到达现场的时限是？"))
    trainer = people.user(grants=[("trainer", north)])
    gift = "::q1:: 一般故障抢修人员到达现场的时限是？{=2小时 ~4小时 ~8小时}\n".encode()
    parsed = parse_file(gift, "gift")
    assert preview(parsed, "北区导入", trainer).duplicates == []
    assert len(preview(parsed, "北区导入").duplicates) == 1  # an admin's (unfiltered) view sees it
    counts = run_import(parsed, trainer, utcnow(), base_path="北区导入", owner_department_id=north.id)
    assert (counts["created"], counts["skipped_duplicates"]) == (1, 0), counts
