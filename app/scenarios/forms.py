from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, InputRequired, NumberRange


class StartForm(FlaskForm):
    """Start (or restart) a scenario: only the CSRF token."""


class StepForm(FlaskForm):
    """A choice at a step. ``node`` and ``step`` are what the page showed, to refuse stale submits;
    ``choice`` comes from the button pressed."""

    attempt = IntegerField(validators=[InputRequired()])
    node = HiddenField(validators=[DataRequired()])
    step = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    choice = IntegerField(validators=[InputRequired(), NumberRange(min=0)])


class BackForm(FlaskForm):
    attempt = IntegerField(validators=[InputRequired()])
    step = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
