"""The demo organisation's share of the question bank (``flask seed-demo``): the starter bank comes in
approved (``question_bank/starter.py``); so that the review queue is not empty, the demo trainer of the
成都 branch (T0002) has written three questions — two wait for a second trainer's review, and one the
company trainer (T0001) sent back with a comment; they go into the first shared category (a new one,
新编试题, when the bank has none). Idempotent (found again by their stems); removed again
with the demo people (``flask accounts remove-demo``) while nobody has used them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from accounts.models import Employee, User
from core.extensions import db
from core.models import utcnow
from question_bank import review, services
from question_bank.answer_text import duplicate_key
from question_bank.categories import create_category
from question_bank.content import QuestionData, choice_options
from question_bank.models import Category, Question, QuestionStatus

CATEGORY = "新编试题"  # only when the bank has no shared category yet (a demo without the starter bank)
DRAFTS = [
    (
        "客户来电反映停电，坐席人员首先应当做什么？",
        ["核实客户户号与停电范围", "直接派发抢修工单", "告知客户等待短信通知", "转接至投诉专席"],
        ["A"],
    ),
    (
        "受理客户咨询时，一次性告知的内容不包括下列哪一项？",
        ["办理所需的资料", "办理的流程与时限", "收费标准与依据", "坐席人员的个人电话"],
        ["D"],
    ),
]
RETURNED = (
    "95598工单回访应在什么时限内完成？",
    ["1个工作日", "3个工作日", "5个工作日", "7个工作日"],
    ["B"],
    "请注明时限出自指南哪一节，并核对“工作日”与“自然日”的说法后再提交。",
)


def _user(employee_no: str) -> User | None:
    return db.session.scalar(select(User).join(Employee).where(Employee.employee_no == employee_no))


def _draft(stem: str, options: list[str], correct: list[str], category: Category, author: User) -> Question:
    existing = db.session.scalar(select(Question).where(Question.stem_key == duplicate_key(stem)))
    if existing is not None:
        return existing
    data = QuestionData(
        type="single",
        stem_html=stem,
        options=choice_options(options, correct, "single"),
        key={"correct": correct},
        points=Decimal(1),
        difficulty=2,
        chapter=3,
    )
    return services.create_question(data, category, author, utcnow(), status=QuestionStatus.DRAFT)


def seed_review_queue(report) -> None:
    """Two drafts waiting for review and one sent back, written by the demo branch trainer."""
    author, reviewer = _user("T0002"), _user("T0001")
    if author is None or reviewer is None:
        report("question bank: no demo trainers; no review queue seeded")
        return
    category = db.session.scalar(
        select(Category).where(Category.parent_id.is_(None), Category.owner_department_id.is_(None))
        .order_by(Category.id).limit(1)
    ) or create_category(CATEGORY, None)  # fmt: skip
    for stem, options, correct in DRAFTS:
        _draft(stem, options, correct, category, author)
    stem, options, correct, comment = RETURNED
    returned = _draft(stem, options, correct, category, author)
    if returned.review_status == "draft":
        review.send_back(returned, reviewer, comment, utcnow())
    db.session.flush()
    report("question bank: 2 demo questions wait for review, 1 was sent back to its author")


def remove_demo_questions(employee_ids: list[int], user_ids: list[int]) -> None:
    """The demo trainers' own questions that no exam or attempt has used (used ones stay, authorless)."""
    stems = {duplicate_key(item[0]) for item in [*DRAFTS, RETURNED]}
    for question in db.session.scalars(
        select(Question).where(Question.author_id.in_(user_ids), Question.stem_key.in_(stems))
    ):
        if not any(v.used for v in question.versions):
            db.session.delete(question)
    db.session.flush()
