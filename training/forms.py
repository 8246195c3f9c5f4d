"""Training forms: validation only."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms import choices
from core.i18n import lazy_gettext as _l
from training.labels import FORMAT_LABELS, PERIOD_LABELS


class CourseEditForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    guide_chapters = StringField(_l("Guide chapters"), validators=[Length(max=100)])
    hours = DecimalField(_l("Hours"), places=1, validators=[InputRequired(), NumberRange(min=0, max=999)])
    form = SelectField(_l("Form"), choices=choices((k.value, v) for k, v in FORMAT_LABELS.items()))
    positions = SelectMultipleField(_l("Target positions"), coerce=int, validators=[Optional()])
    knowledge_points = StringField(
        _l("Knowledge points"),
        description=_l("Separate with commas or 、; new points are added to the list."),
        validators=[Length(max=1000)],
    )
    department = SelectField(_l("Owning unit"), coerce=int)
    requires_exam = BooleanField(_l("Completion requires passing the linked exam"))
    material_title = StringField(_l("Material title"), validators=[Length(max=200)])
    material_url = StringField(_l("Material link"), validators=[Optional(), URL(), Length(max=500)])
    material_file = FileField(_l("Material file (PDF, image, Office or MP4)"))
    submit = SubmitField(_l("Save"))


class MaterialForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    url = StringField(_l("Link (instead of a file)"), validators=[Optional(), URL(), Length(max=500)])
    file = FileField(_l("File (PDF, image, Office or MP4)"))
    submit = SubmitField(_l("Add material"))


class SessionEditForm(FlaskForm):
    course = SelectField(_l("Course"), coerce=int)
    department = SelectField(_l("Organising unit"), coerce=int)
    title = StringField(_l("Title"), validators=[Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    capacity = IntegerField(
        _l("Capacity"), default=30, validators=[InputRequired(), NumberRange(min=1, max=5000)]
    )
    trainer_no = StringField(_l("Trainer (employee number)"), validators=[Optional(), Length(max=30)])
    plan_item = SelectField(
        _l("Plan item"), coerce=int, description=_l("Counts towards that item's progress.")
    )
    self_enrolment = BooleanField(_l("Open for self-enrolment"), default=True)
    walk_ins = BooleanField(
        _l("Walk-ins register on the spot"),
        default=False,
        description=_l("Once the session has started, people not enrolled can register while seats remain."),
    )
    submit = SubmitField(_l("Save"))


class AssignForm(FlaskForm):
    departments = SelectMultipleField(_l("Departments"), coerce=int, validators=[DataRequired()])
    positions = SelectMultipleField(_l("Positions"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Enrol"))


class WalkInForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=30)])
    submit = SubmitField(_l("Add walk-in"))


class ExternalRecordForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=30)])
    certificate_type = SelectField(_l("Certificate type"), coerce=int)
    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=60)])
    issued_on = DateField(_l("Issue date"), validators=[DataRequired()])
    expires_on = DateField(_l("Expiry date"), validators=[Optional()])
    scan = FileField(_l("Scan (PDF, PNG or JPEG)"), validators=[FileRequired()])
    submit = SubmitField(_l("Record"))


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Revoke"))


class PlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    unit = SelectField(_l("Unit"), coerce=int)
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    period = SelectField(_l("Period"), choices=choices((k.value, v) for k, v in PERIOD_LABELS.items()))
    submit = SubmitField(_l("Save"))


class PlanItemForm(FlaskForm):
    course = SelectField(_l("Course"), coerce=int)
    departments = SelectMultipleField(
        _l("Target departments"),
        coerce=int,
        description=_l("None chosen: the plan's whole unit."),
        validators=[Optional()],
    )
    positions = SelectMultipleField(
        _l("Target positions"),
        coerce=int,
        description=_l("None chosen: every position."),
        validators=[Optional()],
    )
    planned_month = IntegerField(
        _l("Planned month"), validators=[InputRequired(), NumberRange(min=1, max=12)]
    )
    planned_hours = DecimalField(
        _l("Planned hours"), places=1, validators=[InputRequired(), NumberRange(min=Decimal("0.5"), max=999)]
    )
    trainer_no = StringField(_l("Trainer (employee number)"), validators=[Optional(), Length(max=30)])
    headcount = IntegerField(_l("Headcount"), validators=[InputRequired(), NumberRange(min=0, max=100000)])
    submit = SubmitField(_l("Save"))


class ClonePlanForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    submit = SubmitField(_l("Clone"))
