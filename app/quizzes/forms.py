from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired


class StartForm(FlaskForm):
    """Start or retake a quiz: only the CSRF token."""


class SubmitForm(FlaskForm):
    """The answers themselves are read as ``q<position>`` fields (see views.parse_selections)."""

    attempt = IntegerField(validators=[InputRequired()])
