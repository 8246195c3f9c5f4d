"""Trend charts as server-rendered SVG (no script, no CDN): one line over the periods, each point labelled
with its value, the threshold drawn as a dashed line, a title and description for screen readers."""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 30, 10, 16, 28
# The theme's tokens (static/css/app.css: --gr-success, --gr-danger, --gr-primary); amber is the chart's own.
COLOURS = {"green": "#146c43", "amber": "#b35c00", "red": "#b02a37", "": "#0a58ca"}


def trend_svg(
    title: str, labels: list[str], values: list, colours: list[str], *, goal=None, percent=True
) -> Markup:
    """A line chart of ``values`` (None leaves a gap) over ``labels``; ``goal`` draws the green threshold."""
    known = [Decimal(v) for v in values if v is not None]
    top = max([Decimal(100)] if percent else [], default=Decimal(0))
    top = max([top, *known, Decimal(goal) if goal is not None else Decimal(0), Decimal(1)])
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v) -> float:
        return TOP + inner_h - float(Decimal(v) / top) * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'class="trend">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(', '.join(f'{label}: {v if v is not None else chr(8212)}' for label, v in zip(labels, values, strict=True)))}</desc>",
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" y2="{TOP + inner_h}" stroke="#6c757d"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="9" text-anchor="end" fill="#495057">{top.normalize():f}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + inner_h}" font-size="9" text-anchor="end" fill="#495057">0</text>',
    ]
    if goal is not None:
        gy = y(goal)
        parts.append(
            f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}" stroke="{COLOURS["green"]}" stroke-dasharray="4 3"/>'
        )
    points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS[""]}" stroke-width="2"/>')
    crowded = len(labels) > 4  # eight quarters: name the first and the last only (every value is in <desc>)
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        if not crowded or i in (0, len(labels) - 1):
            # the first and the last label end at the chart's edges, never past them (cut off otherwise)
            anchor = "start" if i == 0 else ("end" if i == len(labels) - 1 else "middle")
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" font-size="9" text-anchor="{anchor}" fill="#495057">{escape(label)}</text>'
            )
        if v is None:
            continue
        colour = COLOURS.get(colours[i], COLOURS[""])
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>')
        parts.append(
            f'<text x="{x(i):.1f}" y="{y(v) - 6:.1f}" font-size="9" text-anchor="middle" fill="#212529">{escape(str(v))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text in it went through escape() above
