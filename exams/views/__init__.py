"""The exams pages and API: three blueprints (candidate pages, trainer and HR pages, the runtime's JSON
API), their routes split by concern into the modules imported below."""

from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams")
manage_bp = Blueprint("exams_manage", __name__, url_prefix="/exams/manage")
api_bp = Blueprint("exams_api", __name__, url_prefix="/api/exams")

from exams.views import (  # noqa: E402, F401
    api,
    arrangements,
    blueprints,
    grading,
    manage,
    monitor,
    printing,
    results,
    reviews,
    take,
)
