"""The employee's to-do list (issue 25 §3): one list from every package, by date, in words an employee
reads correctly, each item linking to where it is done; only one's own."""

import datetime as dt

from core.models import utcnow
from core.todo import todo_for
from drills import roles
from tests import factories
from tests.todo.builders import NOW, everything_to_do, upcoming_drill_role


def test_every_kind_of_item_in_date_order(db):
    user = factories.user()
    built = everything_to_do(user)
    items = todo_for(user, NOW)
    assert [i.source for i in items] == [
        "drills.actions",  # overdue since two days
        "incentives.appeals",  # answered two days ago
        "training.sessions",  # tomorrow
        "exams.exams",  # closes in two days
        "drills.roles",  # in four days
        "training.certificates",  # expires in about twenty days
    ]
    words = {i.source: str(i.status) for i in items}
    assert words == {
        "drills.actions": "逾期",
        "incentives.appeals": "申诉已驳回",
        "training.sessions": "已报名，即将开始",
        "exams.exams": "进行中",
        "drills.roles": "即将开始",
        "training.certificates": "即将到期",
    }
    links = {i.source: i.link for i in items}
    assert links["drills.roles"] == f"/drills/{built['drill'].id}/my-role"
    assert links["exams.exams"] == f"/exams/{built['exam'].id}"
    assert links["training.sessions"] == f"/training/sessions/{built['session'].id}"
    assert links["drills.actions"] == f"/drills/actions/{built['action'].id}"
    assert links["incentives.appeals"] == f"/incentives/appeals/{built['appeal'].id}"


def test_done_things_leave_the_list(db):
    user = factories.user()
    drill = upcoming_drill_role(user)
    assert [i.source for i in todo_for(user, NOW)] == ["drills.roles"]
    roles.confirm_role(drill, user.employee, NOW)
    assert todo_for(user, NOW) == []
    # someone else's items never show
    other = factories.user()
    upcoming_drill_role(other)
    assert todo_for(user, NOW) == []


def test_dashboard_lists_the_items_with_their_links(client, login, db):
    user = login()
    built = everything_to_do(user, utcnow())
    page = client.get("/").get_data(as_text=True)
    card = page.split('data-card="core.todo"')[1].split("data-card=")[0]
    assert "我的待办" in card
    for link in (
        f"/drills/{built['drill'].id}/my-role",
        f"/exams/{built['exam'].id}",
        f"/training/sessions/{built['session'].id}",
    ):
        assert f'href="{link}"' in card
    assert card.index("更新应急通讯录") < card.index(built["session"].title)
    assert "已批准" not in card and "已通过" not in card


def test_to_do_page_is_ones_own(client, login, db):
    other = factories.user()
    upcoming_drill_role(other, now=utcnow())
    login()
    page = client.get("/todo").get_data(as_text=True)
    assert "目前没有待办事项" in page and "测试演练" not in page


def test_nothing_to_do_says_so(client, login, db):
    login()
    card = client.get("/").get_data(as_text=True).split('data-card="core.todo"')[1]
    assert "目前没有待办事项" in card


def test_an_exam_leaves_the_list_once_taken(db):
    from exams import runtime
    from tests.exams import factories as exams_f

    user = factories.user()
    exam = exams_f.exam(
        audience_employees=[user.employee],
        opens_at=NOW - dt.timedelta(hours=1),
        closes_at=NOW + dt.timedelta(days=1),
    )
    [item] = todo_for(user, NOW)
    assert item.source == "exams.exams"
    attempt = runtime.start_attempt(exam, user.employee, NOW)
    [item] = todo_for(user, NOW)
    assert str(item.status) == "作答中"
    runtime.submit_attempt(attempt, NOW + dt.timedelta(minutes=10))
    assert todo_for(user, NOW + dt.timedelta(minutes=11)) == []
