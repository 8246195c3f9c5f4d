"""Item statistics that send an approved question back to review (issue 15 §5).

After at least ``MIN_RESPONSES`` graded responses to a question's current version since it was last
approved, a question whose facility is above ``MAX_FACILITY`` (nearly everyone gets it right: it measures
nothing) or whose discrimination is below ``MIN_DISCRIMINATION`` (knowing the rest of the paper does not
predict getting it right: a wrong key, a trick, an ambiguity) is flagged for a fresh review
(``question_bank.review.flag``); it leaves certification draws until a second trainer approves it again.

Decisions where the issue is silent:
- The figures are Moodle's, as the exam statistics page shows them (``exams.statistics``): facility is the
  mean item mark as a share of the item's points; discrimination is the Pearson correlation between the
  item mark and the rest of the test. Here they pool every exam that gave the version, so each response is
  put on a common scale: the item mark as a share of its points, the rest of the test as a share of the
  rest's maximum. Thresholds are fractions as the issue states them (facility 0.95 = Moodle's 95 %,
  discrimination 0.1 = Moodle's index 10).
- Responses count from graded attempts of assessment and certification exams; practice exams (retaken
  at will, answers shown) are left out. Only responses given since the version's approval count, so a
  question approved again after a flag needs 30 fresh responses before it can be flagged again.
- A discrimination that is undefined (every response got the same mark, or every rest of test was equal)
  does not flag on its own; an item everyone gets right is caught by the facility rule.
"""

from __future__ import annotations

import datetime as dt
import statistics as st
from collections import defaultdict

from sqlalchemy import func, select

from core.extensions import db
from exams.models import Attempt, AttemptItem, AttemptStatus, Exam, ExamPurpose
from exams.statistics import pearson
from question_bank import review
from question_bank.models import Question, QuestionVersion, ReviewStatus

MIN_RESPONSES = 30
MAX_FACILITY = 0.95
MIN_DISCRIMINATION = 0.1


def _responses():
    """(question id, item mark, item points, attempt score, attempt maximum) of every counted response."""
    return (
        select(AttemptItem.question_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Exam, Exam.id == Attempt.exam_id)
        .join(Question, Question.id == AttemptItem.question_id)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(
            Question.review_status == ReviewStatus.APPROVED,
            AttemptItem.version_id == Question.current_version_id,
            AttemptItem.qtype != "description",
            AttemptItem.mark.is_not(None),
            AttemptItem.points > 0,
            Attempt.status == AttemptStatus.GRADED,
            Attempt.submitted_at >= QuestionVersion.approved_at,
            Exam.purpose != ExamPurpose.PRACTICE,
        )
    )


def item_figures(rows) -> dict:
    """Responses, facility and discrimination (fractions) of one question from its response rows
    (mark, points, attempt score, attempt maximum)."""
    marks, rests = [], []
    for mark, points, score, maximum in rows:
        share = float(mark) / float(points)
        rest_max = float(maximum or 0) - float(points)
        marks.append(share)
        rests.append((float(score or 0) - float(mark)) / rest_max if rest_max > 0 else 0.0)
    facility = st.fmean(marks) if marks else None
    return {"responses": len(marks), "facility": facility, "discrimination": pearson(marks, rests)}


def weak_reasons(figures: dict) -> list[str]:
    """Why the figures call for a fresh review (empty: they do not, or too few responses)."""
    if figures["responses"] < MIN_RESPONSES:
        return []
    reasons = []
    if figures["facility"] is not None and figures["facility"] > MAX_FACILITY:
        reasons.append("facility")
    if figures["discrimination"] is not None and figures["discrimination"] < MIN_DISCRIMINATION:
        reasons.append("discrimination")
    return reasons


def flag_weak_items(now: dt.datetime) -> list[int]:
    """Flag every approved question whose figures call for a fresh review; the ids flagged."""
    enough = list(
        db.session.scalars(
            _responses().group_by(AttemptItem.question_id).having(func.count() >= MIN_RESPONSES)
        )
    )
    if not enough:
        return []
    rows: dict[int, list] = defaultdict(list)
    query = _responses().add_columns(AttemptItem.mark, AttemptItem.points, Attempt.score, Attempt.max_score)
    for question_id, *row in db.session.execute(query.where(AttemptItem.question_id.in_(enough))):
        rows[question_id].append(row)
    flagged = []
    for question_id in sorted(rows):
        figures = item_figures(rows[question_id])
        reasons = weak_reasons(figures)
        if reasons:
            question = db.session.get(Question, question_id)
            review.flag(question, {**figures, "reasons": reasons}, now)
            flagged.append(question_id)
    return flagged
