"""The participant's own role page: the drill's time, place and their role, and the button that confirms
it (the drill notice links here, ``drills.roles``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from core.auth import login_required
from core.errors import refusals_go_to
from core.forms import PostForm
from core.i18n import gettext as _
from core.models import utcnow
from drills import roles
from drills.views import bp
from drills.views.common import load_drill


def _my_rows(drill_id: int):
    drill = load_drill(drill_id)
    rows = roles.my_roles(drill, current_user.employee)
    if not rows:
        abort(404)  # the director or a reader has no role to confirm
    return drill, rows


@bp.get("/<int:drill_id>/my-role")
@login_required
def my_role(drill_id: int):
    drill, rows = _my_rows(drill_id)
    now = utcnow()
    return render_template(
        "drills/my_role.html",
        drill=drill,
        rows=rows,
        role_names=roles.role_names(rows),
        confirmed=all(r.confirmed_at is not None for r in rows),
        can_confirm=roles.can_confirm(drill, now),
        form=PostForm(),
        now=now,
    )


@bp.post("/<int:drill_id>/my-role")
@login_required
def confirm_role(drill_id: int):
    drill, _rows = _my_rows(drill_id)
    page = url_for("drills.my_role", drill_id=drill.id)
    if not PostForm().validate_on_submit():
        abort(400)
    with refusals_go_to(page):
        roles.confirm_role(drill, current_user.employee, utcnow())
    flash(_("Thank you: your role is confirmed."), "success")
    return redirect(page)
