"""Forms for blueprints, exams, audience, re-sits and hand grading."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from core.forms import choices
from core.i18n import lazy_gettext as _l
from exams.grading import MultipleRule
from exams.labels import GRADING_METHOD_LABELS, MULTIPLE_RULE_LABELS, PURPOSE_LABELS, RELEASE_LABELS
from exams.models import RuleKind
from exams.printing import CHOICES as EXPORT_CHOICES
from exams.printing.paper import VARIANTS

TYPE_CHOICES = [
    ("single", _l("Single choice")),
    ("multiple", _l("Multiple choice")),
    ("truefalse", _l("True/false")),
    ("fill", _l("Fill in the blank")),
    ("essay", _l("Short answer")),
    ("matching", _l("Matching")),
    ("numerical", _l("Numerical")),
]


class BlueprintForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    owner_department_id = SelectField(_l("Owning department"), coerce=int)
    submit = SubmitField(_l("Save"))


class SectionForm(FlaskForm):
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Add section"))


class RuleForm(FlaskForm):
    section_id = SelectField(_l("Section"), coerce=int)
    kind = SelectField(
        _l("Kind"),
        choices=choices([(RuleKind.DRAW, _l("Draw at random")), (RuleKind.FIXED, _l("Fixed question"))]),
    )
    count = IntegerField(
        _l("Number of questions"), default=5, validators=[Optional(), NumberRange(min=1, max=500)]
    )
    points = DecimalField(
        _l("Points each"), default=2, places=2, validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
    category_id = SelectField(_l("Category (with subcategories)"), coerce=int)
    chapters = SelectMultipleField(
        _l("Guide chapters"),
        coerce=int,
        choices=choices([(i, str(i)) for i in range(1, 9)]),
        validators=[Optional()],
    )
    types = SelectMultipleField(_l("Question types"), choices=choices(TYPE_CHOICES), validators=[Optional()])
    difficulties = SelectMultipleField(
        _l("Difficulty"),
        coerce=int,
        choices=choices([(i, str(i)) for i in range(1, 6)]),
        validators=[Optional()],
    )
    tag_ids = SelectMultipleField(_l("Tags"), coerce=int, validators=[Optional()])
    question_id = IntegerField(_l("Question number (fixed)"), validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField(_l("Add rule"))

    def validate_question_id(self, field):
        if self.kind.data == RuleKind.FIXED and not field.data:
            raise ValidationError(_l("Give the number of the fixed question."))

    def validate_count(self, field):
        if self.kind.data == RuleKind.DRAW and not field.data:
            raise ValidationError(_l("Give how many questions to draw."))


class ExamForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Instructions"), validators=[Optional(), Length(max=4000)])
    purpose = SelectField(_l("Purpose"), choices=choices(list(PURPOSE_LABELS.items())))
    blueprint_id = SelectField(_l("Paper blueprint"), coerce=int)
    opens_at = DateTimeLocalField(
        _l("Opens (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), default=60, validators=[InputRequired(), NumberRange(min=1, max=1440)]
    )
    max_attempts = IntegerField(
        _l("Maximum attempts"), default=1, validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    grading_method = SelectField(_l("Grading method"), choices=choices(list(GRADING_METHOD_LABELS.items())))
    pass_percent = DecimalField(
        _l("Pass mark (% of the maximum)"),
        default=60,
        places=2,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    multiple_rule = SelectField(
        _l("Multiple-choice scoring"),
        choices=choices(list(MULTIPLE_RULE_LABELS.items())),
        default=MultipleRule.PARTIAL_NO_WRONG,
    )
    shuffle_questions = BooleanField(_l("Shuffle questions"), default=True)
    shuffle_options = BooleanField(_l("Shuffle options"), default=True)
    results_release = SelectField(_l("Show the score"), choices=choices(list(RELEASE_LABELS.items())))
    show_answers = BooleanField(_l("Show correct answers in the review"))
    show_explanations = BooleanField(_l("Show explanations in the review"))
    blind_grading = BooleanField(_l("Blind grading (hide candidates' names from graders)"), default=True)
    certificate_type_id = SelectField(
        _l("Qualification granted on a pass (certification exams)"), coerce=int, default=0
    )
    course_id = SelectField(_l("Course whose completion requires passing this exam"), coerce=int, default=0)
    owner_department_id = SelectField(_l("Owning department"), coerce=int)
    published = BooleanField(_l("Published (candidates can see it)"))
    log_focus = BooleanField(_l("Log when a candidate leaves the exam page"))
    focus_warn_after = IntegerField(
        _l("Warn the candidate after this many times (empty: never)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    focus_collect_after = IntegerField(
        _l("Collect the paper after this many times (empty: never)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    ask_fullscreen = BooleanField(_l("Ask for full screen when the exam starts"))
    block_copy = BooleanField(_l("Block copy, paste and the context menu on the exam page"))
    access_code = StringField(
        _l("Access code read out in the room (empty: none)"), validators=[Optional(), Length(max=40)]
    )
    allowed_networks = TextAreaField(
        _l("Allowed address ranges, one CIDR per line (empty: anywhere)"),
        validators=[Optional(), Length(max=2000)],
    )
    review_days = IntegerField(
        _l("Days after results are released in which a candidate may ask for a score review (0: none)"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=90)],
    )
    submit = SubmitField(_l("Save"))

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The window must close after it opens."))


class AudienceForm(FlaskForm):
    departments = SelectMultipleField(
        _l("Departments (with everyone below)"), coerce=int, validators=[Optional()]
    )
    positions = SelectMultipleField(_l("Positions"), coerce=int, validators=[Optional()])
    employees = StringField(
        _l("Named employees (employee numbers, comma separated)"), validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField(_l("Save audience"))


class ResitForm(FlaskForm):
    opens_at = DateTimeLocalField(
        _l("Opens (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    submit = SubmitField(_l("Create re-sit round"))

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The window must close after it opens."))


class GradeForm(FlaskForm):
    points = StringField(_l("Points"), validators=[Optional(), Length(max=12)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save mark"))


class ArrangementForm(FlaskForm):
    """A candidate's arrangement: extra time, a window of their own (缓考), extra attempts, with a reason."""

    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=30)])
    extra_minutes = IntegerField(
        _l("Extra time (minutes)"), default=0, validators=[InputRequired(), NumberRange(min=0, max=1440)]
    )
    opens_at = DateTimeLocalField(
        _l("Own window opens (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        _l("Own window closes (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    extra_attempts = IntegerField(
        _l("Extra attempts"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Save arrangement"))


class InvigilatorsForm(FlaskForm):
    employees = StringField(
        _l("Invigilators (employee numbers, comma separated)"), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField(_l("Save invigilators"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Remove"))


class MakeupForm(ResitForm):
    """The make-up round (补考) from the absentees list: a re-sit round for absentees and/or those who failed."""

    absentees = BooleanField(_l("The absentees"), default=True)
    failed = BooleanField(_l("Those who failed"), default=False)
    submit = SubmitField(_l("Create the make-up round"))


class ReviewRequestForm(FlaskForm):
    """A candidate's score review request (成绩复核) about one question."""

    position = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(
        _l("Why should this question be marked again?"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Ask for a score review"))


class ReviewAnswerForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=choices([("upheld", _l("The marking stands")), ("changed", _l("Change the mark"))]),
    )
    new_mark = StringField(_l("New points for this question"), validators=[Optional(), Length(max=12)])
    answer = TextAreaField(_l("Answer to the candidate"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Send the answer"))


class PaperExportForm(FlaskForm):
    """纸质试卷: which variant of an exam's paper, and which file (the download button pressed)."""

    variant = SelectField(_l("Paper variant"), choices=choices((v, _l("Paper %(v)s", v=v)) for v in VARIANTS))
    file = StringField(validators=[AnyOf(EXPORT_CHOICES)])


class SamplePaperExportForm(FlaskForm):
    """A blueprint's sample paper (the preview's seed) to print, and which file."""

    seed = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=2**31 - 1)])
    file = StringField(validators=[AnyOf(EXPORT_CHOICES)])
