"""The exams dashboard card."""

from __future__ import annotations

from exams import services


def my_exams_card(user, now):
    """Dashboard card: the exams the employee may sit now or soon."""
    exams = [e for e in services.candidate_exams(user.employee, now, recent_days=0) if e.closes_at > now]
    if not exams:
        return None
    return {"exams": exams[:5], "now": now, "more": len(exams) > 5}
