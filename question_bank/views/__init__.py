"""Trainer pages of the question bank: one blueprint ("question_bank"), its routes split by concern into the
modules imported below. Employees and HR get 403; a question or category outside the trainer's scope 404.
"""

from flask import Blueprint

bp = Blueprint("question_bank", __name__, url_prefix="/question-bank")

from question_bank.views import categories, enemy_groups, media, quality, questions, review, transfer  # noqa: E402, F401
