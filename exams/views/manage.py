"""Trainer and HR pages for exams (考试安排): the list, create and edit, the audience and re-sit rounds."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Employee, Position
from accounts.services import departments_in_scope
from core.auth import Role, role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm, choices
from core.i18n import gettext as _
from core.models import utcnow
from core.timeutil import local_to_utc, to_local
from exams import outcomes, papers, pools, results, reviews, services
from exams.errors import ExamError
from exams.forms import AudienceForm, ExamForm, ResitForm
from exams.labels import GRADING_METHOD_LABELS, MULTIPLE_RULE_LABELS, PURPOSE_LABELS, RELEASE_LABELS
from exams.models import AudienceKind, Exam, ExamPool
from exams.views import manage_bp as bp
from exams.views.common import MANAGERS, READERS, department_choices, managed_exam

EXAM_FIELDS = (
    "title",
    "description",
    "purpose",
    "blueprint_id",
    "duration_minutes",
    "max_attempts",
    "grading_method",
    "pass_percent",
    "multiple_rule",
    "shuffle_questions",
    "shuffle_options",
    "results_release",
    "show_answers",
    "show_explanations",
    "blind_grading",
    "published",
    "log_focus",
    "focus_warn_after",
    "focus_collect_after",
    "ask_fullscreen",
    "block_copy",
    "allowed_networks",
    "review_days",
)


@bp.get("")
@role_required(*READERS)
def index():
    exams = db.session.scalars(services.exams_query(current_user)).all()
    return render_template("exams/manage/index.html", exams=exams, now=utcnow(), purposes=PURPOSE_LABELS)


def _exam_form(exam: Exam | None) -> ExamForm:
    form = ExamForm(obj=exam)
    form.blueprint_id.choices = choices(
        [(b.id, b.title) for b in db.session.scalars(services.blueprints_query(current_user))]
    )
    form.owner_department_id.choices = department_choices()
    form.certificate_type_id.choices = choices([(0, _("(none)"))] + outcomes.certificate_type_choices())
    form.course_id.choices = choices([(0, _("(none)"))] + outcomes.course_choices(current_user))
    if exam is not None and request.method == "GET":
        form.certificate_type_id.data = exam.certificate_type_id or 0
        linked = outcomes.linked_course(exam)
        form.course_id.data = linked.id if linked else 0
        form.opens_at.data = to_local(exam.opens_at).replace(tzinfo=None)
        form.closes_at.data = to_local(exam.closes_at).replace(tzinfo=None)
        form.owner_department_id.data = exam.owner_department_id or 0
    return form


def _save_exam(form: ExamForm, exam: Exam) -> None:
    """Copy the form onto the exam and check it (ExamError when the rules refuse)."""
    for name in EXAM_FIELDS:
        setattr(exam, name, getattr(form, name).data)
    exam.certificate_type_id = form.certificate_type_id.data or None
    exam.description = exam.description or ""
    exam.opens_at = local_to_utc(form.opens_at.data)
    exam.closes_at = local_to_utc(form.closes_at.data)
    exam.owner_department_id = form.owner_department_id.data or None
    exam.access_code = (form.access_code.data or "").strip()
    exam.allowed_networks = (exam.allowed_networks or "").strip()
    services.check_exam(exam, current_user)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def exam_new():
    form = _exam_form(None)
    if form.validate_on_submit():
        exam = Exam(created_by_id=current_user.id)
        try:
            _save_exam(form, exam)
        except ExamError as exc:  # shown beside the field; the 400 answer keeps nothing
            form.blueprint_id.errors = [str(exc)]
        else:
            db.session.add(exam)
            outcomes.link_course(exam, form.course_id.data or None)
            flash(_("Exam saved. Now choose its audience."), "success")
            return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    return render_template("exams/manage/form.html", form=form, title=_("New exam")), (
        400 if form.errors else 200
    )


@bp.route("/<int:exam_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def exam_edit(exam_id: int):
    exam = managed_exam(exam_id)
    title = exam.title  # the saved title heads the page, even when the change is refused
    form = _exam_form(exam)
    if form.validate_on_submit():
        try:
            _save_exam(form, exam)
        except ExamError as exc:  # shown beside the field; the 400 answer keeps nothing
            form.blueprint_id.errors = [str(exc)]
        else:
            outcomes.link_course(exam, form.course_id.data or None)
            flash(_("Exam saved."), "success")
            return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    return render_template("exams/manage/form.html", form=form, title=title), (400 if form.errors else 200)


def _audience_form(exam: Exam) -> AudienceForm:
    form = AudienceForm()
    role = Role.ADMIN if current_user.has_any_role(Role.ADMIN) else Role.TRAINER
    form.departments.choices = choices(
        [(d.id, "　" * d.depth + d.name) for d in departments_in_scope(current_user, role)]
    )
    form.positions.choices = choices(
        [(p.id, p.name) for p in db.session.scalars(select(Position).order_by(Position.code))]
    )
    if request.method == "GET":
        form.departments.data = [a.target_id for a in exam.audience if a.kind == AudienceKind.DEPARTMENT]
        form.positions.data = [a.target_id for a in exam.audience if a.kind == AudienceKind.POSITION]
        ids = [a.target_id for a in exam.audience if a.kind == AudienceKind.EMPLOYEE]
        numbers = db.session.scalars(select(Employee.employee_no).where(Employee.id.in_(ids))) if ids else []
        form.employees.data = ", ".join(numbers)
    return form


@bp.get("/<int:exam_id>")
@role_required(*READERS)
def exam(exam_id: int):
    exam = managed_exam(exam_id, manage=False)
    pool = db.session.get(ExamPool, exam.id)
    return render_template(
        "exams/manage/exam.html",
        exam=exam,
        can_manage=services.can_manage_exam(current_user, exam),
        audience_form=_audience_form(exam),
        resit_form=ResitForm(),
        purposes=PURPOSE_LABELS,
        releases=RELEASE_LABELS,
        rules=MULTIPLE_RULE_LABELS,
        grading_method_label=GRADING_METHOD_LABELS.get(exam.grading_method, exam.grading_method),
        max_score=papers.blueprint_max_score(exam.blueprint),
        resits=db.session.scalars(select(Exam).where(Exam.parent_exam_id == exam.id)).all(),
        attempt_count=len(results.final_attempts(exam, current_user)),
        pool=pool,
        pool_size=len(pools.pool_version_ids(pool)),
        pool_form=PostForm(),
        open_reviews=reviews.open_count(exam),
    )


@bp.post("/<int:exam_id>/pool/refresh")
@role_required(*MANAGERS)
def exam_pool_refresh(exam_id: int):
    exam = managed_exam(exam_id)
    if PostForm().validate_on_submit():
        pool = pools.refresh_pool(exam, current_user, utcnow())
        flash(
            _(
                "The question pool now holds the bank as it is: %(n)d questions. Papers already drawn keep theirs.",
                n=len(pools.pool_version_ids(pool)),
            ),
            "success",
        )
    return redirect(url_for("exams_manage.exam", exam_id=exam.id))


@bp.post("/<int:exam_id>/audience")
@role_required(*MANAGERS)
def exam_audience(exam_id: int):
    exam = managed_exam(exam_id)
    form = _audience_form(exam)
    if not form.validate_on_submit():
        flash(_("The audience could not be saved."), "danger")
        return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    numbers = [
        n.strip().upper() for n in (form.employees.data or "").replace("，", ",").split(",") if n.strip()
    ]
    found = services.employee_ids_by_number(current_user, numbers)
    missing = [n for n in numbers if n not in found]
    if missing:
        flash(_("Unknown employee numbers: %(n)s. Nothing was changed.", n=", ".join(missing)), "danger")
        return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    services.set_audience(exam, form.departments.data or [], form.positions.data or [], found.values())
    flash(_("Audience saved."), "success")
    return redirect(url_for("exams_manage.exam", exam_id=exam.id))


@bp.post("/<int:exam_id>/resit")
@role_required(*MANAGERS)
def exam_resit(exam_id: int):
    exam = managed_exam(exam_id)
    form = ResitForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "danger")
        return redirect(url_for("exams_manage.exam", exam_id=exam.id))
    with refusals_go_to(url_for("exams_manage.exam", exam_id=exam.id)):
        resit = services.create_resit(
            exam, local_to_utc(form.opens_at.data), local_to_utc(form.closes_at.data), current_user
        )
    flash(_("Re-sit round created (unpublished): check it and publish it."), "success")
    return redirect(url_for("exams_manage.exam", exam_id=resit.id))
