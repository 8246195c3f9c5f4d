"""Issue 15 §3: enemy groups (互斥题组) are proposed by the lint from key leaks, confirmed by trainers, respected
when papers are drawn, and a blueprint rule they leave short is named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.auth import Role
from core.models import utcnow
from exams import papers
from exams.errors import ExamError
from question_bank import enemies
from question_bank.models import EnemyGroup, EnemyGroupStatus
from tests import factories as base
from tests.exams import factories as f

LEAKED = "<p>一般故障的响应时间不超过多少？</p>"


def _pair():
    """Two published single-choice questions; the second's stem prints the first's key (选项甲N)."""
    leaked = f.question("single", stem=LEAKED, chapter=6)
    key = leaked.current_version.options[0]["html"]
    printer = f.question("single", stem=f"<p>报修后{key}内必须响应吗？</p>", chapter=6)
    return leaked, printer


@pytest.fixture
def trainer(db):
    return base.user(grants=[(Role.TRAINER, None)])


def test_proposals_confirm_merge_and_dismiss(db, trainer):
    leaked, printer = _pair()
    (proposal,) = enemies.proposals(trainer)
    assert (proposal.leaked.id, proposal.printer.id) == (leaked.id, printer.id)
    group = enemies.confirm([leaked, printer], trainer, utcnow())
    assert enemies.proposals(trainer) == []
    third = f.question("single", chapter=6)
    merged = enemies.confirm([printer, third], trainer, utcnow())
    assert merged.id == group.id and {q.id for q in merged.questions} == {leaked.id, printer.id, third.id}
    other_a, other_b = _pair()
    enemies.dismiss([other_a, other_b], trainer, utcnow())
    assert enemies.proposals(trainer) == []
    assert enemies.confirmed_groups([other_a.id, third.id]) == {third.id: group.id}


def test_removing_the_last_but_one_member_deletes_the_group(db, trainer):
    leaked, printer = _pair()
    group = enemies.confirm([leaked, printer], trainer, utcnow())
    enemies.remove_member(group, printer)
    assert (
        db.session.scalar(select(EnemyGroup).where(EnemyGroup.status == EnemyGroupStatus.CONFIRMED)) is None
    )


def test_a_paper_never_holds_two_questions_of_a_confirmed_group(db, trainer):
    leaked, printer = _pair()
    free = [f.question("single", chapter=6) for _ in range(3)]
    blueprint = f.blueprint(draw=[{"count": 4, "chapters": [6], "types": ["single"]}])
    assert any(
        {leaked.id, printer.id} <= {d.question.id for d in papers.draw_paper(blueprint, s)} for s in range(40)
    )
    enemies.confirm([leaked, printer], trainer, utcnow())
    for seed in range(40):
        drawn = {d.question.id for d in papers.draw_paper(blueprint, seed)}
        assert len(drawn) == 4 and not {leaked.id, printer.id} <= drawn
        assert drawn == {d.question.id for d in papers.draw_paper(blueprint, seed)}  # same seed, same paper
    assert len(free) == 3


def test_a_rule_the_groups_leave_short_is_named_and_cannot_draw(db, trainer):
    leaked, printer = _pair()
    f.question("single", chapter=6)
    blueprint = f.blueprint(draw=[{"count": 3, "chapters": [6], "types": ["single"]}])
    assert papers.validate_blueprint(blueprint) == []
    enemies.confirm([leaked, printer], trainer, utcnow())
    (problem,) = papers.validate_blueprint(blueprint)
    assert "enemy groups let at most 2" in problem
    with pytest.raises(ExamError, match="Enemy groups leave too few"):
        papers.draw_paper(blueprint, 1)


def test_the_page_confirms_a_proposal_and_refuses_questions_outside_scope(client, login, db):
    leaked, printer = _pair()
    user = login("trainer")
    page = client.get("/question-bank/enemy-groups").get_data(as_text=True)
    assert f"#{leaked.id}" in page and f"#{printer.id}" in page and 'data-testid="enemy-proposals"' in page
    response = client.post(
        "/question-bank/enemy-groups/confirm", data={"question_id": [str(leaked.id), str(printer.id)]}
    )
    assert response.status_code == 302
    assert enemies.confirmed_groups([leaked.id]) and user is not None
    assert (
        client.post(
            "/question-bank/enemy-groups/confirm", data={"question_id": [str(leaked.id), "999999"]}
        ).status_code
        == 404
    )


def test_the_page_is_for_the_bank_roles(client, login, db):
    login("employee")
    assert client.get("/question-bank/enemy-groups").status_code == 403
