from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.partners.choices import AGENCY_KINDS, PARTNER_ENTRY_KINDS
from app.referrals.forms import opts


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartnerEntryForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=opts(PARTNER_ENTRY_KINDS))
    occurred_on = DateField(_l("Date"), validators=[InputRequired(_l("Give the date."))])
    body = TextAreaField(
        _l("What happened"), validators=[DataRequired(_l("Write what happened.")), Length(max=4000)]
    )


class SharingForm(FlaskForm):
    fields = MultiCheckboxField(_l("Details of the case"), choices=[])
    entries = MultiCheckboxField(_l("Timeline entries"), choices=[], coerce=int)
    support_meeting_member = BooleanField(
        _l("This agency is a member of the case's support meeting (支援会議)")
    )


class AgencyForm(FlaskForm):
    name = StringField(
        _l("Agency name"), validators=[DataRequired(_l("Name the agency.")), Length(max=200)]
    )
    kind = SelectField(_l("Kind"), choices=opts(AGENCY_KINDS))
    active = BooleanField(_l("Active (its staff can sign in)"), default=True)


class AccountForm(FlaskForm):
    staff_number = StringField(
        _l("Sign-in number"),
        validators=[DataRequired(_l("Give the sign-in number.")), Length(max=32)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the name.")), Length(max=100)])
    kana = StringField(_l("Name in kana"), validators=[Length(max=100)])
    email = StringField(
        _l("E-mail (optional)"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Give a valid e-mail address.")),
            Length(max=254),
        ],
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for buttons that change something."""
