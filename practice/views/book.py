"""The mistake book: the list (active or mastered), practising its entries, the PDF."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import login_required
from core.forms import PostForm
from core.models import utcnow
from practice import mistakes, runs
from practice.labels import SOURCE_LABELS
from practice.models import Mode
from practice.views import bp
from practice.views.common import chapter_choices, point_select_choices


def _filters() -> mistakes.BookFilters:
    return mistakes.BookFilters(
        chapter=request.values.get("chapter", type=int),
        point_id=request.values.get("point_id", type=int),
        mastered=request.values.get("mastered") == "1",
    )


@bp.get("/mistakes")
@login_required
def mistake_book():
    """The mistake book; exam answers whose key is now shown are brought in first."""
    now = utcnow()
    employee = current_user.employee
    mistakes.import_exam_answers(employee, now)
    filters = _filters()
    page = max(request.args.get("page", 1, type=int), 1)
    total, active, mastered = mistakes.book_counts(employee, filters)
    entries, total = mistakes.book(employee, filters, page=page, total=total)
    return render_template(
        "practice/mistakes.html", entries=entries, total=total, page=page, size=mistakes.PAGE_SIZE,
        filters=filters, active=active, mastered=mastered, sources=SOURCE_LABELS, form=PostForm(),
        chapters=chapter_choices(), points=point_select_choices(),
    )  # fmt: skip


@bp.post("/mistakes/practise")
@login_required
def practise_mistakes():
    form = PostForm()
    if not form.validate_on_submit():
        return redirect(url_for("practice.mistake_book"))
    filters = _filters()
    run = runs.start_run(
        current_user.employee,
        Mode.MISTAKES,
        runs.Filters(chapter=filters.chapter, point_id=filters.point_id),
        utcnow(),
    )
    return redirect(url_for("practice.run", run_id=run.id))


@bp.get("/mistakes.pdf")
@login_required
def mistake_book_pdf():
    now = utcnow()
    employee = current_user.employee
    pdf = mistakes.book_pdf(employee, _filters(), now)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = "inline; filename=mistake-book.pdf"
    return response
