from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.quizzes.grants import MAX_EXTRA_ATTEMPTS, REASON_MAX_LENGTH


class StartForm(FlaskForm):
    """Start or retake a quiz: only the CSRF token."""


class SubmitForm(FlaskForm):
    """The answers themselves are read as ``q<position>`` fields (see views.parse_selections)."""

    attempt = IntegerField(validators=[InputRequired()])


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is the field's own, not WTForms' generic one."""

    def __init__(self, label=None, validators=None, not_a_number=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.not_a_number = not_a_number

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.not_a_number)) from None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


CHOOSE_FROM_LIST = _l("Choose the employee from the list of locked-out learners.")
COUNT_RANGE = _l("Enter a number of extra attempts from 1 to %(max)d.", max=MAX_EXTRA_ATTEMPTS)


class GrantForm(FlaskForm):
    """Grant a locked-out learner extra attempts. The page renders one row of these fields per
    learner; ``employee`` says which row was sent."""

    employee = WholeNumberField(
        _l("Employee"),
        not_a_number=CHOOSE_FROM_LIST,
        validators=[InputRequired(message=CHOOSE_FROM_LIST)],
    )
    extra_attempts = WholeNumberField(
        _l("Extra attempts"),
        default=1,
        not_a_number=COUNT_RANGE,
        validators=[
            InputRequired(message=COUNT_RANGE),
            NumberRange(min=1, max=MAX_EXTRA_ATTEMPTS, message=COUNT_RANGE),
        ],
    )
    reason = StringField(
        _l("Reason"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the reason for granting extra attempts.")),
            Length(
                max=REASON_MAX_LENGTH,
                message=_l(
                    "Keep the reason to %(max)d characters or fewer.", max=REASON_MAX_LENGTH
                ),
            ),
        ],
    )
