"""Editing a paper blueprint: sections renamed, moved and deleted, rules moved and removed, title
edited, a copy made; the structure locked once candidates have sat an exam drawn from it; IDOR and scope."""

import datetime as dt

from sqlalchemy import func, select

from core.audit import AuditEntry
from core.models import utcnow
from exams import papers, runtime
from exams.models import BlueprintRule, BlueprintSection, PaperBlueprint
from tests import factories as base
from tests.access import assert_access
from tests.exams import factories as f


def _two_sections():
    """A blueprint with sections 一 (fixed q1, fixed q2) and 二 (fixed q3)."""
    q1, q2, q3 = f.question("single"), f.question("truefalse"), f.question("single")
    bp = f.blueprint([q1, q2])
    papers.add_section(bp, "二、判断题")
    papers.add_rule(bp.sections[1], kind="fixed", question_id=q3.id, points=2)
    bp.sections[0].title = "一、单选题"
    return bp, (q1, q2, q3)


def _layout(bp: PaperBlueprint) -> list[tuple[str, list[int | None]]]:
    from core.extensions import db

    db.session.expire_all()
    bp = db.session.get(PaperBlueprint, bp.id)
    return [(s.title, [r.question_id for r in s.rules]) for s in bp.sections]


def test_sections_and_rules_can_be_reordered_renamed_and_deleted(client, login, db):
    bp, (q1, q2, q3) = _two_sections()
    login("trainer")
    first, second = bp.sections
    url = f"/exams/manage/blueprints/{bp.id}"

    response = client.post(f"{url}/sections/{second.id}/move/up")
    assert response.status_code == 302
    assert _layout(bp) == [("二、判断题", [q3.id]), ("一、单选题", [q1.id, q2.id])]

    rule_q2 = db.session.scalar(select(BlueprintRule).where(BlueprintRule.question_id == q2.id))
    client.post(f"{url}/rules/{rule_q2.id}/move/up")
    assert _layout(bp)[1] == ("一、单选题", [q2.id, q1.id])
    client.post(f"{url}/rules/{rule_q2.id}/move/up")  # already first: nothing changes
    assert _layout(bp)[1] == ("一、单选题", [q2.id, q1.id])

    client.post(f"{url}/sections/{first.id}/rename", data={f"s{first.id}-title": "一、基础知识"})
    assert _layout(bp)[1][0] == "一、基础知识"
    # A blank title is refused with a message and changes nothing.
    page = client.post(
        f"{url}/sections/{first.id}/rename", data={f"s{first.id}-title": "  "}, follow_redirects=True
    )
    assert "Give the section a title" in page.get_data(as_text=True)
    assert _layout(bp)[1][0] == "一、基础知识"

    # The drawn paper follows the new order.
    paper = papers.draw_paper(db.session.get(PaperBlueprint, bp.id), 7)
    assert [item.question.id for item in paper] == [q3.id, q2.id, q1.id]

    client.post(f"{url}/rules/{rule_q2.id}/delete")
    assert _layout(bp)[1] == ("一、基础知识", [q1.id])
    positions = db.session.scalars(
        select(BlueprintRule.position).where(BlueprintRule.section_id == first.id)
    ).all()
    assert positions == [1]

    client.post(f"{url}/sections/{second.id}/delete")
    assert _layout(bp) == [("一、基础知识", [q1.id])]
    assert db.session.scalar(select(BlueprintSection.position).where(BlueprintSection.id == first.id)) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(BlueprintRule).where(BlueprintRule.question_id == q3.id)
        )
        == 0
    )
    # Every change is in the audit log (automatic entries for the rows changed).
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "BlueprintSection")
        )
        >= 3
    )


