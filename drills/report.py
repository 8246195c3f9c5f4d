"""The evaluation report (演练评估报告) as HTML for ``core.pdf.render_pdf``, its server-rendered SVG bar
chart of the group scores, and the .ics calendar export of drills (times in Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import render_template
from icalendar import Calendar, Event
from markupsafe import Markup, escape

from core.timeutil import LOCAL_TZ
from drills import assessment, conduct, feedback, meeting, objectives, observations, services, timeline
from drills.evaluation import GroupScore
from drills.evaluation_models import FindingKind, FormKind, FormStatus, IssuedReport
from drills.labels import INCIDENT_LABELS, STEP_LABELS
from drills.models import Drill
from drills.settings import get_settings


def bar_chart_svg(groups: list[GroupScore], pass_mark: Decimal) -> Markup:
    """Horizontal bars, one per group (dropped groups shown as 不适用), with the pass mark as a line."""
    row_h, left, width = 26, 130, 360
    height = row_h * len(groups) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{height}" '
        f'viewBox="0 0 {left + width + 60} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="12">'
    ]
    for i, g in enumerate(groups):
        y = 10 + i * row_h
        label = escape(f"{g.group.code} {g.group.name}")
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{width}" height="16" fill="#eef1f4"/>')
        if g.score is None:
            parts.append(f'<text x="{left + 6}" y="{y + 15}" fill="#6c757d">不适用</text>')
            continue
        w = int(width * g.score / 100)
        color = "#198754" if g.score >= pass_mark else "#dc3545"
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w}" height="16" fill="{color}"/>')
        parts.append(f'<text x="{left + width + 6}" y="{y + 15}">{g.rounded}</text>')
    x = left + int(width * pass_mark / 100)
    parts.append(f'<line x1="{x}" y1="6" x2="{x}" y2="{height - 14}" stroke="#333" stroke-dasharray="4 3"/>')
    parts.append(
        f'<text x="{x}" y="{height - 2}" text-anchor="middle" font-size="10">合格线 {pass_mark}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text node above is escaped


def report_context(drill: Drill, issued: IssuedReport | None = None) -> dict:
    result = assessment.current_result(drill)
    findings = services.findings_of(drill)
    settings = get_settings()
    evaluators = [
        f.evaluator
        for f in assessment.forms_of(drill, FormKind.EVALUATOR)
        if f.status == FormStatus.SUBMITTED
    ]
    return {
        "drill": drill,
        "result": result,
        "chart": bar_chart_svg(result.groups, settings.tier_pass),
        "strengths": [f for f in findings if f.kind == FindingKind.STRENGTH],
        "improvements": [f for f in findings if f.kind == FindingKind.IMPROVEMENT],
        "evaluators": evaluators,
        "views": assessment.consolidated(drill),
        "settings": settings,
        "incident": INCIDENT_LABELS.get(drill.incident_type, drill.incident_type),
        "issued": issued,
        **_conduct_context(drill),
    }


def _conduct_context(drill: Drill) -> dict:
    """What the report shows of how the drill ran: injects planned vs actual (with the number of notes per
    inject, not the notes), the timing checks and the participants' feedback in aggregate."""
    notes = observations.notes_of(drill)
    counts: dict[int, int] = {}
    for note in notes:
        if note.inject_id is not None:
            counts[note.inject_id] = counts.get(note.inject_id, 0) + 1
    return {
        "injects": conduct.ordered_injects(drill),
        "note_counts": counts,
        "notes_total": len(notes),
        "on_time": conduct.ON_TIME_MINUTES,
        "timings": timeline.suggestions(drill),
        "feedback": feedback.summary(drill, "演练整体"),
        "objective_ratings": objectives.ratings(drill),
        "meeting": meeting.meeting_of(drill),
        "steps": {key: str(label) for key, label in STEP_LABELS.items()},
    }


def report_html(drill: Drill, issued: IssuedReport | None = None) -> str:
    """The complete HTML of the drill's evaluation report; ``issued`` gives its version and date
    (without it the report is a draft)."""
    return render_template("drills/report_pdf.html", **report_context(drill, issued))


def calendar_ics(drills: list[Drill], host: str) -> bytes:
    """The drills as an iCalendar file; DTSTART/DTEND carry TZID=Asia/Shanghai."""
    cal = Calendar()
    cal.add("prodid", "-//GridReady//drills//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for d in drills:
        event = Event()
        event.add("uid", f"drill-{d.id}@{host}")
        event.add("summary", d.title)
        event.add("dtstart", d.starts_at.astimezone(LOCAL_TZ))
        event.add("dtend", d.ends_at.astimezone(LOCAL_TZ))
        event.add("dtstamp", dt.datetime.now(dt.UTC))
        event.add("location", d.place or d.unit.name)
        event.add(
            "description",
            f"{d.unit.name} · {INCIDENT_LABELS.get(d.incident_type, d.incident_type)} · {d.status}",
        )
        cal.add_component(event)
    return cal.to_ical()
