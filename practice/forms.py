"""Forms of the practice pages (validation only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from core.forms import choices
from core.i18n import lazy_gettext as _l


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class StartForm(FlaskForm):
    """What to practise and how."""

    mode = SelectField(_l("How"), validators=[InputRequired()])
    chapter = SelectField(_l("Guide chapter"), coerce=_int_or_none, validators=[Optional()])
    point_id = SelectField(_l("Knowledge point"), coerce=_int_or_none, validators=[Optional()])
    qtype = SelectField(_l("Question type"), validators=[Optional()])
    difficulty = SelectField(_l("Difficulty"), coerce=_int_or_none, validators=[Optional()])
    size = SelectField(
        _l("Questions (random)"),
        coerce=int,
        choices=choices([(10, "10"), (20, "20"), (50, "50")]),
        default=20,
    )


class MockForm(FlaskForm):
    exam_id = SelectField(_l("Certification exam"), coerce=int, validators=[InputRequired()])


class BookPractiseForm(FlaskForm):
    chapter = HiddenField()
    point_id = HiddenField()


class OpeningForm(FlaskForm):
    category_id = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    department_id = SelectField(_l("Open for"), coerce=_int_or_none, validators=[Optional()])


class PlanItemForm(FlaskForm):
    plan_id = SelectField(_l("Training plan"), coerce=int, validators=[InputRequired()])
    course_id = SelectField(_l("Course"), coerce=int, validators=[InputRequired()])
    planned_month = IntegerField(_l("Month"), validators=[InputRequired(), NumberRange(1, 12)])
    planned_hours = DecimalField(
        _l("Planned hours"), places=1, validators=[InputRequired(), NumberRange(0.5, 1000)]
    )
