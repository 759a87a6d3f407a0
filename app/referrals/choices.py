"""Codes stored in the database and their translated labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.referrals.models import Consent, ReferrerStatus, Risk

# The standard 相談受付票 categories, plus the signs a non-welfare desk is trained to notice.
CONCERNS = {
    "illness_disability": _l("Illness or disability"),
    "housing": _l("Housing"),
    "income": _l("Income, living costs"),
    "arrears": _l("Tax or utility arrears"),
    "debt": _l("Debt"),
    "work": _l("Work, unemployment"),
    "family": _l("Family relations"),
    "child_rearing": _l("Child-rearing"),
    "care": _l("Care (介護)"),
    "hikikomori": _l("Withdrawal (ひきこもり) or school refusal"),
    "dv_abuse": _l("Domestic violence or abuse"),
    "no_food": _l("No food"),
    "young_carer": _l("Young carer"),
    "hoarding": _l("Hoarding, self-neglect"),
    "isolation": _l("Isolation"),
}

URGENCY = {
    "routine": _l("Routine: the office will contact within a few working days"),
    "soon": _l("Soon: please contact today or tomorrow"),
    "life_risk": _l("Risk to life or safety"),
}
URGENCY_SHORT = {
    "routine": _l("Routine"),
    "soon": _l("Soon"),
    "life_risk": _l("Risk to life or safety"),
}

CONSENT = {
    Consent.WRITTEN: _l("The resident agreed (in writing)"),
    Consent.VERBAL: _l("The resident agreed (verbally)"),
    Consent.UNCONFIRMED: _l("Not confirmed"),
    Consent.REFUSED: _l("The resident refused"),
}
CONSENTED = frozenset(Consent.given())

# Without consent a desk passes on nothing it learned in its own work (docs/consent-model.md),
# unless a duty overrides consent; otherwise it may only ask the office's advice without
# identifying the resident. The choice is stored as the referral's legal basis.
NO_CONSENT_BASIS = {
    "anonymous": _l("A consultation that does not identify the resident"),
    "child_abuse": _l("Suspected child abuse (notification)"),
    "elder_abuse": _l("Suspected abuse of an older or disabled person (notification)"),
    "dv": _l("Violence by a spouse or partner (report)"),
    "life_risk": _l("Danger to life (110 or 119 already called)"),
}
REFERRAL_BASIS = {"consent": _l("Consent of the resident"), **NO_CONSENT_BASIS}
# What an anonymous consultation may not hold.
IDENTIFYING_FIELDS = (
    "resident_name",
    "resident_kana",
    "desk_number",
    "birth_date",
    "phone",
    "household",
)

PREFERRED_CONTACT = {
    "phone": _l("Phone"),
    "visit": _l("Visit"),
    "no_contact": _l("Do not contact the resident directly"),
}

REFERRAL_STATUS = {
    "new": _l("New"),
    "accepted": _l("Accepted as a new case"),
    "linked": _l("Linked to an existing case"),
    "redirected": _l("Redirected to another agency"),
    "info_only": _l("Information only"),
}

# What the referrer sees: never more than this.
REFERRER_STATUS = {
    "received": _l("Received"),
    "in_progress": _l("Being handled"),
    "connected": _l("Resident reached"),
    "closed": _l("Finished"),
}

CASE_STATUS = {"open": _l("Open"), "paused": _l("Paused"), "closed": _l("Closed")}
RISK = {Risk.LOW: _l("Low"), Risk.MEDIUM: _l("Medium"), Risk.HIGH: _l("High")}

ENTRY_KINDS = {
    "contact": _l("Contact with the resident"),
    "visit": _l("Home visit"),
    "attempt": _l("Attempt to reach the resident (no answer, not at home)"),
    "meeting_decision": _l("Meeting decision"),
    "role_change": _l("Role change"),
    "review": _l("Review"),
    "note": _l("Note"),
    "status": _l("Status change"),
}
# Entry kinds a worker records by hand; the others are written by the portal.
MANUAL_ENTRY_KINDS = ("contact", "visit", "attempt", "review", "note")
# Kinds that count as an attempt to reach the resident, for closing as refused or unreachable.
ATTEMPT_KINDS = frozenset({"contact", "visit", "attempt"})
# Kinds that count as reaching the resident (つながりました).
CONTACT_KINDS = frozenset({"contact", "visit"})

CLOSURE_REASONS = {
    "goal_met": _l("Support goal met"),
    "handed_over": _l("Handed to a lead agency, with monitoring"),
    "moved": _l("Moved away"),
    "died": _l("Died"),
    "refused": _l("Refused support"),
    "unreachable": _l("Unreachable after repeated attempts"),
    "other_programme": _l("Moved to another programme"),
}

AGENDA_REASONS = {
    "review_due": _l("Review due by this meeting"),
    "review_overdue": _l("Review overdue"),
    "flagged": _l("Flagged for the meeting"),
    "stale": _l("No recent activity"),
}

LEGAL_BASIS = {
    "consent": _l("Consent of the resident"),
    "support_meeting": _l("Support meeting (支援会議, Social Welfare Act art. 106-6)"),
}

REFERRER_STATUS_HELP = {
    ReferrerStatus.RECEIVED: _l("The office has received the referral."),
    ReferrerStatus.IN_PROGRESS: _l(
        "The office has taken it up and is working to reach the resident."
    ),
    ReferrerStatus.CONNECTED: _l("The office has been in contact with the resident."),
    ReferrerStatus.CLOSED: _l(
        "The office has finished with the referral (passed to another agency or kept for information)."
    ),
}

# What a timeline entry written by the portal records.
ENTRY_CODES = {
    "opened": _l("Case opened"),
    "paused": _l("Paused"),
    "resumed": _l("Resumed"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
    "lead_changed": _l("Lead worker changed"),
    "agency_added": _l("Agency joined"),
    "agency_ended": _l("Agency's role ended"),
    "handed_over": _l("Handed over to a new lead worker"),
    "closure_ready": _l("Ready to close: proposed to the meeting"),
    "closure_decided": _l("Closed by the meeting's decision"),
    "support_meeting_joined": _l("Agency joined the case's support meeting (支援会議)"),
    "support_meeting_left": _l("Agency left the case's support meeting (支援会議)"),
}

AGE_LABELS = {
    "<1": _l("Less than a month"),
    "1-3": _l("1 to 3 months"),
    "3-6": _l("3 to 6 months"),
    "6-12": _l("6 to 12 months"),
    "12+": _l("A year or more"),
}

AUDIT_OBJECT_LABELS = {
    "referral": _l("Referrals"),
    "support_case": _l("Cases"),
    "meeting": _l("Meetings"),
    "case_list": _l("Case lists"),
    "referral_inbox": _l("Referral inbox"),
}

AUDIT_ACTIONS = {
    "role.consultation_granted": _l("Consultation role granted"),
    "role.consultation_lead_granted": _l("Office lead role granted"),
    "role.partner_granted": _l("Partner agency account created"),
    "partner_case.viewed": _l("Case viewed by a partner agency"),
    "partner_case_list.viewed": _l("Shared cases listed by a partner agency"),
    "partner_updates.viewed": _l("Partner updates viewed"),
    "case.partner_entry_added": _l("Entry added by a partner agency"),
    "case.partner_entry_read": _l("Partner entry read"),
    "case.sharing_changed": _l("Sharing with an agency changed"),
    "case.handed_over": _l("Handed over to a new lead worker"),
    "case.reviewed": _l("Review recorded"),
    "case.closure_proposed": _l("Closure proposed to the meeting"),
    "meeting.closure_decided": _l("Closure proposal decided by the meeting"),
    "case.follow_up_done": _l("見守り check done"),
    "caseloads.viewed": _l("Caseloads viewed"),
    "case.support_meeting_joined": _l("Agency joined the case's support meeting"),
    "case.support_meeting_left": _l("Agency left the case's support meeting"),
    "referral.created": _l("Referral sent"),
    "referral.viewed": _l("Referral viewed"),
    "referral.triaged": _l("Referral triaged"),
    "referral.anonymised": _l("Referral anonymised"),
    "referral_inbox.viewed": _l("Inbox viewed"),
    "case_list.viewed": _l("Case list viewed"),
    "support_case.viewed": _l("Case viewed"),
    "case.opened": _l("Case opened"),
    "case.referral_linked": _l("Referral linked to the case"),
    "case.entry_added": _l("Timeline entry added"),
    "case.updated": _l("Plan changed"),
    "case.lead_changed": _l("Lead worker changed"),
    "case.member_added": _l("Household member added"),
    "case.agency_added": _l("Agency joined"),
    "case.agency_ended": _l("Agency's role ended"),
    "case.paused": _l("Paused"),
    "case.resumed": _l("Resumed"),
    "case.closure_requested": _l("Closure requested"),
    "case.closure_withdrawn": _l("Closure request withdrawn"),
    "case.closed": _l("Closed"),
    "case.reopened": _l("Reopened"),
    "case.anonymised": _l("Case anonymised"),
    "meeting.created": _l("Meeting created"),
    "meeting.agenda_prepared": _l("Agenda prepared"),
    "meeting.viewed": _l("Agenda viewed"),
    "meeting.decision_recorded": _l("Meeting decision recorded"),
    "audit_log.viewed": _l("Audit log viewed"),
    "referrals.keys_rotated": _l("Encryption key rotated"),
    "retention.run": _l("Retention run"),
}
