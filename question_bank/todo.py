"""The question bank on a trainer's to-do list (``core.todo``): their questions a reviewer sent back (to
edit, with the reviewer's comment on the question page), and one item for the questions waiting for their
review or flagged by item statistics (the review queue), dated by the oldest of them."""

from __future__ import annotations

import datetime as dt

from core.i18n import lazy_gettext as _l
from core.todo import TodoItem
from question_bank import review
from question_bank.labels import REVIEW_STATUS_LABELS
from question_bank.models import ReviewStatus


def review_items(user, now: dt.datetime) -> list[TodoItem]:
    """Sent-back questions of ``user``'s, and the review queue when it holds something for them."""
    queue = review.queue(user)
    items = [
        TodoItem(
            "question_bank.review",
            question.updated_at,
            str(_l("My question #%(id)d: %(name)s", id=question.id, name=question.name[:40])),
            REVIEW_STATUS_LABELS[ReviewStatus.RETURNED],
            f"/question-bank/{question.id}",
            _l("Read the comment and edit"),
            tone="danger",
            when_label=_l("Sent back"),
        )
        for question in queue["mine_returned"]
    ]
    waiting = queue["to_review"] + queue["flagged"]
    if waiting:
        items.append(
            TodoItem(
                "question_bank.review",
                min(q.updated_at for q in waiting),
                str(_l("%(n)d questions wait for your review", n=len(waiting))),
                REVIEW_STATUS_LABELS[ReviewStatus.DRAFT],
                "/question-bank/review",
                _l("Open the review queue"),
                tone="warning",
                when_label=_l("Waiting since"),
            )
        )
    return items
