"""Periodic work of the practice package on the task queue (``core.queue``).

- ``rebuild_heatmap`` (every night at 19:40 UTC, 03:40 Asia/Shanghai): recompute the heatmap's department
  sums (``practice_department_mastery``) from every person's mastery, as ``flask practice rebuild-heatmap``
  does. Each answer keeps the sums up to date as it goes; what answers cannot see — people moving between
  departments, leaving or coming back, a department removed — the nightly rebuild puts right. The rebuild
  replaces every row from the people's mastery, so running it twice, or after a missed night, gives the same
  sums (idempotent). An answer committed while the rebuild reads may be left out of the rebuilt sums until the
  next night (one person's change on the points of one question); the quiet hour keeps that rare.
"""

from __future__ import annotations

from huey import crontab

from core.queue import app_periodic_task
from practice.recording import rebuild_department_mastery


@app_periodic_task(crontab(minute="40", hour="19"))  # the queue's clock is UTC: 03:40 in Shanghai
def rebuild_heatmap() -> int:
    """Nightly: the heatmap's department sums recomputed from the people's mastery (rows written)."""
    return rebuild_department_mastery()
