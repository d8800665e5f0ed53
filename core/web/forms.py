"""The back office's forms (Flask-WTF: every form carries a CSRF token).

Labels and messages are lazy strings, translated when the form is rendered in the
visitor's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from kleroterion.models.assembly import PUBLIC_NAME_LENGTH
from kleroterion.services.errors import InvalidInput
from kleroterion.services.members import clean_public_name
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError


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
