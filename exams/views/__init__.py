"""The exams pages and API: three blueprints (see ``common``), their routes split by concern."""

from exams.views import api, blueprints, grading, manage, results, take
from exams.views.common import api_bp, bp, manage_bp

__all__ = ["api", "api_bp", "blueprints", "bp", "grading", "manage", "manage_bp", "results", "take"]
