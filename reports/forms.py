"""Forms of the reports package: the dashboard's thresholds and team weights, the indicator import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, NumberRange, Optional

from core.i18n import lazy_gettext as _l


def thresholds_form(keys: list[str]) -> type[FlaskForm]:
    """A form with, per measure, the green and amber thresholds and the weight in the team ranking."""

    class ThresholdsForm(FlaskForm):
        pass

    for key in keys:
        setattr(
            ThresholdsForm,
            f"{key}_green",
            DecimalField(_l("Green from"), validators=[Optional(), NumberRange(0)]),
        )
        setattr(
            ThresholdsForm,
            f"{key}_amber",
            DecimalField(_l("Amber from"), validators=[Optional(), NumberRange(0)]),
        )
        setattr(
            ThresholdsForm,
            f"{key}_weight",
            IntegerField(_l("Weight in the team ranking"), validators=[Optional(), NumberRange(0, 100)]),
        )
    return ThresholdsForm


def fill_thresholds(form, limits: dict, weights: dict, keys: list[str]) -> None:
    for key in keys:
        form[f"{key}_green"].data = limits.get(key, {}).get("green")
        form[f"{key}_amber"].data = limits.get(key, {}).get("amber")
        form[f"{key}_weight"].data = weights.get(key, 0)


def threshold_values(form, keys: list[str]) -> tuple[dict, dict]:
    """(thresholds, team weights) as stored in ``ReportSettings``."""
    limits, weights = {}, {}
    for key in keys:
        green, amber = form[f"{key}_green"].data, form[f"{key}_amber"].data
        limits[key] = {
            "green": float(green) if green is not None else None,
            "amber": float(amber) if amber is not None else None,
        }
        if form[f"{key}_weight"].data:
            weights[key] = int(form[f"{key}_weight"].data)
    return limits, weights


class IndicatorUploadForm(FlaskForm):
    month = StringField(_l("Month (e.g. 2026-07)"), validators=[DataRequired()])
    file = FileField(_l("Workbook (.xlsx or .csv)"), validators=[FileRequired()])
    submit = SubmitField(_l("Check the file"))


class IndicatorConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    month = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import, replacing the month"))


class AssignmentRuleForm(FlaskForm):
    name = StringField(_l("Name of the rule"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[])
    position_id = SelectField(_l("Position"), coerce=int, choices=[], validators=[Optional()])
    course_id = SelectField(_l("Course"), coerce=int, choices=[], validators=[Optional()])
    every_months = IntegerField(
        _l("Every how many months"), default=12, validators=[Optional(), NumberRange(1, 120)]
    )
    certificate_type_id = SelectField(_l("Certificate"), coerce=int, choices=[], validators=[Optional()])
    exam_id = SelectField(_l("Renewal exam"), coerce=int, choices=[], validators=[Optional()])
    days_before = IntegerField(
        _l("Days before expiry"), default=90, validators=[Optional(), NumberRange(1, 365)]
    )
    submit = SubmitField(_l("Save the rule (not enabled yet)"))
