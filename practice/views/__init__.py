"""The practice pages: practising (views/practise.py), the mistake book (views/book.py), a person's
mastery (views/progress.py) and the trainers' pages: openings, heatmap, plan items (views/manage.py)."""

from flask import Blueprint

bp = Blueprint("practice", __name__, url_prefix="/practice")

from practice.views import book, manage, practise, progress  # noqa: E402, F401
