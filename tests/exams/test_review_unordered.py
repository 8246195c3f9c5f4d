"""The review of an attempt (the candidate's result page, the owner's and marker's view of the attempt)
says which blanks of a fill-in question may be answered in any order, in the reader's language: a
candidate who wrote the list in another order sees why it counted."""

import datetime as dt

from core.models import utcnow
from exams import runtime
from tests import factories as base
from tests.exams import factories as f

HOUR = dt.timedelta(hours=1)
KEY = {
    "blanks": [["保命线"], ["保民生"], ["保重要用户"]],
    "unordered": [[1, 2]],
    "case_sensitive": False,
    "ignore_punctuation": True,
}


def _sat_in_another_order():
    now = utcnow()
    listed = f.question("fill", stem="<p>{{1}}、{{2}}，然后{{3}}</p>", key=KEY, points="3")
    plain = f.question("fill", points="2")  # no group: nothing to say
    exam = f.exam(
        f.blueprint([listed, plain]),
        opens_at=now - 5 * HOUR,
        closes_at=now + HOUR,
        results_release="immediate",
    )
    user = f.candidate(exam)
    attempt = runtime.start_attempt(exam, user.employee, now - 2 * HOUR)
    position = next(i.position for i in attempt.items if i.qtype == "fill" and i.points == 3)
    answer = {"blanks": ["保民生", "保命线", "保重要用户"]}  # the group's two in the other order
    runtime.save_answer(attempt.id, user.employee_id, position, 1, answer, now - 2 * HOUR)
    runtime.submit_attempt(attempt, now - 2 * HOUR)
    return exam, user, attempt, position


def test_the_candidates_review_says_which_blanks_go_in_any_order(signed_in, db):
    _exam, user, attempt, position = _sat_in_another_order()
    assert next(i.mark for i in attempt.items if i.position == position) == 3  # counted in the other order
    page = signed_in(user).get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert page.count("Blanks 1、2 may be answered in any order.") == 1  # the listed question only


def test_it_reads_in_chinese(signed_in, db):
    _exam, user, attempt, _position = _sat_in_another_order()
    client = signed_in(user)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "第 1、2 空可按任意顺序作答。" in page and "may be answered in any order" not in page


def test_the_owners_and_markers_view_of_the_attempt_says_it_too(signed_in, db):
    exam, _user, attempt, _position = _sat_in_another_order()
    staff = signed_in(base.user(grants=[("trainer", None)]))
    review = staff.get(f"/exams/manage/{exam.id}/attempts/{attempt.id}").get_data(as_text=True)
    assert review.count("Blanks 1、2 may be answered in any order.") == 1
