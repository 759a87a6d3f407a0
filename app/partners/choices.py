"""Codes of the partners area and their translated labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

AGENCY_KINDS = {
    "commissioned": _l("Commissioned corporation (委託法人)"),
    "social_welfare_council": _l("Social welfare council (社会福祉協議会)"),
    "community_support_center": _l("Community general support centre (地域包括支援センター)"),
    "independence_support": _l("Independence support agency (自立相談支援機関)"),
    "disability_consultation": _l("Disability consultation office (相談支援事業所)"),
    "other": _l("Other agency"),
}

# What the lead worker may share of a case, field by field. Fields marked True identify the
# household or tell about its life: shared only on a legal basis (docs/consent-model.md,
# [partner-sharing]): the resident's consent, or the agency's membership of the case's 支援会議.
SHAREABLE_FIELDS = {
    "area": (_l("Area"), False),
    "risk": (_l("Risk"), False),
    "household": (_l("Household name"), True),
    "members": (_l("Members of the household"), True),
    "plan_goal": (_l("Plan goal"), True),
}
IDENTIFYING_FIELDS = frozenset(
    k for k, (_label, identifying) in SHAREABLE_FIELDS.items() if identifying
)

# What partner staff record: the kinds that count as reaching the resident, and notes.
PARTNER_ENTRY_KINDS = {
    "contact": _l("Contact with the resident"),
    "visit": _l("Home visit"),
    "attempt": _l("Attempt to reach the resident (no answer, not at home)"),
    "note": _l("Progress note"),
}

SHARING_BASIS = {
    "consent": _l("Consent of the resident"),
    "support_meeting": _l(
        "Member of the case's support meeting (支援会議, Social Welfare Act art. 106-6)"
    ),
}
