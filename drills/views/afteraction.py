"""After the drill: the timeline with the timing suggestions, and the hotwash feedback by QR."""

from __future__ import annotations

import segno
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import login_required
from core.errors import refusals_go_to
from core.i18n import gettext as _
from core.models import utcnow
from drills import conduct, feedback, timeline
from drills.errors import DrillError
from drills.forms import FEEDBACK_RATINGS, FeedbackForm, TimingForm
from drills.views import bp
from drills.views.conduct import load_for


def _reads_timeline(user, drill) -> bool:
    return conduct.reads_log(user, drill) or conduct.can_confirm_timing(user, drill)


@bp.get("/<int:drill_id>/timeline", endpoint="timeline")
@login_required
def timeline_page(drill_id: int):
    drill = load_for(drill_id, _reads_timeline)
    return render_template(
        "drills/timeline.html",
        drill=drill,
        entries=timeline.entries(drill, with_notes=True),
        suggestions=timeline.suggestions(drill),
        can_confirm=conduct.can_confirm_timing(current_user, drill) and drill.status in timeline.CHECK_STATES,
        timing_form=TimingForm(),
        summary=feedback.summary(drill, _("The drill as a whole")),
        can_control=conduct.can_control(current_user, drill),
    )


@bp.post("/<int:drill_id>/timing/<int:criterion_id>")
@login_required
def confirm_timing(drill_id: int, criterion_id: int):
    drill = load_for(drill_id, conduct.can_confirm_timing)
    form = TimingForm()
    page = url_for("drills.timeline", drill_id=drill.id) + f"#timing-{criterion_id}"
    with refusals_go_to(page):
        if not form.validate_on_submit():
            raise DrillError(_("Enter minutes between 0 and 1440."))
        timeline.confirm(drill, criterion_id, form.minutes.data, form.note.data or "", current_user, utcnow())
    flash(_("Timing recorded."), "success")
    return redirect(page)


@bp.get("/<int:drill_id>/feedback/qr")
@login_required
def feedback_qr(drill_id: int):
    drill = load_for(drill_id, conduct.can_control)
    url = url_for("drills.feedback_form", drill_id=drill.id, _external=True)
    return render_template(
        "drills/feedback_qr.html", drill=drill, url=url, qr_svg=segno.make(url, error="m").svg_inline(scale=6)
    )


@bp.route("/<int:drill_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback_form(drill_id: int):
    drill = load_for(drill_id, lambda user, d: feedback.may_answer(d, user.employee_id))
    me = current_user.employee
    existing = feedback.mine(drill, me)
    form = FeedbackForm(obj=existing)
    objectives = [(feedback.OVERALL, _("The drill as a whole")), *feedback.objective_lines(drill)]
    if request.method == "POST":
        with refusals_go_to(url_for("drills.feedback_form", drill_id=drill.id)):
            if not form.validate_on_submit():
                raise DrillError(_("Each answer is at most %(n)s characters.", n=feedback.TEXT_MAX))
            ratings = {key: request.form.get(f"rating-{key}", "") for key, _label in objectives}
            feedback.submit(
                drill,
                me,
                went_well=form.went_well.data,
                to_improve=form.to_improve.data,
                ratings=ratings,
                now=utcnow(),
            )
        flash(_("Thank you: your feedback is saved."), "success")
        return redirect(url_for("drills.feedback_form", drill_id=drill.id))
    return render_template(
        "drills/feedback.html",
        drill=drill,
        form=form,
        objectives=objectives,
        given=existing.ratings if existing else {},
        scale=FEEDBACK_RATINGS,
        is_open=feedback.is_open(drill, utcnow()),
        existing=existing,
    )
