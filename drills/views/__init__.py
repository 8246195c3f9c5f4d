"""The drills pages: one blueprint, its routes split by concern."""

from flask import Blueprint

bp = Blueprint("drills", __name__, url_prefix="/drills")

from drills.views import board, common, drill, evaluation, findings, role  # noqa: E402, F401
