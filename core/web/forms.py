"""The back office's forms (Flask-WTF: every form carries a CSRF token).

Labels and messages are lazy strings, translated when the form is rendered in the
visitor's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


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
