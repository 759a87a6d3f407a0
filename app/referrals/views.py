"""Thin handlers: the quick form and the referrer's list for everyone; the inbox, cases,
meetings, statistics and the audit log for the 相談室 only.

One unit of work per request: services flush, and the handler commits once — after the page
has been rendered, so that the audit row of a view never expires the rows the page shows.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.converters import bounded_int
from app.core.i18n import jdate
from app.core.permissions import Permission, require
from app.extensions import db
from app.referrals import bp, cases, service
from app.referrals import meetings as meetings_service
from app.referrals.choices import CONSENTED
from app.referrals.forms import (
    AgencyForm,
    CaseLookupForm,
    CaseSearchForm,
    ClosureForm,
    ConfirmForm,
    DecisionForm,
    EntryForm,
    MeetingForm,
    MemberForm,
    PauseForm,
    PlanForm,
    ReferralForm,
    ReopenForm,
    TriageForm,
    opts,
)
from app.referrals.models import (
    CaseStatus,
    Meeting,
    MeetingItem,
    Referral,
    ReferralStatus,
    SupportCase,
)

HANDLE = Permission.HANDLE_REFERRALS


def _done(response):
    """Commit the request's unit of work (the page is already rendered) and answer."""
    db.session.commit()
    return response


def _page() -> int:
    return request.values.get("page", 1, type=bounded_int) or 1


def _call_now() -> dict:
    return {
        "office_extension": current_app.config["REFERRAL_OFFICE_EXTENSION"],
        "emergency_numbers": current_app.config["REFERRAL_EMERGENCY_NUMBERS"],
    }


def _no_consent_route() -> str:
    from app.core.i18n import current_locale

    key = (
        "REFERRAL_NO_CONSENT_ROUTE_EN"
        if current_locale() == "en"
        else "REFERRAL_NO_CONSENT_ROUTE_JA"
    )
    return current_app.config[key]


# --- everyone: the quick form and my referrals ------------------------------------------------


@bp.route("/refer", methods=["GET", "POST"])
@require(Permission.REFER)
def new():
    form = ReferralForm()
    form.area.choices = opts([("", _("Not known"))] + [(a, a) for a in service.areas()])
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        data = service.ReferralInput(
            resident_name=form.resident_name.data or "",
            resident_kana=form.resident_kana.data or "",
            desk_number=form.desk_number.data or "",
            birth_date=form.birth_date.data.isoformat() if form.birth_date.data else "",
            area=form.area.data or "",
            concerns=[
                c for c in form.concerns.data or [] if c in {o.value for o in form.concerns.choices}
            ],
            observed=form.observed.data or "",
            urgency=form.urgency.data,
            consent=form.consent.data,
            told_about_office=form.told_about_office.data == "yes",
            legal_basis=form.legal_basis,
            preferred_contact=form.preferred_contact.data,
            phone=form.phone.data or "",
            household=form.household.data or "",
            agencies=form.agencies.data or "",
        )
        try:
            referral, _created = service.submit_referral(
                current_user, data, form.idempotency_key.data
            )
        except PermissionError:
            abort(400)
        except service.AlreadySent as sent_before:
            # The page was reused after sending (back button): keep what was typed, new key.
            form.idempotency_key.data = secrets.token_urlsafe(24)
            flash(
                _(
                    "This form had already been sent as %(ref)s. The changed referral has not been sent yet: check it and send it again.",
                    ref=sent_before.referral.reference,
                ),
                "warning",
            )
            return render_template(
                "referrals/new.html", form=form, no_consent_route=_no_consent_route(), **_call_now()
            ), 409
        return _done(redirect(url_for("referrals.sent", reference=referral.reference), code=303))
    return render_template(
        "referrals/new.html", form=form, no_consent_route=_no_consent_route(), **_call_now()
    )


@bp.get("/refer/sent/<reference>")
@require(Permission.REFER)
def sent(reference: str):
    referral = service.own_referral_by_reference(current_user.id, reference)
    if referral is None:
        abort(404)
    return render_template(
        "referrals/sent.html",
        referral=referral,
        no_consent_route=_no_consent_route(),
        consented=referral.consent in CONSENTED,
        **_call_now(),
    )


