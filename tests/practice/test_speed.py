"""What one practice answer and one next-question page cost in SQL statements (issue 17 §5: an answer
p95 < 100 ms with 200 people practising). Deterministic, so a busy machine cannot blur it: the counts are
pinned, and a change that adds a statement per answer fails here (docs/practice.md, speed)."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import event

from core.extensions import db
from core.models import utcnow
from practice.models import PracticeRun
from tests.exams import factories as exam_factories
from tests.practice.helpers import open_bank, right, wrong

PRINT = os.environ.get("PRACTICE_SQL_PRINT")


class Statements:
    def __init__(self):
        self.sql: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._count)
        if PRINT:
            print(f"\n--- {len(self.sql)} statements")
            for s in self.sql:
                print("  ", " ".join(s.split())[:160])

    def _count(self, _conn, _cursor, statement, *_args):
        self.sql.append(statement)


def _busy_bank():
    """An open bank of 30 questions, and two exams open now for the learner (their questions are blocked)."""
    _cat, _kp, questions = open_bank(30)
    now = utcnow()
    window = {"opens_at": now - dt.timedelta(hours=1), "closes_at": now + dt.timedelta(hours=2)}
    exams = [exam_factories.exam(exam_factories.blueprint([questions[-1 - i]]), **window) for i in range(2)]
    return questions, exams


def test_an_answer_and_the_next_question_cost_a_fixed_number_of_statements(client, login, db):
    questions, exams = _busy_bank()
    user = login()
    for exam in exams:
        exam.audience.append(
            exam_factories.ExamAudience(kind=exam_factories.AudienceKind.EMPLOYEE, target_id=user.employee_id)
        )
    db.session.commit()
    run_url = client.post("/practice/start", data={"mode": "sequential", "size": "20"}).headers["Location"]
    run_id = int(run_url.rstrip("/").split("/")[-1])
    counts = []
    for position in range(3):
        db.session.expire_all()
        items = db.session.get(PracticeRun, run_id).items
        question = next(q for q in questions if q.id == items[position][0])
        db.session.commit()
        with Statements() as page:
            assert client.get(run_url).status_code == 200
        response = (wrong if position % 2 else right)(question)
        with Statements() as answer:
            reply = client.post(
                f"/practice/runs/{run_id}/answer", json={"position": position, "response": response}
            )
            assert reply.status_code == 200 and "html" in reply.get_json()
        counts.append((len(page.sql), len(answer.sql)))
    # Measured (savepoint and release included): the page 8 (21 before the blocked set was cached per person
    # and the check, the version and the favourite were read in one statement; 26 before that), the answer
    # 11, or 13 on the answer that makes the mastery known on the question's three points (one multi-row
    # upsert of the department's sums, and the incentives rule lookup that a known mastery triggers); 15 and
    # 18 before the mistake book, mastery and department sums were written without loading rows.
    pages, answers = zip(*counts, strict=True)
    assert max(pages) <= 8, counts
    assert max(answers) <= 13 and min(answers) <= 11, counts
