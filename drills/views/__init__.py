"""The drills pages: one blueprint, its routes split by concern."""

from flask import Blueprint

bp = Blueprint("drills", __name__, url_prefix="/drills")

from drills.views import (  # noqa: E402, F401
    afteraction,
    board,
    common,
    conduct,
    drill,
    evaluation,
    findings,
    objectives,
    role,
    teams,
)
