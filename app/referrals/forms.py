from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.referrals.choices import (
    CLOSURE_REASONS,
    CONCERNS,
    CONSENT,
    CONSENTED,
    ENTRY_KINDS,
    IDENTIFYING_FIELDS,
    LEGAL_BASIS,
    MANUAL_ENTRY_KINDS,
    NO_CONSENT_BASIS,
    PREFERRED_CONTACT,
    RISK,
    URGENCY,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def opts(pairs) -> list[SelectChoice]:
    """SelectChoice objects from a {code: label} mapping or (code, label) pairs."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


class PrefixedForm(FlaskForm):
    """A form that shares a page with others: its field names and ids carry a prefix."""

    form_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.form_prefix)
        super().__init__(*args, **kwargs)


KEY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class ReferralForm(FlaskForm):
    resident_name = StringField(_l("Resident's name"), validators=[Length(max=100)])
    resident_kana = StringField(_l("Name in kana"), validators=[Length(max=100)])
    desk_number = StringField(_l("Number in your desk's system"), validators=[Length(max=40)])
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    area = SelectField(_l("Area"), choices=[], validators=[Optional()])
    concerns = MultiCheckboxField(_l("What concerns you"), choices=opts(CONCERNS))
    observed = TextAreaField(
        _l("What you saw or heard"),
        validators=[
            DataRequired(_l("Write in one to three lines what you saw or heard.")),
            Length(max=800),
        ],
    )
    urgency = RadioField(
        _l("Urgency"),
        choices=opts(URGENCY),
        default="routine",
        validators=[InputRequired(_l("Choose the urgency."))],
    )
    consent = RadioField(
        _l("Consent"),
        choices=opts(CONSENT),
        validators=[InputRequired(_l("Choose the consent state."))],
    )
    # Asked only when the resident has not consented (未確認 / 本人拒否).
    no_consent_basis = RadioField(
        _l("Without consent, this is"), choices=opts(NO_CONSENT_BASIS), validate_choice=False
    )
    told_about_office = RadioField(
        _l("Did you tell the resident about the office?"),
        choices=opts([("yes", _l("Yes, I told them")), ("no", _l("No"))]),
        validators=[InputRequired(_l("Choose yes or no."))],
    )
    preferred_contact = RadioField(
        _l("How the office should make contact"),
        choices=opts(PREFERRED_CONTACT),
        default="phone",
        validators=[InputRequired(_l("Choose how to make contact."))],
    )
    phone = StringField(_l("Resident's phone"), validators=[Length(max=40)])
    household = TextAreaField(_l("Household members"), validators=[Length(max=400)])
    agencies = TextAreaField(_l("Agencies already involved"), validators=[Length(max=400)])
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(KEY_PATTERN)])

    @property
    def legal_basis(self) -> str | None:
        """On what the referral rests: the resident's consent, or (without it) the chosen basis."""
        if self.consent.data in CONSENTED:
            return "consent"
        return (
            self.no_consent_basis.data if self.no_consent_basis.data in NO_CONSENT_BASIS else None
        )

    @property
    def anonymous(self) -> bool:
        return self.legal_basis == "anonymous"

    def validate_resident_name(self, field):
        if self.anonymous:
            return
        if (
            not (field.data or "").strip()
            and not (self.desk_number.data or "").strip()
            and not (self.resident_kana.data or "").strip()
        ):
            raise ValidationError(
                _l("Give the resident's name or the number in your desk's system.")
            )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.consent.data and self.consent.data not in CONSENTED and self.legal_basis is None:
            self.no_consent_basis.errors = [
                *self.no_consent_basis.errors,
                _l("Without consent, choose what this referral is."),
            ]
            ok = False
        if self.anonymous:
            for name in IDENTIFYING_FIELDS:
                field = self[name]
                if field.data not in (None, "") and str(field.data).strip():
                    field.errors = [
                        *field.errors,
                        _l("Without consent, leave out anything that identifies the resident."),
                    ]
                    ok = False
        return ok


class TriageForm(FlaskForm):
    action = RadioField(
        _l("Decision"),
        choices=opts(
            [
                ("accept", _l("Accept as a new case")),
                ("link", _l("Link to an existing household case")),
                ("redirect", _l("Redirect to another agency")),
                ("info_only", _l("Information only")),
            ]
        ),
        validators=[InputRequired(_l("Choose a decision."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason for the decision.")), Length(max=800)],
    )
    lead_worker_id = SelectField(
        _l("Lead worker (主担当)"), coerce=int, choices=[], validators=[Optional()]
    )
    case_id = SelectField(_l("Existing case"), coerce=int, choices=[], validators=[Optional()])
    redirected_to = StringField(_l("Agency"), validators=[Length(max=200)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.action.data == "accept" and not self.lead_worker_id.data:
            self.lead_worker_id.errors.append(_l("Choose the lead worker."))
            ok = False
        if self.action.data == "link" and not self.case_id.data:
            self.case_id.errors.append(_l("Choose the case."))
            ok = False
        if self.action.data == "redirect" and not (self.redirected_to.data or "").strip():
            self.redirected_to.errors.append(_l("Name the agency."))
            ok = False
        return ok


class EntryForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=opts((k, ENTRY_KINDS[k]) for k in MANUAL_ENTRY_KINDS))
    occurred_on = DateField(_l("Date"), validators=[InputRequired(_l("Give the date."))])
    body = TextAreaField(
        _l("What happened"), validators=[DataRequired(_l("Write what happened.")), Length(max=4000)]
    )


class PlanForm(FlaskForm):
    lead_worker_id = SelectField(_l("Lead worker (主担当)"), coerce=int, choices=[])
    risk = SelectField(_l("Risk"), choices=opts(RISK))
    plan_goal = TextAreaField(_l("Plan goal"), validators=[Length(max=2000)])
    next_review_on = DateField(
        _l("Next review date"), validators=[InputRequired(_l("Give the next review date."))]
    )
    flagged_for_meeting = BooleanField(_l("Put on the next meeting's agenda"))


class MemberForm(PrefixedForm):
    form_prefix = "member"

    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the name.")), Length(max=100)])
    kana = StringField(_l("Name in kana"), validators=[Length(max=100)])
    relationship_note = StringField(_l("Relationship, age group"), validators=[Length(max=100)])


class AgencyForm(PrefixedForm):
    form_prefix = "agency"

    agency_id = SelectField(
        _l("Registered partner agency"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[Optional()],
    )
    name = StringField(_l("Agency"), validators=[Length(max=200)])
    role = StringField(_l("Its role"), validators=[Length(max=300)])

    def validate_name(self, field):
        if not (field.data or "").strip() and not self.agency_id.data:
            raise ValidationError(_l("Name the agency."))


class PauseForm(PrefixedForm):
    form_prefix = "pause"

    reason = TextAreaField(
        _l("Why the case is paused"),
        validators=[DataRequired(_l("Give the reason.")), Length(max=800)],
    )


class ClosureForm(PrefixedForm):
    form_prefix = "closure"

    reason = SelectField(_l("Reason for closing"), choices=opts(CLOSURE_REASONS))
    summary = TextAreaField(
        _l("Closing summary"), validators=[DataRequired(_l("Write a summary.")), Length(max=4000)]
    )
    follow_up = StringField(_l("Who follows up"), validators=[Length(max=300)])


class ReopenForm(PrefixedForm):
    form_prefix = "reopen"

    reason = TextAreaField(
        _l("Why the case is reopened"),
        validators=[DataRequired(_l("Give the reason.")), Length(max=800)],
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for buttons that change something."""


class CaseSearchForm(FlaskForm):
    """Sent by POST so that a resident's name never appears in a URL or a server log."""

    kana = StringField(_l("Name in kana"), validators=[Length(max=100)])
    status = SelectField(
        _l("Status"),
        choices=opts(
            [
                ("active", _l("Open and paused")),
                ("open", _l("Open")),
                ("paused", _l("Paused")),
                ("closed", _l("Closed")),
                ("all", _l("All")),
            ]
        ),
    )


class CaseLookupForm(PrefixedForm):
    """The triage page's search for a case to link to; sent by POST like the case search."""

    form_prefix = "lookup"

    case_query = StringField(_l("Reference number or name in kana"), validators=[Length(max=100)])


class MeetingForm(FlaskForm):
    held_on = DateField(
        _l("Meeting date"), validators=[InputRequired(_l("Give the meeting date."))]
    )


class DecisionForm(FlaskForm):
    decision = TextAreaField(
        _l("Decision"), validators=[DataRequired(_l("Write the decision.")), Length(max=4000)]
    )
    # Only asked when the resident has not consented; the service checks the value.
    legal_basis = SelectField(
        _l("Legal basis for sharing"), choices=opts(LEGAL_BASIS), validate_choice=False
    )
    next_review_on = DateField(_l("Next review date"), validators=[Optional()])
