"""Forms of the points scheme (validation only; the services decide)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from core.forms import choices
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext
from incentives.labels import CAP_PERIOD_LABELS, CATEGORY_LABELS, PERIOD_LABELS, TRIGGER_LABELS


class RuleForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, - and _ only.")),
        ],
    )
    name = StringField(
        lazy_pgettext("what a thing is called", "Name"), validators=[DataRequired(), Length(max=100)]
    )
    description = TextAreaField(
        _l("How to earn it (plain words for employees)"), validators=[DataRequired(), Length(max=2000)]
    )
    trigger = SelectField(_l("Paid when"), choices=choices([(k.value, v) for k, v in TRIGGER_LABELS.items()]))
    category = SelectField(
        _l("Category"), choices=choices([(k.value, v) for k, v in CATEGORY_LABELS.items()])
    )
    points = DecimalField(
        _l("Points (per hour for training; negative for deductions)"),
        places=1,
        validators=[InputRequired(), NumberRange(min=-1000, max=1000)],
    )
    evidence = StringField(_l("Evidence required"), validators=[Optional(), Length(max=300)])
    cap = DecimalField(
        _l("Cap per period (points, empty: none)"),
        places=1,
        validators=[Optional(), NumberRange(min=0.1, max=100000)],
    )
    cap_period = SelectField(
        _l("Cap period"), choices=choices([(k.value, v) for k, v in CAP_PERIOD_LABELS.items()])
    )
    threshold = DecimalField(
        _l("Score threshold in % (exam score rules)"),
        places=1,
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class SettingsForm(FlaskForm):
    employee_top_n = IntegerField(
        _l("Employees see only the top N of a leaderboard (empty: everyone)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
    )
    tie_breaks = SelectMultipleField(_l("Tie-breaks, in order"))
    default_nominees = IntegerField(
        _l("Default number of nominees per unit"), validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    submit = SubmitField(_l("Save"))


class ClaimForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=30)])
    rule_id = SelectField(_l("Rule"), coerce=int)
    occurred_on = DateField(_l("Date of the event"), validators=[DataRequired()])
    evidence_text = TextAreaField(_l("Evidence"), validators=[DataRequired(), Length(min=5, max=4000)])
    attachment = FileField(
        _l("Attachment (PDF, JPEG or PNG, up to 5 MB)"),
        validators=[FileRequired(message=_l("Attach the evidence (PDF, JPEG or PNG)."))],
    )
    submit = SubmitField(_l("Submit for approval"))


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason (required to reject)"), validators=[Optional(), Length(max=2000)])
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))


class AppealForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this entry wrong?"), validators=[DataRequired(), Length(min=5, max=2000)]
    )
    submit = SubmitField(_l("File appeal"))


class ResolveForm(FlaskForm):
    resolution = TextAreaField(_l("Decision and reason"), validators=[DataRequired(), Length(max=2000)])
    uphold = SubmitField(_l("Uphold (reverse the entry)"))
    dismiss = SubmitField(_l("Dismiss"))


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Reverse this entry"))


class SelectionForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int)
    period_kind = SelectField(_l("Period"), choices=choices([(k.value, v) for k, v in PERIOD_LABELS.items()]))
    period = SelectField(_l("Which period"), validators=[DataRequired()])
    max_nominees = IntegerField(
        _l("Nominees at most"), validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    tie_breaks = SelectMultipleField(_l("Tie-breaks, in order"))
    submit = SubmitField(_l("Open selection"))


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are the nominations returned?"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Return to the unit"))


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the published ranking corrected?"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Save a corrected version"))


class ApproverForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int)
    employee_no = StringField(
        _l("Approver's employee number (empty: none)"), validators=[Optional(), Length(max=30)]
    )
    submit = SubmitField(_l("Save approver"))
