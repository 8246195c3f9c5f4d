"""The live half of a drill: the conduct console (controllers), the observation log (evaluators and
controllers, from phones) and their JSON, polled every few seconds.

Everyone else — including a controller of another drill — gets 404 here. POSTs from the pages' scripts
carry the CSRF token in ``X-CSRFToken`` and answer JSON; refusals answer ``{"error": ...}`` with 400/409.
"""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from core.auth import login_required
from core.extensions import db
from core.models import utcnow
from drills import assessment, conduct, observations
from drills.conduct_models import FlowStep, Observation
from drills.labels import STEP_LABELS
from drills.models import Drill
from drills.views import bp
from drills.views.common import load_drill
from training.models import StoredFile
from training.uploads import file_path


def load_for(drill_id: int, allowed) -> Drill:
    """The drill when ``allowed(user, drill)``; 404 otherwise (also for a drill the user may see but not
    run: a controller of one drill touches no other)."""
    drill = load_drill(drill_id)
    if not allowed(current_user, drill):
        abort(404)
    return drill


def _payload() -> dict:
    return request.get_json(silent=True) or request.form.to_dict()


# ---------------------------------------------------------------- console


@bp.get("/<int:drill_id>/console")
@login_required
def console(drill_id: int):
    drill = load_for(drill_id, conduct.can_control)
    now = utcnow()
    config = {
        "stateUrl": url_for("drills.console_state", drill_id=drill.id),
        "releaseUrl": url_for("drills.console_release", drill_id=drill.id, inject_id=0),
        "skipUrl": url_for("drills.console_skip", drill_id=drill.id, inject_id=0),
        "addUrl": url_for("drills.console_add", drill_id=drill.id),
        "csrf": generate_csrf(),
    }
    return render_template(
        "drills/console.html",
        drill=drill,
        state=conduct.console_state(drill, now),
        config=config,
        now=now,
    )


@bp.get("/<int:drill_id>/console/state")
@login_required
def console_state(drill_id: int):
    drill = load_for(drill_id, conduct.can_control)
    return jsonify(conduct.polled_state(drill, utcnow(), request.args.get("since", "")))


@bp.post("/<int:drill_id>/console/injects/<int:inject_id>/release")
@login_required
def console_release(drill_id: int, inject_id: int):
    drill = load_for(drill_id, conduct.can_control)
    now = utcnow()
    conduct.release(drill, inject_id, current_user, now)
    return jsonify(conduct.console_state(drill, now))


@bp.post("/<int:drill_id>/console/injects/<int:inject_id>/skip")
@login_required
def console_skip(drill_id: int, inject_id: int):
    drill = load_for(drill_id, conduct.can_control)
    now = utcnow()
    conduct.skip(drill, inject_id, _payload().get("reason", ""), current_user, now)
    return jsonify(conduct.console_state(drill, now))


@bp.post("/<int:drill_id>/console/injects")
@login_required
def console_add(drill_id: int):
    drill = load_for(drill_id, conduct.can_control)
    data, now = _payload(), utcnow()
    conduct.add_unplanned(
        drill,
        event=data.get("event", ""),
        expected_action=data.get("expected_action", ""),
        responsible_role=data.get("responsible_role", ""),
        release_now=data.get("release_now", True) not in (False, "false", "0", ""),
        user=current_user,
        now=now,
    )
    return jsonify(conduct.console_state(drill, now))


# ---------------------------------------------------------------- observation log


@bp.get("/<int:drill_id>/observe")
@login_required
def observe(drill_id: int):
    drill = load_for(drill_id, conduct.can_observe)
    config = {
        "drillId": drill.id,
        "postUrl": url_for("drills.observation_add", drill_id=drill.id),
        "listUrl": url_for("drills.observation_list", drill_id=drill.id),
        "csrf": generate_csrf(),
        "serverNow": utcnow().isoformat(),
    }
    return render_template(
        "drills/observe.html",
        drill=drill,
        injects=conduct.ordered_injects(drill),
        criteria=assessment.applicable_criteria(drill),
        steps=[(s.value, STEP_LABELS[s]) for s in FlowStep],
        templates={s.value: [str(t) for t in ts] for s, ts in observations.QUICK_TEMPLATES.items()},
        config=config,
    )


@bp.get("/<int:drill_id>/observations")
@login_required
def observation_list(drill_id: int):
    drill = load_for(drill_id, conduct.can_observe)
    notes = observations.notes_of(drill, latest=50)
    return jsonify({"server_now": utcnow().isoformat(), "notes": [observations.note_state(n) for n in notes]})


@bp.post("/<int:drill_id>/observations")
@login_required
def observation_add(drill_id: int):
    drill = load_for(drill_id, conduct.can_observe)
    form = request.form
    inject = form.get("inject_id", "")
    note, created = observations.add(
        drill,
        client_id=form.get("client_id", ""),
        text=form.get("text", ""),
        author=current_user.employee,
        user=current_user,
        now=utcnow(),
        observed_at=form.get("observed_at"),
        step=form.get("step", ""),
        inject_id=int(inject) if inject.isdigit() else None,
        criterion_ids=form.getlist("criteria"),
        photo=request.files.get("photo") or None,
    )
    return jsonify({"created": created, "note": observations.note_state(note)}), 201 if created else 200


@bp.get("/<int:drill_id>/observations/<int:note_id>/photo")
@login_required
def observation_photo(drill_id: int, note_id: int):
    drill = load_for(drill_id, conduct.can_observe)
    note = db.session.get(Observation, note_id)
    if note is None or note.drill_id != drill.id or note.photo_id is None:
        abort(404)
    stored = db.session.get(StoredFile, note.photo_id)
    path = file_path(stored) if stored else None
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype=stored.content_type, max_age=0)
