"""Web pages of the reports package: the one ``reports`` blueprint, its routes split by concern
(``sheets``: the personal assessment sheet and a department's sheets; ``readiness``: the unit dashboard;
``indicators``: the service-indicator import; ``subscriptions``: scheduled reports)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

# The view modules add their routes to ``bp``, so they are imported once it exists.
from reports.views import assignment, indicators, readiness, sheets, subscriptions  # noqa: E402, F401
