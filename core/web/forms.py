"""The back office's forms (Flask-WTF: every form carries a CSRF token).

Labels and messages are lazy strings, translated when the form is rendered in the
visitor's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FloatField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


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


class StartDrawForm(FlaskForm):  # type: ignore[misc]
    """Start computing a seat group's lottery: the algorithm and an optional time limit."""

    algorithm = SelectField(_l("Algorithm"))
    time_limit = FloatField(
        _l("Time limit in seconds (optional)"),
        validators=[Optional(), NumberRange(min=1, message=_l("Enter a number of seconds, "
                                                              "1 or more."))],
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
