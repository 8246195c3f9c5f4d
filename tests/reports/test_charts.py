"""The readiness trend chart (server-rendered SVG) is named for screen readers and keeps its period labels
inside its box: the first starts at the left edge of the plot, the last ends at its right edge."""

from __future__ import annotations

import re

from reports.charts import HEIGHT, trend_svg


def _labels(svg: str) -> list[tuple[str, str]]:
    """(anchor, text) of the period labels along the bottom."""
    bottom = rf'y="{HEIGHT - 8}" font-size="9" text-anchor="(start|middle|end)" fill="#495057">([^<]+)</text>'
    return re.findall(bottom, svg)


def test_the_chart_is_an_image_named_by_its_title_and_described_by_its_values():
    svg = str(trend_svg("持证率", ["2026年上半年", "2026年下半年"], [80, None], ["green", ""], goal=90))
    assert 'role="img"' in svg
    assert "<title>持证率</title>" in svg
    assert "<desc>2026年上半年: 80, 2026年下半年: —</desc>" in svg


def test_the_first_and_last_period_labels_stay_inside_the_chart():
    periods = ["2025年上半年", "2025年下半年", "2026年上半年", "2026年下半年"]
    labels = _labels(str(trend_svg("学时完成率", periods, [10, 20, 30, 40], [""] * 4)))
    assert [text for _anchor, text in labels] == periods
    assert labels[0][0] == "start" and labels[-1][0] == "end"
    assert {anchor for anchor, _text in labels[1:-1]} == {"middle"}
    crowded = _labels(
        str(trend_svg("人均积分", [f"Q{n}" for n in range(8)], list(range(8)), [""] * 8, percent=False))
    )
    assert crowded == [("start", "Q0"), ("end", "Q7")]
