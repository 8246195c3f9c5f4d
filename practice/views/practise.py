"""Practising: the start page, one question per screen, the answer API (JSON, retried by the phone), the
end of a run, favourites."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import login_required
from core.extensions import db
from core.forms import PostForm, choices, safe_next_url
from core.i18n import gettext as _
from core.models import utcnow
from practice import mistakes, runs
from practice.errors import NotAvailable
from practice.forms import MockForm, StartForm
from practice.labels import MODE_LABELS
from practice.models import Mode, PracticeRun
from practice.views import bp
from practice.views.common import chapter_choices, difficulty_choices, point_select_choices, type_choices
from question_bank.models import Question, QuestionVersion


def _start_form() -> StartForm:
    form = StartForm()
    form.mode.choices = choices([(m, MODE_LABELS[m]) for m in Mode if m != Mode.MOCK])
    form.chapter.choices = chapter_choices()
    form.point_id.choices = point_select_choices()
    form.qtype.choices = type_choices()
    form.difficulty.choices = difficulty_choices()
    return form


def _filters(form) -> runs.Filters:
    return runs.Filters(
        chapter=form.chapter.data,
        point_id=form.point_id.data,
        qtype=form.qtype.data or None,
        difficulty=form.difficulty.data,
        size=form.size.data or 20,
    )


@bp.get("/")
@login_required
def home():
    now = utcnow()
    employee = current_user.employee
    form = _start_form()
    for name in ("chapter", "point_id", "difficulty"):
        value = request.args.get(name, type=int)
        if value:
            getattr(form, name).data = value
    mock = MockForm()
    exams = runs.certification_exams(employee, now)
    mock.exam_id.choices = choices([(e.id, e.title) for e in exams])
    resumable = db.session.scalars(
        db.select(PracticeRun)
        .where(PracticeRun.employee_id == employee.id, PracticeRun.finished_at.is_(None))
        .order_by(PracticeRun.id.desc())
        .limit(3)
    ).all()
    active, mastered = mistakes.counts(employee)
    return render_template(
        "practice/home.html", form=form, mock=mock, exams=exams, resumable=resumable,
        active=active, mastered=mastered, modes=MODE_LABELS,
    )  # fmt: skip


@bp.post("/start")
@login_required
def start():
    form = _start_form()
    if not form.validate_on_submit():
        return redirect(url_for("practice.home"))
    run = runs.start_run(current_user.employee, form.mode.data, _filters(form), utcnow())
    return redirect(url_for("practice.run", run_id=run.id))


@bp.post("/mock")
@login_required
def start_mock():
    now = utcnow()
    employee = current_user.employee
    form = MockForm()
    exams = {e.id: e for e in runs.certification_exams(employee, now)}
    form.exam_id.choices = choices([(i, e.title) for i, e in exams.items()])
    if not form.validate_on_submit():
        return redirect(url_for("practice.home"))
    run = runs.start_mock(employee, exams[form.exam_id.data], now)
    return redirect(url_for("practice.run", run_id=run.id))


@bp.get("/runs/<int:run_id>")
@login_required
def run(run_id: int):
    now = utcnow()
    employee = current_user.employee
    practice_run = runs.own_run(run_id, employee)
    current = runs.current_shown(practice_run, employee, now)
    if current is None:
        return redirect(url_for("practice.run_end", run_id=run_id))
    position, version, favourite = current
    return render_template(
        "practice/question.html",
        run=practice_run,
        position=position,
        version=version,
        favourite=favourite,
        form=PostForm(),
        mode_label=MODE_LABELS[practice_run.mode],
        seconds_left=int((practice_run.deadline_at - now).total_seconds())
        if practice_run.deadline_at
        else None,
    )


def _as_shown(qtype: str, response: dict | None):
    """A stored response (the exam runtime's shapes) as the question view shows it, ticked and filled in."""
    response = response or {}
    if qtype in ("single", "multiple"):
        return response.get("choice") or []
    if qtype == "truefalse":
        return None if response.get("answer") is None else ("true" if response["answer"] else "false")
    if qtype == "fill":
        return response.get("blanks") or []
    if qtype == "matching":
        return {str(i): right for i, right in enumerate(response.get("pairs") or []) if right}
    return response.get("value")


@bp.get("/runs/<int:run_id>/q/<int:number>")
@login_required
def question(run_id: int, number: int):
    """Question ``number`` (from 1) of a run at its own address: an answered one with the person's answer and
    the feedback (a mock exam's only once it is handed in), to look back at; the question to answer next
    opens the run's page. Someone else's run, or a number the run has not, is 404."""
    now = utcnow()
    employee = current_user.employee
    practice_run = runs.own_run(run_id, employee)
    if not 1 <= number <= len(practice_run.items):
        raise NotAvailable(_("This practice does not exist."))
    answered = runs.run_answers(practice_run)
    given = answered.get(number - 1)
    if given is None:
        return redirect(url_for("practice.run", run_id=run_id))
    given_version = db.session.get(QuestionVersion, given.version_id)
    feedback = practice_run.mode != Mode.MOCK or practice_run.finished_at is not None
    following = number + 1 if number < len(practice_run.items) and number in answered else None
    return render_template(
        "practice/review.html",
        run=practice_run,
        number=number,
        answer=given,
        shown=_as_shown(given_version.type, given.response),
        version=given_version,
        question=db.session.get(Question, given.question_id),
        feedback=feedback,
        previous=number - 1 if number > 1 and (number - 2) in answered else None,
        following=following,
        current_url=url_for("practice.run", run_id=run_id)
        if runs.current_question(practice_run, employee, now) is not None
        else url_for("practice.run_end", run_id=run_id),
        mode_label=MODE_LABELS[practice_run.mode],
    )


@bp.post("/runs/<int:run_id>/answer")
@login_required
def answer(run_id: int):
    """JSON ``{"position": n, "response": {...}}`` (the exam runtime's response shapes) → the feedback.

    The phone retries a request whose reply it did not get; a repeat returns the first answer's result."""
    now = utcnow()
    practice_run = runs.own_run(run_id, current_user.employee, lock=True)
    payload = request.get_json(silent=True) or {}
    position = payload.get("position")
    if not isinstance(position, int):
        raise NotAvailable(_("Answer the question on the screen."))
    outcome = runs.answer(practice_run, position, payload.get("response"), now)
    next_url = url_for("practice.run", run_id=run_id)
    body = {"correct": outcome.answer.correct if outcome.feedback else None, "next_url": next_url}
    if outcome.feedback:
        # The fragment needs no page context (menus, notices): rendered without the context processors, which
        # would cost a third of the answer's time (docs/practice.md, speed).
        body["html"] = current_app.jinja_env.get_template("practice/_feedback.html").render(
            answer=outcome.answer,
            version=outcome.version,
            question=outcome.question,
            tags=outcome.tags,
            next_url=next_url,
            last=practice_run.finished_at is not None,
        )
    return jsonify(body)


@bp.post("/runs/<int:run_id>/finish")
@login_required
def finish(run_id: int):
    form = PostForm()
    practice_run = runs.own_run(run_id, current_user.employee)
    if form.validate_on_submit():
        runs.finish(practice_run, utcnow())
    return redirect(url_for("practice.run_end", run_id=run_id))


@bp.get("/runs/<int:run_id>/end")
@login_required
def run_end(run_id: int):
    now = utcnow()
    practice_run = runs.own_run(run_id, current_user.employee)
    if runs.time_up(practice_run, now) or practice_run.position >= len(practice_run.items):
        runs.finish(practice_run, now)
    answers = runs.run_answers(practice_run) if practice_run.finished_at else {}
    versions = {
        v.id: v
        for v in db.session.scalars(
            db.select(QuestionVersion).where(QuestionVersion.id.in_([a.version_id for a in answers.values()]))
        )
    }
    return render_template(
        "practice/end.html", run=practice_run, answers=answers, versions=versions,
        mode_label=MODE_LABELS[practice_run.mode], form=PostForm(),
    )  # fmt: skip


@bp.post("/favourites/<int:question_id>")
@login_required
def favourite(question_id: int):
    """Add or remove a favourite (only a question the person may practise now)."""
    form = PostForm()
    employee = current_user.employee
    if not form.validate_on_submit() or not runs.rules.may_practise(employee, question_id, utcnow()):
        raise NotAvailable(_("This question is not open for practice."))
    now_favourite = runs.toggle_favourite(employee, question_id, utcnow())
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"favourite": now_favourite})
    return redirect(safe_next_url(request.form.get("next")) or url_for("practice.home"))
