"""Forms of the drills pages (validation only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
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
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import choices
from core.i18n import lazy_gettext as _l
from drills.halfyear import HalfYear
from drills.labels import INCIDENT_LABELS, PARTICIPANT_ROLE_LABELS, RATING_LABELS, TEAM_ROLE_LABELS
from drills.models import ContentType, DrillFormat, DrillPurpose, DrillScope

CONTENT_CHOICES = [
    (ContentType.SIMULATED_EVENT.value, _l("Simulated event")),
    (ContentType.RESPONSE.value, _l("Emergency response")),
    (ContentType.CUSTOMER_COMMS.value, _l("Customer communication")),
    (ContentType.MATERIALS.value, _l("Materials dispatch")),
]
FORM_CHOICES = [(DrillFormat.TABLETOP.value, _l("Tabletop")), (DrillFormat.LIVE.value, _l("Live"))]
SCOPE_CHOICES = [
    (DrillScope.FULL.value, _l("Comprehensive")),
    (DrillScope.SINGLE.value, _l("Single function")),
]
PURPOSE_CHOICES = [
    (DrillPurpose.TESTING.value, _l("Testing")),
    (DrillPurpose.DEMONSTRATION.value, _l("Demonstration")),
    (DrillPurpose.RESEARCH.value, _l("Research")),
]
LEVEL_CHOICES = [("1", _l("Level 1 (major)")), ("2", _l("Level 2 (large)")), ("3", _l("Level 3 (general)"))]
ROLE_CHOICES = [(role.value, label) for role, label in PARTICIPANT_ROLE_LABELS.items()]
SEVERITY_CHOICES = [
    ("deficiency", _l("Deficiency")),
    ("corrective", _l("Corrective item")),
    ("improvement", _l("Improvement item")),
]
ELEMENT_CHOICES = [
    ("plan", _l("Emergency plan")),
    ("organisation", _l("Organisation")),
    ("people", _l("People")),
    ("mechanism", _l("Mechanism")),
    ("support", _l("Support")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DrillEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[InputRequired()])
    plan_id = SelectField(_l("Emergency plan"), coerce=int, validators=[InputRequired()])
    level = SelectField(_l("Simulated level"), choices=choices(LEVEL_CHOICES), default="3")
    form = SelectField(_l("Form"), choices=choices(FORM_CHOICES))
    scope = SelectField(_l("Scope"), choices=choices(SCOPE_CHOICES))
    purpose = SelectField(_l("Purpose"), choices=choices(PURPOSE_CHOICES))
    content_types = MultiCheckboxField(_l("Content types"), choices=choices(CONTENT_CHOICES))
    day = DateField(_l("Date"), validators=[InputRequired()])
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    end = TimeField(_l("Ends at"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    director_no = StringField(_l("Director (employee number)"), validators=[Optional(), Length(max=30)])
    objectives = TextAreaField(_l("Objectives"), validators=[Optional(), Length(max=5000)])
    scenario = TextAreaField(_l("Scenario"), validators=[Optional(), Length(max=10000)])
    resources = TextAreaField(_l("Resources"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def validate_content_types(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one content type."))

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The drill must end after it starts."))


class ParticipantForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=30)])
    role = SelectField(_l("Role"), choices=choices(ROLE_CHOICES))
    submit = SubmitField(_l("Add"))


class InjectForm(FlaskForm):
    offset_minutes = IntegerField(
        _l("Minutes after start"), validators=[InputRequired(), NumberRange(min=0, max=1440)]
    )
    event = TextAreaField(_l("Event"), validators=[DataRequired(), Length(max=2000)])
    expected_action = TextAreaField(_l("Expected action"), validators=[Optional(), Length(max=2000)])
    responsible_role = StringField(_l("Responsible role"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Add inject"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class ReportTextForm(FlaskForm):
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=10000)])
    lessons = TextAreaField(_l("Lessons learned"), validators=[Optional(), Length(max=10000)])
    suggestions = TextAreaField(_l("Suggestions"), validators=[Optional(), Length(max=10000)])
    submit = SubmitField(_l("Save texts"))


class SettleForm(FlaskForm):
    level = SelectField(_l("Settled rating"), choices=choices(list(RATING_LABELS.items())))
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Settle"))


class FindingForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=choices([("improvement", _l("Area for improvement")), ("strength", _l("Strength"))]),
    )
    severity = SelectField(_l("Severity"), choices=choices(SEVERITY_CHOICES))
    element = SelectField(_l("Element"), choices=choices(ELEMENT_CHOICES))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    recommendation = TextAreaField(_l("Recommendation"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Add finding"))


class SeverityForm(FlaskForm):
    severity = SelectField(_l("Severity"), choices=choices(SEVERITY_CHOICES))
    element = SelectField(_l("Element"), choices=choices(ELEMENT_CHOICES))
    submit = SubmitField(_l("Save"))


class ActionForm(FlaskForm):
    owner_no = StringField(_l("Owner (employee number)"), validators=[DataRequired(), Length(max=30)])
    description = TextAreaField(_l("Corrective action"), validators=[DataRequired(), Length(max=5000)])
    due_date = DateField(
        _l("Due date"), validators=[Optional()], description=_l("Empty: the default for the severity.")
    )
    submit = SubmitField(_l("Assign"))


class ActionStatusForm(FlaskForm):
    to = SelectField(_l("Next step"), choices=[])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    evidence = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=5000)])
    new_due = DateField(_l("New due date (deferral)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Plan revision"),
        choices=choices([("revise", _l("Revise the plan")), ("no_change", _l("No change needed"))]),
    )
    note = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record decision"))


class PlanLevelForm(FlaskForm):
    trigger = TextAreaField(_l("Trigger"), validators=[DataRequired(), Length(max=2000)])
    response_standard = TextAreaField(_l("Response standard"), validators=[DataRequired(), Length(max=2000)])
    responsible_roles = TextAreaField(_l("Responsible roles"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Save level"))


class SettingsForm(FlaskForm):
    amber_days = IntegerField(
        _l("Amber: days before half-year end with no approved drill"),
        validators=[InputRequired(), NumberRange(1, 180)],
    )
    escalation_days = IntegerField(
        _l("Escalation: days before the end, drill not conducted"),
        validators=[InputRequired(), NumberRange(1, 180)],
    )
    red_days = IntegerField(
        _l("Red: days before the end, not evaluated or failed"),
        validators=[InputRequired(), NumberRange(0, 180)],
    )
    report_due_days = IntegerField(
        _l("Report due (days after the drill)"), validators=[InputRequired(), NumberRange(1, 90)]
    )
    coverage_half_years = IntegerField(
        _l("Coverage window for incident types (half years)"),
        validators=[InputRequired(), NumberRange(1, 10)],
    )
    tier_excellent = DecimalField(
        _l("Excellent from"), places=2, validators=[InputRequired(), NumberRange(0, 100)]
    )
    tier_good = DecimalField(_l("Good from"), places=2, validators=[InputRequired(), NumberRange(0, 100)])
    tier_pass = DecimalField(_l("Pass from"), places=2, validators=[InputRequired(), NumberRange(0, 100)])
    deficiency_due_days = IntegerField(
        _l("Deficiencies due after (days)"), validators=[InputRequired(), NumberRange(1, 365)]
    )
    reminder_days_before = IntegerField(
        _l("Reminder before due (days)"), validators=[InputRequired(), NumberRange(0, 60)]
    )
    team_lapse_months = IntegerField(
        _l("Emergency-team members: months without a drill before they are listed"),
        validators=[InputRequired(), NumberRange(1, 60)],
    )
    rules_start = SelectField(_l("Rules apply from (half year)"), validators=[DataRequired()])
    submit = SubmitField(_l("Save settings"))

    def validate_rules_start(self, field):
        try:
            HalfYear.parse(field.data)
        except ValueError as exc:
            raise ValidationError(_l("Write a half year like 2025H1.")) from exc

    def validate_escalation_days(self, field):
        if self.amber_days.data is not None and field.data is not None and field.data > self.amber_days.data:
            raise ValidationError(_l("Escalation comes after amber: use fewer days."))

    def validate_red_days(self, field):
        if (
            self.escalation_days.data is not None
            and field.data is not None
            and field.data > self.escalation_days.data
        ):
            raise ValidationError(_l("Red comes after the escalation: use fewer days."))

    def validate_tier_good(self, field):
        if None not in (field.data, self.tier_excellent.data) and field.data > self.tier_excellent.data:
            raise ValidationError(_l("Good must not be above excellent."))

    def validate_tier_pass(self, field):
        if None not in (field.data, self.tier_good.data) and field.data > self.tier_good.data:
            raise ValidationError(_l("Pass must not be above good."))


INCIDENT_CHOICES = [(k.value, v) for k, v in INCIDENT_LABELS.items()]
UNIT_KIND_CHOICES = [
    ("branch", _l("Branch company")),
    ("center", _l("Customer service centre")),
    ("station", _l("Supply station")),
]


class PlanForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    incident_type = SelectField(_l("Incident type"), choices=choices(INCIDENT_CHOICES))
    unit_kinds = MultiCheckboxField(
        _l("Applies to"), choices=choices(UNIT_KIND_CHOICES), description=_l("None ticked: every unit.")
    )
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    trigger1 = TextAreaField(_l("Level 1 (major): trigger"), validators=[DataRequired(), Length(max=2000)])
    standard1 = TextAreaField(_l("Level 1: response standard"), validators=[DataRequired(), Length(max=2000)])
    roles1 = StringField(_l("Level 1: responsible roles"), validators=[DataRequired(), Length(max=1000)])
    trigger2 = TextAreaField(_l("Level 2 (large): trigger"), validators=[DataRequired(), Length(max=2000)])
    standard2 = TextAreaField(_l("Level 2: response standard"), validators=[DataRequired(), Length(max=2000)])
    roles2 = StringField(_l("Level 2: responsible roles"), validators=[DataRequired(), Length(max=1000)])
    trigger3 = TextAreaField(_l("Level 3 (general): trigger"), validators=[DataRequired(), Length(max=2000)])
    standard3 = TextAreaField(_l("Level 3: response standard"), validators=[DataRequired(), Length(max=2000)])
    roles3 = StringField(_l("Level 3: responsible roles"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Save plan"))


class TimingForm(FlaskForm):
    """Confirm the computed minutes (leave empty) or correct them (with a note)."""

    minutes = IntegerField(_l("Measured minutes"), validators=[Optional(), NumberRange(min=0, max=1440)])
    note = TextAreaField(_l("Why corrected"), validators=[Optional(), Length(max=2000)])


FEEDBACK_RATINGS = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


class FeedbackForm(FlaskForm):
    """The hotwash form; the 1–5 ratings are read from ``rating-<key>`` fields next to it."""

    went_well = TextAreaField(_l("What went well?"), validators=[Optional(), Length(max=2000)])
    to_improve = TextAreaField(_l("What should be improved?"), validators=[Optional(), Length(max=2000)])


class ObjectiveForm(FlaskForm):
    """One drill objective: its text, the step of the response flow, the criteria that measure it."""

    text = TextAreaField(_l("Objective"), validators=[DataRequired(), Length(max=500)])
    step = SelectField(_l("Step of the response flow"), choices=[], validate_choice=False)
    criteria = SelectMultipleField(
        _l("Measured by the criteria"), choices=[], coerce=int, validate_choice=False
    )


class MeetingForm(FlaskForm):
    """The after-action meeting: date, attendees, decisions."""

    held_on = DateField(_l("Held on"), validators=[DataRequired()])
    attendees = TextAreaField(_l("Attendees"), validators=[DataRequired(), Length(max=4000)])
    decisions = TextAreaField(_l("Decisions"), validators=[DataRequired(), Length(max=4000)])


TEAM_ROLE_CHOICES = [(role.value, label) for role, label in TEAM_ROLE_LABELS.items()]


class TeamForm(FlaskForm):
    """An emergency team's name, duties and standing."""

    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=100)])
    duties = TextAreaField(_l("Duties"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(_l("Team is active"), default=True)
    submit = SubmitField(_l("Save team"))


class NewTeamForm(TeamForm):
    department = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])


class TeamMemberForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=30)])
    role = SelectField(_l("Team role"), choices=choices(TEAM_ROLE_CHOICES))
    joined_on = DateField(_l("On the team from"), validators=[DataRequired()])
    submit = SubmitField(_l("Add member"))


class TeamMemberChangeForm(FlaskForm):
    role = SelectField(_l("Team role"), choices=choices(TEAM_ROLE_CHOICES))
    left_on = DateField(_l("Left the team on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class TeamPickForm(FlaskForm):
    team = SelectField(_l("Emergency team"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Add the team"))
