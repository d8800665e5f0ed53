"""The forms of the back office's lifecycle pages (Flask-WTF: each carries a CSRF token).

Choices that come from the city (kinds, bodies, seat groups) are filled by the view.
A value the form cannot read gets our own sentence (``Understood``); what the
service refuses comes back from the service, in the visitor's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from kleroterion.web.forms import Understood
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

_DATE = _l("Enter a valid date.")
_TIME = _l("Enter a time such as 18:30.")


class ActForm(FlaskForm):  # type: ignore[misc]  # flask-wtf has no type hints
    """A new act (``proposals.create``, the CLI's ``proposal create``)."""

    kind = SelectField(_l("Kind of act"))
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")),
                                                 Length(max=300)])
    on = DateField(_l("Date the work began"), validators=[DataRequired(message=_DATE)])
    tabled_by = StringField(_l("Tabled by (optional)"), validators=[Length(max=200)])
    summary = TextAreaField(_l("Summary (optional)"))
    submit = SubmitField(_l("Create the act"))


class TextsForm(FlaskForm):  # type: ignore[misc]
    """The version the page showed; the texts (title, who tables the act, summary, full
    text) are one field per language of the city, read by the view."""

    expected_version = HiddenField()
    submit = SubmitField(_l("Save the texts"))


class SessionForm(FlaskForm):  # type: ignore[misc]
    """A new session (``sessions.add_session`` then ``describe_session``)."""

    kind = SelectField(_l("Kind of session"))
    held_on = DateField(_l("Day of the session"), validators=[DataRequired(message=_DATE)])
    body = SelectField(_l("Body holding it"))
    title = StringField(_l("Title (optional)"), validators=[Length(max=200)])
    duration = DecimalField(_l("Length in the kind's unit (optional)"),
                            validators=[Optional(), Understood(_l("Enter a number such as 1 "
                                                                  "or 0.5."))])
    starts_at = TimeField(_l("Starts at (optional)"), validators=[Optional(), Understood(_TIME)])
    ends_at = TimeField(_l("Ends at (optional)"), validators=[Optional(), Understood(_TIME)])
    place = StringField(_l("Place (optional)"), validators=[Length(max=300)])
    submit = SubmitField(_l("Add the session"))


class SubjectForm(FlaskForm):  # type: ignore[misc]
    """A subject corrected (``subjects.edit_subject``); its texts are one field per language
    of the city, read by the view."""

    origin = SelectField(_l("Who proposed it"))
    proposed_on = DateField(_l("Day it was proposed (optional)"),
                            validators=[Optional(), Understood(_DATE)])
    # A workshop gone meanwhile (a stale page) is the service's refusal, in its words.
    workshops = SelectMultipleField(_l("Workshops working on it"), validate_choice=False)
    submit = SubmitField(_l("Save the subject"))


class MandateForm(FlaskForm):  # type: ignore[misc]
    """A new mandate (``mandates.open_mandate``, the CLI's ``mandate open``)."""

    label = StringField(_l("Name of the mandate"), validators=[
        DataRequired(message=_l("Enter a name, such as “promotion 2027”.")), Length(max=120)])
    starts_on = DateField(_l("First day"), validators=[DataRequired(message=_DATE)])
    ends_on = DateField(_l("Last day (optional: the longest term of the city's rules)"),
                        validators=[Optional(), Understood(_DATE)])
    submit = SubmitField(_l("Open the mandate"))


class MandateEditForm(FlaskForm):  # type: ignore[misc]
    """A mandate's new label or last day (``mandates.edit_mandate``)."""

    label = StringField(_l("Name of the mandate"), validators=[
        DataRequired(message=_l("Enter a name, such as “promotion 2027”.")), Length(max=120)])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(message=_DATE)])
    submit = SubmitField(_l("Save the mandate"))


class ButtonForm(FlaskForm):  # type: ignore[misc]
    """A lone button whose action the URL says (close, purge, revoke...)."""


class DatedForm(FlaskForm):  # type: ignore[misc]
    """A change that happens on a day: confirming members, leaving a body."""

    on = DateField(_l("Date"), validators=[DataRequired(message=_DATE)])


class ConfirmForm(DatedForm):
    """Members confirmed together: the ids of the boxes ticked."""

    # A member no longer seated (a stale page) is the service's refusal, in its words.
    members = SelectMultipleField(_l("Members to confirm"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Confirm the members ticked"))


class WithdrawForm(DatedForm):
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(message=_l("Enter the reason.")), Length(max=500)])
    expected_version = HiddenField()
    submit = SubmitField(_l("Record the withdrawal"))


_PUBLIC = _l("Enter the public number.")


class ReplaceForm(DatedForm):
    public_number = StringField(_l("Public number"), validators=[
        DataRequired(message=_PUBLIC), Length(max=64)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submit = SubmitField(_l("Draw a replacement"))


class JoinForm(DatedForm):
    """A drawn member joins a body (``bodies.join``)."""

    member = SelectField(_l("Member"), coerce=int)
    role = SelectField(_l("Seat"))
    submit = SubmitField(_l("Add to the body"))


class AppointForm(DatedForm):
    """A person from outside the panel (elected, agent, facilitator) appointed to a body."""

    role = SelectField(_l("Seat"))
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter the name.")),
                                               Length(max=200)])
    group = StringField(_l("Political group or department (optional)"),
                        validators=[Length(max=200)])
    submit = SubmitField(_l("Appoint"))


class BodyDrawForm(DatedForm):
    """Members drawn by lot into a body's seats (``bodies.draw``)."""

    role = SelectField(_l("Seat"))
    public_number = StringField(_l("Public number"), validators=[
        DataRequired(message=_PUBLIC), Length(max=64)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submit = SubmitField(_l("Draw the seats by lot"))


class AccountForm(FlaskForm):  # type: ignore[misc]
    """A new back-office account (``users.create_user``)."""

    username = StringField(_l("Username"), validators=[
        DataRequired(message=_l("Enter a username.")), Length(max=80)],
        render_kw={"autocomplete": "off"})
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter a password."))],
        render_kw={"autocomplete": "new-password"})
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Create the account"))


class RoleForm(FlaskForm):  # type: ignore[misc]
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Change the role"))


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("What the token is for"), validators=[
        DataRequired(message=_l("Enter what the token is for.")), Length(max=80)])
    submit = SubmitField(_l("Issue a token"))
