"""Paper exams (纸质考试): the page to print an exam's paper, and the downloads of an exam's or a blueprint
sample's question paper, answer sheet and key (``exams.printing``). Only the exam's or blueprint's managers
(404 for anyone else); downloads are POSTed forms, because exporting freezes the exam's pool and marks the
printed question versions used, and every export is audited."""

from __future__ import annotations

from io import BytesIO

from flask import abort, render_template, send_file, url_for

from core.auth import role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.models import utcnow
from exams import printing
from exams.forms import PaperExportForm, SamplePaperExportForm
from exams.models import ExamPool
from exams.printing import paper as printed
from exams.views import manage_bp as bp
from exams.views.common import MANAGERS, managed_blueprint, managed_exam


def _download(data: bytes, name: str, mimetype: str):
    return send_file(BytesIO(data), as_attachment=True, download_name=name, mimetype=mimetype)


@bp.get("/<int:exam_id>/paper")
@role_required(*MANAGERS)
def paper_page(exam_id: int):
    exam = managed_exam(exam_id)
    return render_template(
        "exams/manage/paper.html",
        exam=exam,
        form=PaperExportForm(),
        pool=db.session.get(ExamPool, exam.id),
        shuffles=exam.shuffle_questions or exam.shuffle_options,
    )


@bp.post("/<int:exam_id>/paper")
@role_required(*MANAGERS)
def paper_download(exam_id: int):
    exam = managed_exam(exam_id)
    form = PaperExportForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals_go_to(url_for("exams_manage.paper_page", exam_id=exam.id)):
        paper = printed.exam_paper(exam, form.variant.data, utcnow())
    return _download(*printing.export(paper, exam, form.file.data))


@bp.post("/blueprints/<int:blueprint_id>/paper")
@role_required(*MANAGERS)
def blueprint_paper_download(blueprint_id: int):
    blueprint = managed_blueprint(blueprint_id)
    form = SamplePaperExportForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals_go_to(url_for("exams_manage.blueprint", blueprint_id=blueprint.id)):
        paper = printed.blueprint_paper(blueprint, form.seed.data, utcnow())
    return _download(*printing.export(paper, blueprint, form.file.data))
