"""The back office's forms (Flask-WTF: every form carries a CSRF token).

Labels and messages are lazy strings, translated when the form is rendered in the
visitor's language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from kleroterion.models.assembly import PUBLIC_NAME_LENGTH
from kleroterion.services.errors import InvalidInput
from kleroterion.services.members import clean_public_name
from wtforms import (
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask-wtf has no type hints
    """Username and password of a back-office account."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter your username.")), Length(max=80)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


class LogoutForm(FlaskForm):  # type: ignore[misc]
    """A lone button: logging out is a POST, so a link on another site cannot do it."""

    submit = SubmitField(_l("Log out"))


class MoveForm(FlaskForm):  # type: ignore[misc]
    """One allowed move of an act: the date, the reason, the version the page showed."""

    on = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter a valid date."))])
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=2000)])
    expected_version = HiddenField()
    submit = SubmitField(_l("Record this step"))


class PeriodForm(FlaskForm):  # type: ignore[misc]
    """A period of indemnity statements (a GET form: it reads, so no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[DataRequired(message=_l("Enter a valid date."))])
    end = DateField(_l("To"), validators=[DataRequired(message=_l("Enter a valid date."))])
    submit = SubmitField(_l("Show the statements"))


class RespondentsForm(FlaskForm):  # type: ignore[misc]
    """A respondents file (CSV) for the pool of one seat group."""

    seat_group = SelectField(_l("Seat group"))
    upload = FileField(_l("Respondents file (CSV)"),
                       validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Import"))


class AttendanceImportForm(FlaskForm):  # type: ignore[misc]
    """A session's attendance sheet (CSV): public ids and attendances."""

    upload = FileField(_l("Attendance sheet (CSV)"),
                       validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Import the sheet"))


class StartDrawForm(FlaskForm):  # type: ignore[misc]
    """Start computing a seat group's lottery: the algorithm and an optional time limit."""

    algorithm = SelectField(_l("Algorithm"))
    time_limit = FloatField(
        _l("Time limit in seconds (optional)"),
        # A bound above too: "1e400" reads as infinity, which SQLite would store.
        validators=[Optional(), NumberRange(min=1, max=24 * 3600,
                                            message=_l("Enter a number of seconds from 1 "
                                                       "to 86,400 (a day)."))],
    )
    submit = SubmitField(_l("Compute and publish the lottery"))


class PublicNumberForm(FlaskForm):  # type: ignore[misc]
    """The public number (dice, lottery, bailiff) that chooses the panel."""

    public_number = StringField(
        _l("Public number"),
        validators=[DataRequired(message=_l("Enter the public number.")), Length(max=64)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Choose the panel"))


class StartReplacementForm(FlaskForm):  # type: ignore[misc]
    """Start a withdrawn member's replacement draw (its lottery is computed, then published)."""

    submit = SubmitField(_l("Compute and publish the replacement draw"))


class Understood:
    """One sentence of ours when a value cannot be read (a date, a whole number).

    WTForms' own parse message ("Not a valid integer value.") says neither what was
    typed nor what is accepted; this validator, after ``Optional`` or a required
    check, replaces it.
    """

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.process_errors or field.data is None:
            field.errors[:] = []
            raise StopValidation(self.message)


class Percentage(Understood):
    """A whole number from 0 to 100, typed or not understood: the same sentence."""

    def __call__(self, form: Any, field: Any) -> None:
        super().__call__(form, field)
        if not 0 <= field.data <= 100:
            raise StopValidation(self.message)


_DATE = _l("Enter a valid date.")


class ResponseForm(FlaskForm):  # type: ignore[misc]
    """The addressee's answer to one response deadline of an act."""

    on = DateField(_l("Date of the answer"), validators=[DataRequired(message=_DATE)])
    summary = TextAreaField(_l("Summary (optional)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record the answer"))


class CommitmentForm(FlaskForm):  # type: ignore[misc]
    """A new commitment for an adopted act (``followup.add_commitment``)."""

    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Enter a title.")), Length(max=300)])
    department = StringField(_l("Responsible department"), validators=[
        DataRequired(message=_l("Enter the responsible department.")), Length(max=200)])
    responsible = StringField(_l("Person responsible"), validators=[Length(max=200)])
    on = DateField(_l("Date of the commitment"), validators=[DataRequired(message=_DATE)])
    due_on = DateField(_l("Due date (optional)"), validators=[Optional(), Understood(_DATE)])
    submit = SubmitField(_l("Add the commitment"))


class CommitmentUpdateForm(FlaskForm):  # type: ignore[misc]
    """A commitment's status, progress, due date and person responsible, as last read."""

    status = SelectField(_l("Status"))
    progress = IntegerField(_l("Progress (%)"), validators=[
        Percentage(_l("Enter a whole number from 0 to 100."))],
        render_kw={"min": 0, "max": 100, "step": 1})
    due_on = DateField(_l("Due date"), validators=[Optional(), Understood(_DATE)])
    responsible = StringField(_l("Person responsible"), validators=[Length(max=200)])
    expected_version = HiddenField()
    submit = SubmitField(_l("Save the commitment"))


class MilestoneForm(FlaskForm):  # type: ignore[misc]
    """A dated milestone of a commitment."""

    title = StringField(_l("Milestone"), validators=[
        DataRequired(message=_l("Enter a title.")), Length(max=300)])
    due_on = DateField(_l("Due on"), validators=[DataRequired(message=_DATE)])
    submit = SubmitField(_l("Add the milestone"))


class MilestoneTitleForm(FlaskForm):  # type: ignore[misc]
    """A milestone's title in each language (its fields are added per language), as read."""

    expected_version = HiddenField()
    submit = SubmitField(_l("Save the texts"))


class MilestoneDoneForm(FlaskForm):  # type: ignore[misc]
    """The day a milestone was reached."""

    on = DateField(_l("Reached on"), validators=[DataRequired(message=_DATE)])
    submit = SubmitField(_l("Mark as reached"))
def _printable_name(form: FlaskForm, field: StringField) -> None:
    """The service's rule (no control characters), with a message in the visitor's language."""
    try:
        clean_public_name(field.data or "")
    except InvalidInput:
        raise ValidationError(_l("Use letters, digits, spaces and punctuation only.")) from None


class PublicNameForm(FlaskForm):  # type: ignore[misc]
    """A member's consent to be named on the public site, with the name they chose."""

    public_name = StringField(
        _l("Name shown on the public site"),
        validators=[DataRequired(message=_l("Enter the name the member chose to be shown under.")),
                    Length(max=PUBLIC_NAME_LENGTH,
                           message=_l("At most %(max)d characters.", max=PUBLIC_NAME_LENGTH)),
                    _printable_name],
        render_kw={"autocomplete": "off", "maxlength": PUBLIC_NAME_LENGTH},
    )
    on = DateField(_l("Date of the consent"),
                   validators=[DataRequired(message=_l("Enter a valid date."))])
    expected_version = HiddenField()
    submit = SubmitField(_l("Record the consent"))


class WithdrawNameForm(FlaskForm):  # type: ignore[misc]
    """The withdrawal of a member's consent to be named publicly."""

    on = DateField(_l("Date of the withdrawal"),
                   validators=[DataRequired(message=_l("Enter a valid date."))])
    expected_version = HiddenField()
    submit = SubmitField(_l("Withdraw the consent"))


class BankDetailsForm(FlaskForm):  # type: ignore[misc]
    """A member's bank details (IBAN): personal data, checked by the service."""

    iban = StringField(
        _l("IBAN"),
        validators=[DataRequired(message=_l("Enter the IBAN.")),
                    Length(max=50, message=_l("At most %(max)d characters.", max=50))],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 50},
    )
    submit = SubmitField(_l("Record the bank details"))
