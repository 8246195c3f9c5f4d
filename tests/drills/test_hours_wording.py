"""Training hours a drill credits name the participant's role in the site's language, whatever the
language of whoever recorded the drill (issue 24: no 「(player)」 in a Chinese description)."""

import pytest
from sqlalchemy import select

from drills import services
from tests.drills.factories import ready_drill
from training.models import HoursEntry


@pytest.mark.locale("en")
def test_a_drill_recorded_in_english_credits_hours_described_in_chinese(db):
    drill = ready_drill(players=1, evaluators=1)
    services.approve(drill, None, drill.starts_at)
    services.record_conducted(drill, {p.id for p in drill.participants}, drill.ends_at)
    descriptions = db.session.scalars(
        select(HoursEntry.description).where(HoursEntry.source_key.like(f"drill:drill:{drill.id}:%"))
    ).all()
    assert descriptions and any("参演" in d for d in descriptions)
    assert not any(word in d.lower() for d in descriptions for word in ("player", "evaluator", "commander"))