@bp.get("/refer/mine")
@require(Permission.REFER)
def mine():
    rows = [(r, service.referrer_status(r)) for r in service.my_referrals(current_user.id)]
    return render_template("referrals/mine.html", rows=rows)


# --- the 相談室: inbox and triage ----------------------------------------------------------------


@bp.get("/consultation/inbox")
@require(HANDLE)
def inbox():
    new_page, recent = service.inbox(page=_page())
    html = render_template(
        "referrals/inbox.html", new_page=new_page, new_referrals=new_page.items, recent=recent
    )
    service.record_view(
        "referral_inbox",
        None,
        actor_id=current_user.id,
        page=new_page.page,
        referral_ids=[r.id for r in new_page.items] + [r.id for r in recent],
    )
    return _done(html)


def _case_choice(case) -> tuple[int, str]:
    return case.id, f"{case.reference} {case.household_name or ''}".strip()


def _triage_form(referral: Referral, form: TriageForm | None = None, found: list | None = None):
    """The triage form. The case picker offers the suggested matches, what the office searched
    for (by reference number or kana) or else the recent cases of the same 地区 — never every
    case — and, when a form was sent, the case it named."""
    form = form or TriageForm()
    staff = service.consultation_staff()
    form.lead_worker_id.choices = opts([(0, _("Choose…"))] + [(e.id, e.name) for e in staff])
    matches = service.suggest_matches(referral)
    offered = [m for m, _w in matches] + (
        found if found is not None else cases.recent_in_area(referral.area)
    )
    chosen = (
        cases.linkable(form.case_id.data) if form.is_submitted() and form.case_id.data else None
    )
    if chosen is not None:
        offered.append(chosen)
    seen, choices = set(), [(0, _("Choose…"))]
    for case in offered:
        if case.id not in seen:
            seen.add(case.id)
            choices.append(_case_choice(case))
    form.case_id.choices = opts(choices)
    return form, matches


def _render_referral(referral: Referral, form, matches, status: int = 200, **extra):
    html = render_template(
        "referrals/referral.html",
        referral=referral,
        form=form,
        matches=matches,
        status=service.referrer_status(referral),
        lookup_form=extra.pop("lookup_form", None) or CaseLookupForm(),
        **extra,
    )
    service.record_view("referral", referral.id, actor_id=current_user.id)
    return _done((html, status))


@bp.route("/consultation/referrals/<int:referral_id>", methods=["GET", "POST"])
@require(HANDLE)
def referral_detail(referral_id: int):
    """The referral; a POST searches for a case to link it to (sent by POST so that a
    resident's kana never appears in a URL or a server log)."""
    referral = db.get_or_404(Referral, referral_id)
    lookup = CaseLookupForm()
    found = None
    if request.method == "POST":
        if not lookup.validate_on_submit():
            abort(400)
        found = cases.find_for_link(lookup.case_query.data or "")
    form, matches = _triage_form(referral, TriageForm(formdata=None), found)
    if found is not None:
        form.action.data = "link"
    return _render_referral(referral, form, matches, lookup_form=lookup, found=found)


@bp.post("/consultation/referrals/<int:referral_id>/triage")
@require(HANDLE)
def triage(referral_id: int):
    referral = db.get_or_404(Referral, referral_id)
    form, matches = _triage_form(referral, TriageForm())
    if referral.status != ReferralStatus.NEW:
        flash(_("This referral has already been triaged."), "error")
        return redirect(url_for("referrals.referral_detail", referral_id=referral.id))
    if form.validate_on_submit():
        try:
            case = service.triage(
                referral,
                form.action.data,
                form.reason.data,
                actor_id=current_user.id,
                case_id=form.case_id.data or None,
                redirected_to=form.redirected_to.data,
                lead_worker_id=form.lead_worker_id.data or None,
            )
        except service.TriageError:
            db.session.rollback()
            flash(_("The decision could not be saved. Check the choices and try again."), "error")
            referral = db.get_or_404(Referral, referral_id)
        else:
            flash(_("Decision saved: %(ref)s.", ref=referral.reference), "success")
            if case is not None:
                return _done(redirect(url_for("referrals.case_detail", case_id=case.id), code=303))
            return _done(redirect(url_for("referrals.inbox"), code=303))
    return _render_referral(referral, form, matches, 400)