def test_title_edit(client, login, db):
    bp, _questions = _two_sections()
    login("trainer")
    assert client.get(f"/exams/manage/blueprints/{bp.id}/edit").status_code == 200
    response = client.post(
        f"/exams/manage/blueprints/{bp.id}/edit",
        data={"title": "2026年客服专员上岗考试组卷", "description": "第三章", "owner_department_id": 0},
    )
    assert response.status_code == 302
    db.session.refresh(bp)
    assert (bp.title, bp.description) == ("2026年客服专员上岗考试组卷", "第三章")
    refused = client.post(
        f"/exams/manage/blueprints/{bp.id}/edit", data={"title": "", "owner_department_id": 0}
    )
    assert refused.status_code == 200 and "This field is required" in refused.get_data(as_text=True)
    db.session.refresh(bp)
    assert bp.title == "2026年客服专员上岗考试组卷"


def test_structure_locks_once_sat_and_a_copy_is_editable(client, login, db):
    bp, (q1, q2, q3) = _two_sections()
    now = utcnow()
    exam = f.exam(bp, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=1))
    assert not papers.blueprint_attempted(bp)
    runtime.start_attempt(exam, f.candidate(exam).employee, now)
    assert papers.blueprint_attempted(bp)
    login("trainer")
    url = f"/exams/manage/blueprints/{bp.id}"
    before = _layout(bp)
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="locked"' in page and "Add a rule" not in page and "Delete section" not in page
    first, second = db.session.get(PaperBlueprint, bp.id).sections
    rule = first.rules[0]
    for path, data in (
        (f"{url}/sections/{second.id}/move/up", {}),
        (f"{url}/sections/{first.id}/rename", {f"s{first.id}-title": "改名"}),
        (f"{url}/sections/{first.id}/delete", {}),
        (f"{url}/rules/{rule.id}/move/down", {}),
        (f"{url}/rules/{rule.id}/delete", {}),
        (f"{url}/sections", {"section-title": "三、新增"}),
        (
            f"{url}/rules",
            {
                "rule-section_id": first.id,
                "rule-kind": "fixed",
                "rule-question_id": q3.id,
                "rule-points": "1",
            },
        ),
    ):
        response = client.post(path, data=data, follow_redirects=True)
        assert response.status_code == 200, path
        assert "can no longer change" in response.get_data(as_text=True), path
        assert _layout(bp) == before, path
    # The title is not part of the paper: it stays editable.
    client.post(f"{url}/edit", data={"title": "已使用的组卷", "owner_department_id": 0})
    db.session.expire_all()
    assert db.session.get(PaperBlueprint, bp.id).title == "已使用的组卷"

    copied = client.post(f"{url}/copy")
    assert copied.status_code == 302
    copy_id = int(copied.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    copy = db.session.get(PaperBlueprint, copy_id)
    assert copy.title == "已使用的组卷 (copy)"
    assert _layout(copy) == before
    assert not papers.blueprint_attempted(copy)
    assert "Add a rule" in client.get(f"/exams/manage/blueprints/{copy_id}").get_data(as_text=True)
    client.post(f"/exams/manage/blueprints/{copy_id}/sections/{copy.sections[0].id}/delete")
    assert _layout(copy) == before[1:]
    assert _layout(bp) == before


def test_other_blueprints_parts_and_other_branches_answer_404(client, login, db):
    bp, _questions = _two_sections()
    other, _ = _two_sections()
    mine, elsewhere = base.department("城东"), base.department("江北")
    foreign = f.blueprint([f.question("single")])
    foreign.owner_department_id = elsewhere.id
    db.session.flush()
    login("trainer", scope=mine)
    foreign_section = foreign.sections[0]
    assert (
        client.post(f"/exams/manage/blueprints/{foreign.id}/sections/{foreign_section.id}/delete").status_code
        == 404
    )
    assert client.get(f"/exams/manage/blueprints/{foreign.id}/edit").status_code == 404
    assert client.post(f"/exams/manage/blueprints/{foreign.id}/copy").status_code == 404
    assert db.session.get(BlueprintSection, foreign_section.id) is not None
    # A section or rule of blueprint B addressed through blueprint A (both unscoped here).
    login("trainer")
    other_section = other.sections[0]
    assert (
        client.post(f"/exams/manage/blueprints/{bp.id}/sections/{other_section.id}/delete").status_code == 404
    )
    assert (
        client.post(f"/exams/manage/blueprints/{bp.id}/rules/{other_section.rules[0].id}/move/up").status_code
        == 404
    )
    assert (
        client.post(
            f"/exams/manage/blueprints/{bp.id}/sections/{bp.sections[0].id}/move/sideways"
        ).status_code
        == 404
    )


def test_edit_page_permissions(app, db):
    bp, _questions = _two_sections()
    assert_access(app, f"/exams/manage/blueprints/{bp.id}/edit", ("trainer", "admin"))


def test_blueprint_forms_need_csrf(app, client, login, db, request):
    bp, _questions = _two_sections()
    login("trainer")
    section = bp.sections[1]
    request.getfixturevalue("csrf_enabled")  # from here on: the sign-in above posted no token
    response = client.post(f"/exams/manage/blueprints/{bp.id}/sections/{section.id}/delete")
    assert response.status_code == 400
    assert db.session.get(BlueprintSection, section.id) is not None


def test_a_scoped_trainers_blueprint_never_takes_another_branchs_questions(client, login, db):
    """Fixed questions and draw categories must be visible to the trainer in the bank, and a blueprint
    owned by a branch draws only from shared categories and its own (the preview shows keys)."""
    from question_bank.categories import create_category

    east, north = base.department("城东"), base.department("江北")
    shared = create_category("共享题库", None)
    east_cat = create_category("城东题库", None, owner_department_id=east.id)
    north_cat = create_category("江北题库", None, owner_department_id=north.id)
    mine = [f.question("single", stem=f"<p>城东题{i}</p>", cat=east_cat) for i in range(2)]
    common = f.question("single", stem="<p>共享题</p>", cat=shared)
    private = f.question("single", stem="<p>NORTH-PRIVATE-STEM</p>", cat=north_cat)
    login("trainer", scope=east)
    created = client.post(
        "/exams/manage/blueprints/new", data={"title": "城东组卷", "owner_department_id": east.id}
    )
    blueprint = db.session.get(PaperBlueprint, int(created.headers["Location"].rsplit("/", 1)[1]))
    section = blueprint.sections[0]
    url = f"/exams/manage/blueprints/{blueprint.id}/rules"
    fixed = {"rule-section_id": section.id, "rule-kind": "fixed", "rule-points": "1", "rule-category_id": 0}
    refused = client.post(url, data={**fixed, "rule-question_id": private.id})
    assert refused.status_code == 400 and f"Question #{private.id} does not exist" in refused.get_data(
        as_text=True
    )
    draw = {"rule-section_id": section.id, "rule-kind": "draw", "rule-count": "3", "rule-points": "1"}
    hidden = client.post(url, data={**draw, "rule-category_id": north_cat.id})  # not even offered
    assert hidden.status_code == 400 and "Not a valid choice" in hidden.get_data(as_text=True)
    page = client.get(f"/exams/manage/blueprints/{blueprint.id}").get_data(as_text=True)
    assert "江北题库" not in page
    db.session.expire_all()
    assert db.session.get(PaperBlueprint, blueprint.id).sections[0].rules == []
    # "Any category" for a branch's blueprint: the shared and the branch's own questions, 3 of them.
    assert client.post(url, data={**draw, "rule-category_id": 0}).status_code == 302
    db.session.expire_all()
    rule = db.session.get(PaperBlueprint, blueprint.id).sections[0].rules[0]
    assert papers.available_count(rule) == 3
    drawn = {q.question.id for q in papers.draw_paper(db.session.get(PaperBlueprint, blueprint.id), 5)}
    assert drawn == {mine[0].id, mine[1].id, common.id}
    preview = client.get(f"/exams/manage/blueprints/{blueprint.id}/preview?seed=5").get_data(as_text=True)
    assert "NORTH-PRIVATE-STEM" not in preview
