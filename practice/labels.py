"""Practice modes and sources in words (lazily translated); the audit log's words for this package."""

from __future__ import annotations

from core.i18n import lazy_gettext as _l
from practice.models import Mode, Source

MODE_LABELS = {
    Mode.SEQUENTIAL: _l("In order"),
    Mode.RANDOM: _l("Random"),
    Mode.MISTAKES: _l("My mistakes"),
    Mode.FAVOURITES: _l("My favourites"),
    Mode.MOCK: _l("Mock exam"),
}

SOURCE_LABELS = {Source.PRACTICE: _l("Practice"), Source.EXAM: _l("Exam")}

BAND_LABELS = {
    "strong": _l("Strong"),
    "middle": _l("Fair"),
    "weak": _l("Weak"),
    "unknown": _l("Not enough answers"),
}

AUDIT_OBJECTS = {"PracticeOpening": _l("Category open for practice")}
AUDIT_ACTIONS = {"practice.heatmap_people": _l("Staff mastery viewed")}