# --- cases --------------------------------------------------------------------------------------


@bp.route("/consultation/cases", methods=["GET", "POST"])
@require(HANDLE)
def cases_list():
    form = CaseSearchForm()
    if not form.is_submitted():
        form.status.data = request.args.get("status", "active")
        if form.status.data not in ("active", *CaseStatus, "all"):
            form.status.data = "active"
    elif not form.validate():
        abort(400)
    status = form.status.data if form.status.data in (*CaseStatus, "all") else None
    kana = (form.kana.data or "").strip() or None
    page = cases.case_page(status=status, kana=kana, page=_page())
    html = render_template(
        "referrals/cases.html", form=form, page=page, rows=page.items, searched=bool(kana)
    )
    service.record_view(
        "case_list",
        None,
        actor_id=current_user.id,
        case_ids=[c.id for c in page.items],
        searched=bool(kana),
        page=page.page,
    )
    return _done(html)


@bp.get("/consultation/cases/stale")
@require(HANDLE)
def stale():
    page, rows = cases.stale_page(page=_page())
    html = render_template(
        "referrals/stale.html",
        page=page,
        rows=rows,
        stale_days=current_app.config["CASE_STALE_DAYS"],
    )
    service.record_view(
        "case_list",
        None,
        actor_id=current_user.id,
        case_ids=[c.id for c, _since in rows],
        list="stale",
        page=page.page,
    )
    return _done(html)


def _staff_choices(case: SupportCase):
    staff = [(e.id, e.name) for e in service.consultation_staff()]
    if case.lead_worker_id and case.lead_worker_id not in {i for i, _n in staff}:
        staff.append((case.lead_worker_id, case.lead_worker.name))
    return opts(staff)


def _agency_form() -> AgencyForm:
    from app.partners.service import registered_agencies

    form = AgencyForm()
    form.agency_id.choices = opts(
        [(0, _("Not registered: type its name below"))]
        + [(a.id, a.name) for a in registered_agencies()]
    )
    return form


def _case_forms(case: SupportCase) -> dict:
    plan = PlanForm(formdata=None, obj=case)  # the stored plan, whichever form was just sent
    plan.lead_worker_id.choices = _staff_choices(case)
    entry = EntryForm()
    if entry.occurred_on.data is None:
        entry.occurred_on.data = service.today()
    return {
        "entry_form": entry,
        "plan_form": plan,
        "member_form": MemberForm(),
        "agency_form": _agency_form(),
        "pause_form": PauseForm(),
        "closure_form": ClosureForm(),
        "reopen_form": ReopenForm(),
        "confirm": ConfirmForm(),
    }


def _render_case(case: SupportCase, status: int = 200, **forms):
    context = _case_forms(case)
    context.update(forms)
    html = render_template(
        "referrals/case.html",
        case=case,
        stale_since=cases.stale_since(case),
        latest_review=cases.latest_allowed_review(case.risk),
        **context,
    )
    service.record_view("support_case", case.id, actor_id=current_user.id)
    return _done((html, status))


@bp.get("/consultation/cases/<int:case_id>")
@require(HANDLE)
def case_detail(case_id: int):
    return _render_case(db.get_or_404(SupportCase, case_id))


def _case_error(code: str, case_began_on=None) -> str:
    messages = {
        "closed": _("A closed case cannot be changed. Reopen it first."),
        "lead": _("The lead worker must be a member of the consultation office."),
        "review_too_late": _("The next review date is too far away for this risk level."),
        "review_in_past": _(
            "The next review date has already passed. Choose today or a later day."
        ),
        "entry_in_future": _(
            "That date has not come yet. Record what has happened, on the day it happened."
        ),
        "entry_before_case": _(
            "That date is before the case began (%(day)s). Check the date.",
            day=jdate(case_began_on),
        )
        if case_began_on
        else "",
        "agency": _("That agency is not part of this case."),
        "status": _("That is not possible in the case's present status."),
        "closure": _("Choose a reason and write a summary."),
        "same_person": _(
            "A closure must be approved by a colleague, not by the person who asked for it."
        ),
    }
    return messages.get(code, messages["status"])


