from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.casework.models import Readiness


class HandoverForm(FlaskForm):
    to_worker_id = SelectField(_l("New lead worker (主担当)"), coerce=int, choices=[])
    note = TextAreaField(
        _l("Handover note"),
        validators=[DataRequired(_l("Write the handover note.")), Length(max=4000)],
    )


class ReviewForm(FlaskForm):
    summary = TextAreaField(
        _l("Where the support stands"),
        validators=[DataRequired(_l("Write where the support stands.")), Length(max=4000)],
    )
    readiness = RadioField(_l("Result of the review"), choices=[], default=Readiness.CONTINUE)
    next_review_on = DateField(_l("Next review date"), validators=[Optional()])
    criterion = SelectField(_l("Criterion for closing"), choices=[], validators=[Optional()])
    closure_summary = TextAreaField(_l("Closing summary"), validators=[Length(max=4000)])
    follow_up = StringField(_l("Who follows up"), validators=[Length(max=300)])
    follow_up_on = DateField(_l("見守り check after closure (optional)"), validators=[Optional()])


class ClosureDecisionForm(FlaskForm):
    outcome = RadioField(_l("The meeting decides"), choices=[], default="close")
    decision = TextAreaField(
        _l("Decision"), validators=[DataRequired(_l("Write the decision.")), Length(max=4000)]
    )
    legal_basis = SelectField(_l("Legal basis for sharing"), choices=[], validate_choice=False)
    next_review_on = DateField(
        _l("Next review date (if the case stays open)"), validators=[Optional()]
    )


class FollowUpForm(FlaskForm):
    note = TextAreaField(
        _l("How the household is doing"),
        validators=[DataRequired(_l("Write how the household is doing.")), Length(max=2000)],
    )
