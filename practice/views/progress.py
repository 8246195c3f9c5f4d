"""A person's own mastery: strong and weak points (SVG bars) and the courses that cover the weak ones."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from core.auth import login_required
from core.models import utcnow
from practice import mastery, mistakes
from practice.labels import BAND_LABELS
from practice.views import bp


@bp.get("/mastery")
@login_required
def my_mastery():
    employee = current_user.employee
    mistakes.import_exam_answers(employee, utcnow())
    rows = mastery.person_mastery(employee)
    strong, weak = mastery.strong_and_weak(employee)
    sections = [r for r in rows if r.point.path.count("/") == 3]  # the guide's sections (depth 1)
    courses = mastery.recommended_courses([r.point.id for r in weak])
    return render_template(
        "practice/mastery.html", rows=rows, strong=strong, weak=weak, sections=sections, courses=courses,
        bands=BAND_LABELS, min_answers=mastery.MIN_ANSWERS,
    )  # fmt: skip