def _case_action(case_id: int, form_name: str, form_class, action, success: str):
    """Validate one of the case page's forms, run the service action, report back."""
    case = db.get_or_404(SupportCase, case_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            action(case, form)
        except cases.CaseError as exc:
            db.session.rollback()
            if exc.field:  # a date that cannot be: say so beside it, keep what was typed
                form[exc.field].errors = [_case_error(str(exc), cases.case_began_on(case))]
                return _render_case(case, 400, **{form_name: form})
            flash(_case_error(str(exc)), "error")
        else:
            flash(success, "success")
            return _done(
                redirect(url_for("referrals.case_detail", case_id=case_id) + "#timeline", code=303)
            )
        return redirect(url_for("referrals.case_detail", case_id=case_id), code=303)
    flash(_("Please correct the marked fields."), "error")
    return _render_case(case, 400, **{form_name: form})


@bp.post("/consultation/cases/<int:case_id>/entries")
@require(HANDLE)
def case_entry(case_id: int):
    return _case_action(
        case_id,
        "entry_form",
        EntryForm,
        lambda c, f: cases.record_entry(
            c, f.kind.data, f.body.data, f.occurred_on.data, actor_id=current_user.id
        ),
        _("Added to the timeline."),
    )


@bp.post("/consultation/cases/<int:case_id>/plan")
@require(HANDLE)
def case_plan(case_id: int):
    def action(case, form):
        cases.update_plan(
            case,
            lead_worker_id=form.lead_worker_id.data,
            risk=form.risk.data,
            plan_goal=form.plan_goal.data,
            next_review_on=form.next_review_on.data,
            flagged_for_meeting=bool(form.flagged_for_meeting.data),
            actor_id=current_user.id,
        )

    case = db.get_or_404(SupportCase, case_id)
    form = PlanForm()
    form.lead_worker_id.choices = _staff_choices(case)
    if form.validate_on_submit():
        try:
            action(case, form)
        except cases.CaseError as exc:
            db.session.rollback()
            if exc.field:
                form[exc.field].errors = [_case_error(str(exc))]
            else:
                flash(_case_error(str(exc)), "error")
            return _render_case(db.get_or_404(SupportCase, case_id), 400, plan_form=form)
        flash(_("The plan has been saved."), "success")
        return _done(redirect(url_for("referrals.case_detail", case_id=case_id), code=303))
    flash(_("Please correct the marked fields."), "error")
    return _render_case(case, 400, plan_form=form)


@bp.post("/consultation/cases/<int:case_id>/members")
@require(HANDLE)
def case_member(case_id: int):
    return _case_action(
        case_id,
        "member_form",
        MemberForm,
        lambda c, f: cases.add_member(
            c,
            f.name.data,
            f.kana.data or "",
            f.relationship_note.data or "",
            actor_id=current_user.id,
        ),
        _("Household member added."),
    )


@bp.post("/consultation/cases/<int:case_id>/agencies")
@require(HANDLE)
def case_agency(case_id: int):
    return _case_action(
        case_id,
        "agency_form",
        _agency_form,
        lambda c, f: cases.add_agency(
            c,
            f.name.data or "",
            f.role.data or "",
            f.agency_id.data or None,
            actor_id=current_user.id,
        ),
        _("Agency added."),
    )


@bp.post("/consultation/cases/<int:case_id>/agencies/<int:agency_id>/end")
@require(HANDLE)
def case_agency_end(case_id: int, agency_id: int):
    return _case_action(
        case_id,
        "confirm",
        ConfirmForm,
        lambda c, f: cases.end_agency(c, agency_id, actor_id=current_user.id),
        _("The agency's role has ended."),
    )


@bp.post("/consultation/cases/<int:case_id>/pause")
@require(HANDLE)
def case_pause(case_id: int):
    return _case_action(
        case_id,
        "pause_form",
        PauseForm,
        lambda c, f: cases.pause(c, f.reason.data, actor_id=current_user.id),
        _("The case is paused. It stays on the books and is still reviewed."),
    )


@bp.post("/consultation/cases/<int:case_id>/resume")
@require(HANDLE)
def case_resume(case_id: int):
    return _case_action(
        case_id,
        "confirm",
        ConfirmForm,
        lambda c, f: cases.resume(c, actor_id=current_user.id),
        _("The case is open again."),
    )


@bp.post("/consultation/cases/<int:case_id>/closure")
@require(HANDLE)
def case_close_request(case_id: int):
    return _case_action(
        case_id,
        "closure_form",
        ClosureForm,
        lambda c, f: cases.request_closure(
            c, f.reason.data, f.summary.data, f.follow_up.data or "", actor_id=current_user.id
        ),
        _("Closure requested. A colleague in the office must approve it."),
    )


@bp.post("/consultation/cases/<int:case_id>/closure/approve")
@require(HANDLE)
def case_close_approve(case_id: int):
    return _case_action(
        case_id,
        "confirm",
        ConfirmForm,
        lambda c, f: cases.approve_closure(c, actor_id=current_user.id),
        _("The case is closed."),
    )


@bp.post("/consultation/cases/<int:case_id>/closure/withdraw")
@require(HANDLE)
def case_close_withdraw(case_id: int):
    return _case_action(
        case_id,
        "confirm",
        ConfirmForm,
        lambda c, f: cases.withdraw_closure(c, actor_id=current_user.id),
        _("The closure request was withdrawn."),
    )


@bp.post("/consultation/cases/<int:case_id>/reopen")
@require(HANDLE)
def case_reopen(case_id: int):
    return _case_action(
        case_id,
        "reopen_form",
        ReopenForm,
        lambda c, f: cases.reopen(c, f.reason.data, actor_id=current_user.id),
        _("The case has been reopened."),
    )


# --- the 支援調整会議 ------------------------------------------------------------------------------


@bp.route("/consultation/meetings", methods=["GET", "POST"])
@require(HANDLE)
def meetings():
    form = MeetingForm()
    if request.method == "GET" and form.held_on.data is None:
        form.held_on.data = service.today()
    if form.validate_on_submit():
        meeting = meetings_service.prepare(form.held_on.data, actor_id=current_user.id)
        flash(_("The agenda has been prepared."), "success")
        return _done(redirect(url_for("referrals.meeting", meeting_id=meeting.id), code=303))
    preview_count = meetings_service.count_candidates(form.held_on.data or service.today())
    return render_template(
        "referrals/meetings.html",
        form=form,
        meetings=meetings_service.upcoming_and_past(),
        preview_count=preview_count,
    )


@bp.get("/consultation/meetings/<int:meeting_id>")
@require(HANDLE)
def meeting(meeting_id: int):
    return _render_meeting(db.get_or_404(Meeting, meeting_id))


def _render_meeting(
    meeting: Meeting,
    status: int = 200,
    failed_item: int | None = None,
    failed_form=None,
    page: int | None = None,
):
    """One page of the agenda; its view (with the cases shown) is audit-logged."""
    items = meetings_service.agenda_page(meeting, page=page or _page())
    # Items another area decides with its own form (a closure proposal) get no generic form.
    decided_elsewhere = meetings_service.decided_by_sources(items.items)
    decision_forms = {}
    for item in items.items:
        if item.id in decided_elsewhere:
            continue
        if failed_item == item.id:
            decision_forms[item.id] = failed_form
            continue
        form = DecisionForm(prefix=f"item{item.id}")
        form.legal_basis.data = (
            "support_meeting" if meetings_service.needs_legal_basis(item.case) else "consent"
        )
        form.next_review_on.data = cases.latest_allowed_review(item.case.risk, meeting.held_on)
        decision_forms[item.id] = form
    html = render_template(
        "referrals/meeting.html",
        meeting=meeting,
        items=items,
        decision_forms=decision_forms,
        decided_elsewhere=decided_elsewhere,
        # the items discussed as a 支援会議: the page explains it once and marks each of them
        unconsented={i.id for i in items.items if meetings_service.needs_legal_basis(i.case)},
        needs_legal_basis=meetings_service.needs_legal_basis,
    )
    service.record_view(
        "meeting",
        meeting.id,
        actor_id=current_user.id,
        case_ids=[i.case_id for i in items.items],
        page=items.page,
    )
    return _done((html, status))


@bp.post("/consultation/meetings/<int:meeting_id>/items/<int:item_id>")
@require(HANDLE)
def meeting_decision(meeting_id: int, item_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    item = db.get_or_404(MeetingItem, item_id)
    if item.meeting_id != meeting.id:
        abort(404)
    if meetings_service.decided_by_sources([item]):
        # A stale or hand-made form: the item is decided with its own form (a closure
        # proposal), which this one would bypass. Nothing is recorded.
        flash(_("This case is decided with the form of its closure proposal."), "error")
        return redirect(meetings_service.item_url(item), code=303)
    form = DecisionForm(prefix=f"item{item.id}")
    if form.validate_on_submit():
        try:
            meetings_service.record_decision(
                item,
                form.decision.data,
                form.legal_basis.data,
                form.next_review_on.data,
                actor_id=current_user.id,
            )
        except meetings_service.MeetingError as exc:
            db.session.rollback()
            messages = {
                "legal_basis": _(
                    "The resident has not consented: record the support meeting (社会福祉法第106条の6) as the legal basis."
                ),
                "review_date": _("The next review date is too far away for this risk level."),
                "decided": _("A decision has already been recorded for this case at this meeting."),
                "closed": _("A closed case cannot be changed. Reopen it first."),
            }
            form.decision.errors = [*form.decision.errors, messages[str(exc)]]
        else:
            flash(_("The decision is recorded in the case's timeline."), "success")
            return _done(redirect(meetings_service.item_url(item), code=303))
    return _render_meeting(meeting, 400, item.id, form, page=meetings_service.page_of(item))


# --- statistics and the audit log -----------------------------------------------------------------


@bp.get("/consultation/statistics")
@require(HANDLE)
def statistics():
    from app.core.i18n import current_locale
    from app.referrals import statistics as stats

    figures = stats.referral_figures(12, current_locale())
    month_labels = [f"{y}/{m}" for y, m in figures.span]
    chart = stats.bar_chart([f"{m}" for _y, m in figures.span], figures.totals)
    return render_template(
        "referrals/statistics.html",
        month_labels=month_labels,
        departments=figures.departments,
        totals=figures.totals,
        chart=chart,
        contact_rows=figures.contact,
        age_rows=stats.open_cases_by_age(),
        closure_rows=stats.closures_by_reason(),
        stale_count=cases.count_stale(),
    )


@bp.get("/consultation/audit")
@require(Permission.READ_AUDIT_LOG)
def audit_log():
    from app.referrals import audit_log as log

    records = request.args.get("records", "referral_area")
    records = records if records in log.RECORD_FILTERS else "referral_area"
    reference = request.args.get("reference", "", type=str).strip()[:20]
    try:
        page = log.search(records, reference, request.args.get("page", 1, type=bounded_int))
    except log.UnknownReference:
        page = None
    rows = log.describe(page.items if page else [])
    html = render_template(
        "referrals/audit.html",
        page=page,
        rows=rows,
        records=records,
        reference=reference,
        record_filters=log.RECORD_FILTERS,
    )
    service.record_view(
        "audit_log",
        None,
        actor_id=current_user.id,
        records=records,
        page=page.page if page else None,
    )
    return _done(html)


@bp.context_processor
def inject_choices():
    from app.referrals import choices

    names = (
        "CONCERNS",
        "URGENCY_SHORT",
        "CONSENT",
        "REFERRAL_BASIS",
        "PREFERRED_CONTACT",
        "REFERRAL_STATUS",
        "REFERRER_STATUS",
        "REFERRER_STATUS_HELP",
        "CASE_STATUS",
        "RISK",
        "ENTRY_KINDS",
        "ENTRY_CODES",
        "CLOSURE_REASONS",
        "AGENDA_REASONS",
        "LEGAL_BASIS",
        "AGE_LABELS",
        "AUDIT_OBJECT_LABELS",
        "AUDIT_ACTIONS",
    )
    sources = meetings_service.agenda_sources().values()
    return {name: getattr(choices, name) for name in names} | {
        "today": service.today(),
        # Other areas' agenda sources bring their reasons' labels and a part of each agenda item.
        "AGENDA_REASONS": choices.AGENDA_REASONS | {s.reason: s.label for s in sources},
        "agenda_partials": [s.partial for s in sources if s.partial],
    }
