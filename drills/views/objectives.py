"""A drill's objectives (added and removed by its managers before the drill is conducted) and its
after-action meeting."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from core.auth import role_required
from core.errors import refusals_go_to
from core.extensions import db
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from drills import meeting, objectives
from drills.conduct_models import Objective
from drills.errors import DrillError
from drills.forms import MeetingForm, ObjectiveForm
from drills.views import bp
from drills.views.common import load_managed
from drills.views.drill import MANAGERS


def _page(drill) -> str:
    return url_for("drills.show", drill_id=drill.id) + "#objectives"


@bp.post("/<int:drill_id>/objectives")
@role_required(*MANAGERS)
def add_objective(drill_id: int):
    drill = load_managed(drill_id)
    form = ObjectiveForm()
    with refusals_go_to(_page(drill)):
        if not form.validate_on_submit():
            raise DrillError(
                _("An objective needs a text of at most %(n)s characters.", n=objectives.TEXT_MAX)
            )
        objectives.add(drill, form.text.data, form.step.data or "", form.criteria.data or [])
    flash(_("Objective added."), "success")
    return redirect(_page(drill))


@bp.post("/<int:drill_id>/objectives/<int:objective_id>/remove")
@role_required(*MANAGERS)
def remove_objective(drill_id: int, objective_id: int):
    drill = load_managed(drill_id)
    objective = db.session.get(Objective, objective_id)
    if objective is None or objective.drill_id != drill.id or not PostForm().validate_on_submit():
        abort(404)
    with refusals_go_to(_page(drill)):
        objectives.remove(drill, objective)
    flash(_("Objective removed."), "success")
    return redirect(_page(drill))


@bp.post("/<int:drill_id>/meeting")
@role_required(*MANAGERS)
def record_meeting(drill_id: int):
    drill = load_managed(drill_id)
    form = MeetingForm()
    page = url_for("drills.show", drill_id=drill.id) + "#meeting"
    with refusals_go_to(page):
        if not form.validate_on_submit():
            raise DrillError(_("Name the attendees and the decisions."))
        meeting.record(
            drill,
            held_on=form.held_on.data,
            attendees=form.attendees.data,
            decisions=form.decisions.data,
            user=current_user,
            now=utcnow(),
        )
    flash(_("After-action meeting recorded."), "success")
    return redirect(page)
