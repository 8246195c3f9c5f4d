"""Assignment rules: the list, a new rule, a rule's preview and the people it added, enable / disable."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Employee, Position
from core.auth import Role, role_required
from core.extensions import db
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from exams.models import Exam
from reports import assignment
from reports.forms import AssignmentRuleForm
from reports.labels import ASSIGNMENT_KIND_LABELS
from reports.models import AssignmentRule
from reports.views import bp
from training.models import CertificateType, Course


def _may_manage() -> bool:
    """Rules are company-wide (posts, courses, certificates): admins and HR whose scope is the whole company."""
    return current_user.has_any_role(Role.ADMIN) or current_user.scope_roots(Role.HR) is None


def _rule(rule_id: int) -> AssignmentRule:
    return db.session.get(AssignmentRule, rule_id) or abort(404)


def _fill(form: AssignmentRuleForm) -> None:
    form.kind.choices = [(k, str(v)) for k, v in ASSIGNMENT_KIND_LABELS.items()]
    form.position_id.choices = [(0, "—")] + [
        (p.id, p.name) for p in db.session.scalars(select(Position).order_by(Position.code))
    ]
    form.course_id.choices = [(0, "—")] + [
        (c.id, c.title)
        for c in db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.code))
    ]
    form.certificate_type_id.choices = [(0, "—")] + [
        (t.id, t.name) for t in db.session.scalars(select(CertificateType).order_by(CertificateType.code))
    ]
    form.exam_id.choices = [(0, "—")] + [
        (e.id, e.title) for e in db.session.scalars(select(Exam).order_by(Exam.closes_at.desc()).limit(200))
    ]


@bp.route("/assignments", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def assignments():
    form = AssignmentRuleForm()
    _fill(form)
    if form.validate_on_submit():
        if not _may_manage():
            abort(403)
        rule = assignment.save_rule(form.data)
        flash(_("Rule saved. Check the preview, then enable it."), "success")
        return redirect(url_for("reports.assignment_rule", rule_id=rule.id))
    rules = db.session.scalars(select(AssignmentRule).order_by(AssignmentRule.id)).all()
    return render_template(
        "reports/assignments.html",
        rules=rules,
        form=form,
        may_manage=_may_manage(),
        kinds=ASSIGNMENT_KIND_LABELS,
    )


@bp.get("/assignments/<int:rule_id>")
@role_required(Role.HR, Role.ADMIN)
def assignment_rule(rule_id: int):
    rule = _rule(rule_id)
    preview = assignment.candidates(rule, utcnow())
    people = {
        e.id: e
        for e in db.session.scalars(
            select(Employee).where(Employee.id.in_([c.employee_id for c in preview][:500]))
        )
    }
    return render_template(
        "reports/assignment_rule.html",
        rule=rule,
        preview=preview[:500],
        preview_total=len(preview),
        people=people,
        records=assignment.records_of(rule),
        may_manage=_may_manage(),
        kinds=ASSIGNMENT_KIND_LABELS,
        form=PostForm(),
    )


@bp.post("/assignments/<int:rule_id>/enabled")
@role_required(Role.HR, Role.ADMIN)
def assignment_toggle(rule_id: int):
    rule = _rule(rule_id)
    if not _may_manage():
        abort(403)
    if not PostForm().validate_on_submit():
        abort(400)
    rule.enabled = not rule.enabled
    flash(_("Rule enabled: it runs every night.") if rule.enabled else _("Rule disabled."), "success")
    return redirect(url_for("reports.assignment_rule", rule_id=rule.id))
