"""What a candidate reads in Chinese on the exam page and the result page (issue 13 copy fixes)."""

import datetime as dt

from core.models import utcnow
from exams.models import AudienceKind, ExamAudience
from tests.exams import factories as f

ZH = {"Accept-Language": "zh-CN"}


def _started_attempt(client, login, db, **fields):
    now = utcnow()
    exam = f.exam(
        f.blueprint([f.question("single"), f.question("truefalse")]),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=5),
        **fields,
    )
    user = login()
    exam.audience.append(ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=user.employee_id))
    db.session.flush()
    return client.post(f"/api/exams/{exam.id}/start").get_json()["attempt_id"]


def test_the_offline_notice_says_the_answers_are_kept_and_saved_not_handed_in(client, login, db):
    attempt_id = _started_attempt(client, login, db)
    page = client.get(f"/exams/attempts/{attempt_id}", headers=ZH).get_data(as_text=True)
    assert "网络已断开" in page
    assert "自动提交" not in page  # 提交 here would read as handing in the paper
    assert "网络恢复后自动保存" in page


def test_the_result_page_reviews_the_answers_under_答卷回顾(client, login, db):
    attempt_id = _started_attempt(client, login, db, show_answers=True)
    client.post(f"/api/exams/attempts/{attempt_id}/submit")
    page = client.get(f"/exams/attempts/{attempt_id}/result", headers=ZH).get_data(as_text=True)
    assert "答卷回顾" in page
    assert "审核" not in page
