"""Forms for sign-in, passwords, employees, roster import and administration (validation only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from accounts.labels import DEPARTMENT_KIND_LABELS, EMPLOYEE_STATUS_LABELS
from accounts.validators import national_id_problem, phone_is_valid
from core.auth import ROLE_LABELS, STAFF_ROLES
from core.forms import choices
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext


class TextSizeForm(FlaskForm):
    """The text size buttons in the user menu: each button posts its size as ``text_size``."""

    text_size = HiddenField()
    next = HiddenField()


class LoginForm(FlaskForm):
    employee_no = StringField(
        _l("Employee number"),
        validators=[DataRequired(), Length(max=30)],
        render_kw={"autocomplete": "username", "autocapitalize": "characters"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=8, max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


def _check_national_id(_form, field) -> None:
    if field.data and national_id_problem(field.data):
        raise ValidationError(_l("Not a valid national ID number (check digit or format)."))


def _check_phone(_form, field) -> None:
    if field.data and not phone_is_valid(field.data):
        raise ValidationError(_l("Not a valid mobile or landline number."))


class EmployeeForm(FlaskForm):
    employee_no = StringField(
        _l("Employee number"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z0-9-]{2,30}$", message=_l("Letters, digits and '-' only.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    department_id = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    position_id = SelectField(_l("Position"), coerce=int, validators=[InputRequired()])
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), _check_phone])
    national_id = StringField(_l("National ID number"), validators=[Optional(), _check_national_id])
    email = StringField(
        _l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=200)]
    )
    status = SelectField(
        _l("Status"), choices=choices([(k.value, v) for k, v in EMPLOYEE_STATUS_LABELS.items()])
    )
    submit = SubmitField(_l("Save"))


class RosterUploadForm(FlaskForm):
    file = FileField(
        _l("Roster file (.xlsx or .csv)"),
        validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Upload an .xlsx or .csv file."))],
    )
    submit = SubmitField(_l("Check the file (dry run)"))


class RosterConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])
    submit = SubmitField(_l("Import now"))


class GrantForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=choices([(role.value, ROLE_LABELS[role]) for role in STAFF_ROLES]),
    )
    department_id = SelectField(_l("Scope"), coerce=int)
    submit = SubmitField(_l("Grant role"))


class DepartmentForm(FlaskForm):
    name = StringField(
        lazy_pgettext("what a thing is called", "Name"), validators=[DataRequired(), Length(max=100)]
    )
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z0-9_-]{1,40}$", message=_l("Letters, digits, - and _.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=choices([(k.value, v) for k, v in DEPARTMENT_KIND_LABELS.items()]))
    parent_id = SelectField(_l("Parent"), coerce=int)
    submit = SubmitField(_l("Save"))


class PositionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{1,40}$")])
    name = StringField(
        lazy_pgettext("what a thing is called", "Name"), validators=[DataRequired(), Length(max=100)]
    )
    annual_training_hours = DecimalField(
        _l("Required training hours per year"),
        places=1,
        validators=[InputRequired(), NumberRange(min=0, max=1000)],
    )
    active = BooleanField(_l("In use"), default=True)
    submit = SubmitField(_l("Save"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    preset = SelectField(_l("Named filter"), validators=[Optional()], validate_choice=False)
    employee_no = StringField(_l("Who acted (employee number)"), validators=[Optional(), Length(max=30)])
    subject_no = StringField(_l("About whom (employee number)"), validators=[Optional(), Length(max=30)])
    object_type = SelectField(_l("Object type"), validators=[Optional()], validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
