"""The back office's forms of the public record's people and meetings: the guests heard at
a session and the city's events (Flask-WTF: each carries a CSRF token).

Their texts in the city's other languages are added by ``admin_texts.with_languages``;
choices (roles, kinds, mandates) are filled by the view.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from kleroterion.web.forms import Understood
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

_TIME = _l("Enter a time such as 18:30.")


class GuestForm(FlaskForm):  # type: ignore[misc]  # flask-wtf has no type hints
    """Someone heard at a session (``sessions.add_guest``, ``sessions.edit_guest``)."""

    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter the name.")),
                                               Length(max=200)])
    role = SelectField(_l("Heard as"))
    organisation = StringField(_l("Organisation (optional)"), validators=[Length(max=200)])
    submit = SubmitField(_l("Save the guest"))


class EventForm(FlaskForm):  # type: ignore[misc]
    """A city event (``events.record_event``, ``events.edit_event``)."""

    kind = SelectField(_l("Kind of event"))
    held_on = DateField(_l("Day of the event"),
                        validators=[DataRequired(message=_l("Enter a valid date."))])
    starts_at = TimeField(_l("Starts at (optional)"), validators=[Optional(), Understood(_TIME)])
    ends_at = TimeField(_l("Ends at (optional)"), validators=[Optional(), Understood(_TIME)])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")),
                                                 Length(max=200)])
    place = StringField(_l("Place (optional)"), validators=[Length(max=300)])
    summary = TextAreaField(_l("Summary (optional)"))
    mandates = SelectMultipleField(_l("Addressed to (none ticked: all)"), coerce=int,
                                   validate_choice=False)
    submit = SubmitField(_l("Save the event"))
