"""Choices and loaders the practice views share."""

from __future__ import annotations

from core.forms import choices
from core.i18n import gettext as _
from practice.rules import PRACTISED_TYPES
from question_bank.knowledge import choices as point_choices
from question_bank.labels import TYPE_LABELS

CHAPTERS = range(1, 9)


def chapter_choices():
    return choices([(None, _("Any"))] + [(c, _("Chapter %(n)s", n=c)) for c in CHAPTERS])


def point_select_choices():
    return choices([(None, _("Any"))] + point_choices(max_depth=2))


def type_choices():
    return choices([("", _("Any"))] + [(t, TYPE_LABELS[t]) for t in PRACTISED_TYPES])


def difficulty_choices():
    return choices([(None, _("Any"))] + [(d, str(d)) for d in range(1, 6)])
