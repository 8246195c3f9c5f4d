"""Review before use (审核, issue 15 §5): the two-person rule, the queue, send-back comments, certification
papers that take only approved questions, item statistics that flag weak items, imports and the starter
bank."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db as database
from core.models import utcnow
from core.notifications import Notification
from exams import item_review, papers
from exams import services as exam_services
from exams.errors import ExamError
from exams.models import Attempt, AttemptItem, AttemptStatus, ExamPurpose
from question_bank import importing, review, services
from question_bank.errors import QuestionError
from question_bank.formats import ParseResult
from question_bank.models import Question, QuestionReview, QuestionStatus, ReviewStatus
from tests import factories as people
from tests.exams import factories as xf
from tests.question_bank import factories


def _trainer(scope=None):
    return people.user(grants=[("trainer", scope)])


def _draft(author, cat=None, stem=None):
    return factories.question(cat, factories.single_data(stem), status="published", author=author)


# ---------------------------------------------------------------- the two-person rule


def test_a_new_question_is_a_draft_for_review_and_its_author_cannot_approve_it(db):
    author = _trainer()
    question = _draft(author)
    assert question.review_status == ReviewStatus.DRAFT
    with pytest.raises(QuestionError) as refused:
        review.approve(question, author, utcnow())
    assert refused.value.status == 403
    assert question.review_status == ReviewStatus.DRAFT
    assert question.current_version.approved_at is None


def test_the_author_of_the_current_version_cannot_approve_it_either(db):
    author, editor, third = _trainer(), _trainer(), _trainer()
    question = _draft(author)
    review.approve(question, editor, utcnow())
    data = services.version_data(question.current_version, question)
    data.explanation = "改写后的解析"
    services.edit_question(question, data, editor, utcnow())
    assert question.review_status == ReviewStatus.DRAFT  # the edit waits for review again
    with pytest.raises(QuestionError):
        review.approve(question, editor, utcnow())
    review.approve(question, third, utcnow())
    assert question.review_status == ReviewStatus.APPROVED


def test_approval_records_who_and_when_on_the_version(db):
    author, reviewer = _trainer(), _trainer()
    question = _draft(author)
    now = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)
    review.approve(question, reviewer, now)
    version = question.current_version
    assert (version.created_by_id, version.approved_by_id, version.approved_at) == (author.id, reviewer.id, now)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "question_bank.review_approved"))


def test_editing_an_approved_question_makes_a_new_version_for_review_and_keeps_the_old_approval(db):
    author, reviewer = _trainer(), _trainer()
    question = _draft(author)
    review.approve(question, reviewer, utcnow())
    first = question.current_version
    data = services.version_data(first, question)
    data.stem_html = "改过的题干？"
    services.edit_question(question, data, author, utcnow())
    assert question.current_version.number == 2 and question.current_version.approved_at is None
    assert first.approved_by_id == reviewer.id
    assert question.review_status == ReviewStatus.DRAFT


def test_send_back_needs_a_comment_and_tells_the_author(db):
    author, reviewer = _trainer(), _trainer()
    question = _draft(author)
    with pytest.raises(QuestionError):
        review.send_back(question, reviewer, "  ", utcnow())
    assert question.review_status == ReviewStatus.DRAFT
    review.send_back(question, reviewer, "选项C与题干矛盾", utcnow())
    assert question.review_status == ReviewStatus.RETURNED
    notice = db.session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert notice is not None and notice.kind == "question_bank.review" and "选项C与题干矛盾" in notice.body
    # A question sent back is not waiting for review: nobody approves it until its author edits it.
    with pytest.raises(QuestionError):
        review.approve(question, _trainer(), utcnow())
    data = services.version_data(question.current_version, question)
    data.explanation = "已按意见修改"
    services.edit_question(question, data, author, utcnow())
    assert question.review_status == ReviewStatus.DRAFT


# ---------------------------------------------------------------- pages


def test_queue_and_decisions_through_the_pages(client, login, db):
    author = _trainer()
    question = _draft(author, stem="审核队列里的题？")
    login(user=author)
    page = client.get("/question-bank/review").get_data(as_text=True)
    assert "审核队列里的题" in page.split('id="mine-waiting"')[1]
    refused = client.post(f"/question-bank/{question.id}/review", data={"approve": "1"}, follow_redirects=True)
    assert "a second trainer must review it" in refused.get_data(as_text=True)
    database.session.refresh(question)
    assert question.review_status == ReviewStatus.DRAFT
    client.post("/logout")

    reviewer = login("trainer")
    page = client.get("/question-bank/review").get_data(as_text=True)
    assert "审核队列里的题" in page.split('id="to-review"')[1].split('id="flagged"')[0]
    answer = client.post(f"/question-bank/{question.id}/review", data={"send_back": "1", "comment": ""})
    assert answer.status_code == 400 and "comment is required" in answer.get_data(as_text=True)
    database.session.refresh(question)
    assert question.review_status == ReviewStatus.DRAFT
    answer = client.post(
        f"/question-bank/{question.id}/review", data={"send_back": "1", "comment": "请核对时限出处"}
    )
    database.session.refresh(question)
    assert answer.status_code == 302 and question.review_status == ReviewStatus.RETURNED
    client.post("/logout")

    login(user=author)
    shown = client.get(f"/question-bank/{question.id}").get_data(as_text=True)
    assert "请核对时限出处" in shown and reviewer.display_name in shown
    assert "请核对时限出处" in client.get("/question-bank/review").get_data(as_text=True)


def test_a_trainer_of_another_department_gets_404(client, login, db):
    north, south = people.department("北区"), people.department("南区")
    author = _trainer(north)
    question = _draft(author, factories.category("北区题库", owner=north))
    login("trainer", scope=south)
    assert client.post(f"/question-bank/{question.id}/review", data={"approve": "1"}).status_code == 404
    assert "北区题库" not in client.get("/question-bank/review").get_data(as_text=True)
    database.session.refresh(question)
    assert question.review_status == ReviewStatus.DRAFT


def test_the_page_shows_author_and_approver_of_each_version(client, login, db):
    author, reviewer = _trainer(), _trainer()
    question = _draft(author)
    review.approve(question, reviewer, utcnow())
    login("trainer")
    page = client.get(f"/question-bank/{question.id}").get_data(as_text=True)
    assert author.display_name in page and reviewer.display_name in page


# ---------------------------------------------------------------- certification papers


def _cert_exam(bp, **fields):
    return xf.exam(bp, purpose=ExamPurpose.CERTIFICATION, **fields)


def test_a_certification_draw_takes_only_approved_questions(db):
    cat = xf.category()
    approved = [xf.question("single", cat=cat) for _ in range(3)]
    drafts = [xf.question("single", cat=cat, review_status="draft") for _ in range(3)]
    bp = xf.blueprint(draw=[{"count": 3, "category_id": cat.id}])
    cert = _cert_exam(bp)
    assessment = xf.exam(bp, purpose=ExamPurpose.ASSESSMENT)
    cert_pool = {v for ids in papers.bank_pool(bp, papers.is_certification(cert)).values() for v in ids}
    assert cert_pool == {q.current_version_id for q in approved}
    for seed in range(20):
        drawn = papers.draw_paper(bp, seed, certified=True)
        assert {d.question.id for d in drawn} == {q.id for q in approved}
    open_pool = {v for ids in papers.bank_pool(bp, papers.is_certification(assessment)).values() for v in ids}
    assert open_pool == {q.current_version_id for q in approved + drafts}


def test_an_exam_granting_a_qualification_counts_as_certification(db):
    exam = xf.exam(purpose=ExamPurpose.ASSESSMENT, certificate_type_id=None)
    assert not papers.is_certification(exam)
    exam.purpose = ExamPurpose.CERTIFICATION
    assert papers.is_certification(exam)


def test_publishing_a_certification_exam_with_an_unapproved_fixed_question_is_refused_naming_it(db):
    trainer = _trainer()
    ok = xf.question("single")
    draft = xf.question("single", review_status="draft", stem="<p>未审核的固定题</p>")
    draft.name = "未审核的固定题"
    exam = _cert_exam(xf.blueprint([ok, draft]))
    with pytest.raises(ExamError) as refused:
        exam_services.check_exam(exam, trainer)
    assert f"#{draft.id}" in str(refused.value) and "未审核的固定题" in str(refused.value)
    assert f"#{ok.id}" not in str(refused.value)
    exam.purpose = ExamPurpose.ASSESSMENT  # an ordinary exam may use it
    exam_services.check_exam(exam, trainer)


def test_a_flagged_question_leaves_certification_draws(db):
    cat = xf.category()
    question = xf.question("single", cat=cat)
    bp = xf.blueprint(draw=[{"count": 1, "category_id": cat.id}])
    assert papers.bank_pool(bp, True)[str(bp.sections[0].rules[0].id)] == [question.current_version_id]
    review.flag(question, {"responses": 30, "facility": 0.99, "discrimination": 0.3}, utcnow())
    assert papers.bank_pool(bp, True)[str(bp.sections[0].rules[0].id)] == []
    assert papers.validate_blueprint(bp, certified=True)


# ---------------------------------------------------------------- item statistics


def _responses(question, rows, *, since=None):
    """Graded attempts of a one-question-plus-rest paper: ``rows`` of (item mark, rest-of-test mark)."""
    version = question.current_version
    version.approved_at = since or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    exam = xf.exam(xf.blueprint([question]))
    for number, (mark, rest) in enumerate(rows, start=1):
        employee = people.employee()
        attempt = Attempt(
            exam_id=exam.id, employee_id=employee.id, number=1, status=AttemptStatus.GRADED, seed=number,
            started_at=xf.NOW, deadline=xf.NOW, submitted_at=xf.NOW,
            score=Decimal(mark + rest), max_score=Decimal(12),
        )  # fmt: skip
        db_add(attempt)
        db_add(
            AttemptItem(
                attempt_id=attempt.id, position=1, version_id=version.id, question_id=question.id,
                qtype="single", points=Decimal(2), mark=Decimal(mark),
            )
        )  # fmt: skip


def db_add(obj):
    database.session.add(obj)
    database.session.flush()


@pytest.mark.parametrize(("count", "flagged"), [(29, False), (30, True)])
def test_an_easy_item_is_flagged_from_30_responses(db, count, flagged):
    question = xf.question("single")
    _responses(question, [(2, 8)] * (count - 1) + [(2, 2)])  # facility 1.0, above 0.95
    assert (item_review.flag_weak_items(utcnow()) == [question.id]) is flagged
    assert (question.review_status == ReviewStatus.FLAGGED) is flagged
    if flagged:
        assert question.review_flag["responses"] == 30 and question.review_flag["facility"] == 1.0
        assert question.review_flag["reasons"] == ["facility"]


@pytest.mark.parametrize(("count", "flagged"), [(29, False), (30, True)])
def test_a_non_discriminating_item_is_flagged_from_30_responses(db, count, flagged):
    question = xf.question("single")
    # Half right, and the strong candidates (rest 10) get it wrong as often as the weak: r < 0.1.
    rows = [(2, 10), (0, 10), (2, 2), (0, 2)] * 8
    _responses(question, rows[:count])
    assert (item_review.flag_weak_items(utcnow()) == [question.id]) is flagged
    if flagged:
        assert question.review_flag["reasons"] == ["discrimination"]


def test_the_thresholds_are_strict(db):
    figures = {"responses": 30, "facility": 0.95, "discrimination": 0.1}
    assert item_review.weak_reasons(figures) == []
    assert item_review.weak_reasons({**figures, "facility": 0.951}) == ["facility"]
    assert item_review.weak_reasons({**figures, "discrimination": 0.099}) == ["discrimination"]
    assert item_review.weak_reasons({**figures, "responses": 29, "facility": 1.0}) == []


def test_a_good_item_stays_and_responses_before_the_approval_do_not_count(db):
    good = xf.question("single")
    # Strong candidates right, weak ones wrong: facility 0.5, discrimination 1.
    _responses(good, [(2, 10), (0, 2)] * 15)
    late = xf.question("single")
    _responses(late, [(2, 8)] * 30, since=xf.NOW + dt.timedelta(days=1))
    assert item_review.flag_weak_items(utcnow()) == []
    assert good.review_status == late.review_status == ReviewStatus.APPROVED


def test_a_flagged_item_is_on_the_queue_with_its_figures_and_a_second_trainer_clears_it(client, login, db):
    question = xf.question("single")
    _responses(question, [(2, 8)] * 30)
    item_review.flag_weak_items(utcnow())
    login("trainer")
    page = client.get("/question-bank/review").get_data(as_text=True)
    flagged_part = page.split('id="flagged"')[1].split('id="mine-returned"')[0]
    assert f"#{question.id}" in flagged_part and "1.00" in flagged_part and "30" in flagged_part
    assert client.post(f"/question-bank/{question.id}/review", data={"approve": "1"}).status_code == 302
    database.session.refresh(question)
    assert question.review_status == ReviewStatus.APPROVED and question.review_flag is None
    decisions = [r.decision for r in review.history(question)]
    assert decisions == ["approved", "flagged"]


# ---------------------------------------------------------------- imports and the starter bank


def test_an_import_published_by_its_trainer_still_waits_for_review(db):
    importer = _trainer()
    parsed = ParseResult(questions=[factories.single_data("导入的题？")])
    importing.run_import(parsed, importer, utcnow(), status=QuestionStatus.PUBLISHED)
    question = db.session.scalar(select(Question).where(Question.author_id == importer.id))
    assert question.status == QuestionStatus.PUBLISHED and question.review_status == ReviewStatus.DRAFT
    with pytest.raises(QuestionError):
        review.approve(question, importer, utcnow())


def test_the_starter_bank_comes_in_approved_by_the_system(db):
    parsed = ParseResult(questions=[factories.single_data("起步题库的题？")])
    importing.run_import(parsed, None, utcnow(), status=QuestionStatus.PUBLISHED, approved_by_system=True)
    question = db.session.scalar(select(Question).where(Question.name == "起步题库的题？"))
    assert question.review_status == ReviewStatus.APPROVED
    assert question.current_version.approved_by_system and question.current_version.approved_at is not None
    assert db.session.scalar(select(QuestionReview).where(QuestionReview.question_id == question.id)) is None


def test_publishing_a_certification_exam_counts_only_approved_questions_in_its_draw_rules(db):
    cat = xf.category()
    xf.question("single", cat=cat)
    xf.question("single", cat=cat, review_status="draft")
    exam = _cert_exam(xf.blueprint(draw=[{"count": 2, "category_id": cat.id}]))
    with pytest.raises(ExamError) as refused:
        exam_services.check_exam(exam, _trainer())
    assert "approved in review" in str(refused.value) and "needs 2 questions but the bank has 1" in str(refused.value)
    exam.purpose = ExamPurpose.ASSESSMENT
    exam_services.check_exam(exam, _trainer())


def test_the_to_do_list_holds_the_sent_back_question_and_the_queue(client, login, db):
    author, reviewer = _trainer(), _trainer()
    returned = _draft(author, stem="被退回的题？")
    review.send_back(returned, reviewer, "请补充出处", utcnow())
    _draft(author, stem="等审核的题？")
    login(user=author)
    page = client.get("/todo").get_data(as_text=True)
    assert f"/question-bank/{returned.id}\"" in page and "wait for your review" not in page
    client.post("/logout")
    login(user=reviewer)
    page = client.get("/todo").get_data(as_text=True)
    assert "/question-bank/review" in page and "1 questions wait for your review" in page
