"""Web pages of the points scheme; the modules add their routes to the one ``incentives`` blueprint."""

from incentives.views import employee, staff, stars
from incentives.views.common import bp

__all__ = ["bp", "employee", "staff", "stars"]
