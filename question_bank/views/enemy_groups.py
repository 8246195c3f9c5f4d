"""Enemy groups page (互斥题组): the lint's proposals to confirm or dismiss, and the confirmed groups.

A trainer acts only on questions they may edit; any other question id answers 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.auth import role_required
from core.extensions import db
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from question_bank import enemies, services
from question_bank.models import EnemyGroup, EnemyGroupStatus
from question_bank.views import bp
from question_bank.views.common import BANK_ROLES


@bp.get("/enemy-groups")
@role_required(*BANK_ROLES)
def enemy_groups():
    return render_template(
        "question_bank/enemy_groups.html",
        proposals=enemies.proposals(current_user),
        groups=enemies.groups_in_view(current_user),
        post=PostForm(),
    )


def _questions_from_form():
    ids = sorted({int(v) for v in request.form.getlist("question_id") if v.isdigit()})
    questions = services.editable_questions(current_user, ids)
    if len(ids) < 2 or len(questions) != len(ids):
        abort(404)
    return questions


def _settle(service, message: str):
    """Confirm or dismiss the posted questions as a group, then back to the page."""
    if not PostForm().validate_on_submit():
        abort(400)
    service(_questions_from_form(), current_user, utcnow())
    flash(message, "success")
    return redirect(url_for("question_bank.enemy_groups"))


@bp.post("/enemy-groups/confirm")
@role_required(*BANK_ROLES)
def enemy_group_confirm():
    return _settle(
        enemies.confirm, _("The questions form an enemy group: a paper holds at most one of them.")
    )


@bp.post("/enemy-groups/dismiss")
@role_required(*BANK_ROLES)
def enemy_group_dismiss():
    return _settle(enemies.dismiss, _("Proposal dismissed: these questions may share a paper."))


@bp.post("/enemy-groups/<int:group_id>/remove/<int:question_id>")
@role_required(*BANK_ROLES)
def enemy_group_remove(group_id: int, question_id: int):
    if not PostForm().validate_on_submit():
        abort(400)
    group = db.session.get(EnemyGroup, group_id)
    editable = services.editable_questions(current_user, [question_id])
    if group is None or group.status != EnemyGroupStatus.CONFIRMED or not editable:
        abort(404)
    if editable[0] not in group.questions:
        abort(404)
    enemies.remove_member(group, editable[0])
    flash(_("Question #%(id)s left the enemy group.", id=question_id), "success")
    return redirect(url_for("question_bank.enemy_groups"))
