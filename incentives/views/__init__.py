"""Web pages of the points scheme: the one ``incentives`` blueprint, its routes split by concern
(``employee``: what everyone sees; ``staff``: rules, manual entries, appeals, the ledger; ``stars``: the
service-star selection and honour roll)."""

from flask import Blueprint

bp = Blueprint("incentives", __name__, url_prefix="/incentives")

# The view modules add their routes to ``bp``, so they are imported once it exists.
from incentives.views import employee, staff, stars  # noqa: E402, F401
