"""Question-bank test data: build and flush, never commit."""

from __future__ import annotations

import itertools
from decimal import Decimal

from core.models import utcnow
from question_bank.categories import create_category
from question_bank.content import QuestionData, choice_options
from question_bank.models import Category, Question
from question_bank.services import create_question

_seq = itertools.count(1)


def category(name: str | None = None, parent: Category | None = None, owner=None) -> Category:
    return create_category(
        name or f"分类{next(_seq)}", parent, owner_department_id=owner.id if owner else None
    )


def single_data(stem: str | None = None, **fields) -> QuestionData:
    n = next(_seq)
    return QuestionData(
        type="single",
        stem_html=stem or f"一般故障的响应时间不超过多少？（{n}）",
        options=choice_options(["1小时", "2小时", "4小时", "8小时"], ["B"], "single"),
        key={"correct": ["B"]},
        explanation="§3.3",
        points=Decimal(1),
        difficulty=fields.pop("difficulty", 2),
        chapter=fields.pop("chapter", 3),
        source_ref="§3.3",
        tags=fields.pop("tags", ["响应时限"]),
        **fields,
    )


def question(
    cat: Category | None = None, data: QuestionData | None = None, status: str = "published", author=None
) -> Question:
    return create_question(data or single_data(), cat or category(), author, utcnow(), status=status)
