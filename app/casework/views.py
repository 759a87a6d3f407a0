"""Thin handlers: caseloads and handover. Each request commits once, at its end."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Employee
from app.casework import bp, service
from app.casework.forms import ClosureDecisionForm, FollowUpForm, HandoverForm, ReviewForm
from app.casework.models import ProposalOutcome, Readiness
from app.core import audit, clock
from app.core.converters import bounded_int
from app.core.permissions import Permission, require, user_can
from app.extensions import db
from app.referrals.forms import opts
from app.referrals.models import CaseStatus, SupportCase

HANDLE = Permission.HANDLE_REFERRALS
LEAD = Permission.VIEW_ALL_CASELOADS


def _is_lead() -> bool:
    return user_can(current_user, LEAD)


def _render_caseload(worker: Employee):
    page = service.caseload(worker.id, page=request.args.get("page", 1, type=bounded_int))
    loads = service.loads(worker_id=worker.id)
    audit.record(
        "case_list.viewed",
        "case_list",
        None,
        actor_id=current_user.id,
        list="caseload",
        worker_id=worker.id,
        case_ids=[row.case.id for row in page.items],
    )
    follow_ups = service.follow_ups_due(worker.id)
    html = render_template(
        "casework/caseload.html",
        worker=worker,
        page=page,
        load=loads[0] if loads else None,
        follow_ups=follow_ups,
        follow_up_form=FollowUpForm(formdata=None),
        own=worker.id == current_user.id,
        long_months=service.long_months(),
        no_contact_days=service.no_contact_days(),
    )
    db.session.commit()
    return html


@bp.get("/casework/caseload")
@require(HANDLE)
def my_caseload():
    return _render_caseload(current_user._get_current_object())


@bp.get("/casework/caseloads")
@require(HANDLE, LEAD)
def caseloads():
    loads = service.loads()
    audit.record("caseloads.viewed", "case_list", None, actor_id=current_user.id)
    html = render_template(
        "casework/caseloads.html",
        loads=loads,
        biggest=max([x.total for x in loads] or [0]),
        long_months=service.long_months(),
        no_contact_days=service.no_contact_days(),
    )
    db.session.commit()
    return html


@bp.get("/casework/caseloads/<int:worker_id>")
@require(HANDLE, LEAD)
def worker_caseload(worker_id: int):
    return _render_caseload(db.get_or_404(Employee, worker_id))


def _handover_form(case: SupportCase) -> HandoverForm:
    form = HandoverForm()
    form.to_worker_id.choices = opts(
        [(0, _("Choose…"))]
        + [(e.id, e.name) for e in service.consultation_staff() if e.id != case.lead_worker_id]
    )
    return form


@bp.route("/casework/cases/<int:case_id>/handover", methods=["GET", "POST"])
@require(HANDLE)
def handover(case_id: int):
    case = db.get_or_404(SupportCase, case_id)
    if not service.may_hand_over(case, current_user, _is_lead()):
        abort(403)
    form = _handover_form(case)
    status = 200
    if form.validate_on_submit():
        try:
            service.handover(
                case,
                form.to_worker_id.data,
                form.note.data,
                actor=current_user,
                may_reassign_any=_is_lead(),
            )
        except service.CaseworkError as exc:
            db.session.rollback()
            messages = {
                "closed": _("A closed case cannot be changed. Reopen it first."),
                "lead": _("Choose the new lead worker from the consultation office."),
                "same": _("Choose the new lead worker from the consultation office."),
                "note": _("Write the handover note."),
            }
            form.to_worker_id.errors = [
                *form.to_worker_id.errors,
                messages.get(str(exc), messages["lead"]),
            ]
        else:
            db.session.commit()
            flash(_("Handed over. The note is on the case's timeline."), "success")
            return redirect(
                url_for("referrals.case_detail", case_id=case.id) + "#timeline", code=303
            )
        status = 400
    elif form.is_submitted():
        status = 400
    audit.record(
        "support_case.viewed", "support_case", case.id, actor_id=current_user.id, page="handover"
    )
    html = render_template("casework/handover.html", case=case, form=form, today=clock.today())
    db.session.commit()
    return html, status


@bp.context_processor
def inject_choices():
    from app.referrals import choices

    names = ("CASE_STATUS", "RISK", "CLOSURE_REASONS", "ENTRY_KINDS", "ENTRY_CODES", "LEGAL_BASIS")
    return {name: getattr(choices, name) for name in names} | {"today": clock.today()}


# --- reviews, closure proposals at the meeting, 見守り checks ---------------------------------------------


def _review_form(case: SupportCase, formdata=True) -> ReviewForm:
    from app.referrals.choices import CLOSURE_REASONS

    form = ReviewForm() if formdata else ReviewForm(formdata=None)
    form.readiness.choices = opts(
        [
            (Readiness.CONTINUE, _("Support continues: set the next review")),
            (Readiness.READY, _("Ready to close: propose closure to the meeting")),
        ]
    )
    form.criterion.choices = opts([("", _("Choose…"))] + list(CLOSURE_REASONS.items()))
    if not formdata:
        from app.referrals.cases import latest_allowed_review

        form.next_review_on.data = latest_allowed_review(case.risk)
    return form


REVIEW_ERRORS = {
    "closed": lambda: _("A closed case cannot be changed. Reopen it first."),
    "summary": lambda: _("Write where the support stands."),
    "criterion": lambda: _("Choose the criterion the case meets."),
    "attempts": lambda: _(
        "Closing as refused or unreachable needs %(n)d attempts to reach the resident on the timeline.",
        n=service.agreed_attempts(),
    ),
    "no_agency": lambda: _(
        "Handing over to a lead agency needs an agency with an active role in the case."
    ),
    "closure_summary": lambda: _("Write the closing summary."),
    "follow_up_on": lambda: _("The 見守り check must be after today."),
    "next_review_on": lambda: _(
        "Give a next review date from today, within the interval for the risk level."
    ),
}


@bp.route("/casework/cases/<int:case_id>/review", methods=["GET", "POST"])
@require(HANDLE)
def review(case_id: int):
    case = db.get_or_404(SupportCase, case_id)
    status = 200
    if request.method == "POST":
        form = _review_form(case)
        if form.validate_on_submit():
            data = service.ReviewInput(
                summary=form.summary.data,
                ready=form.readiness.data == Readiness.READY,
                next_review_on=form.next_review_on.data,
                criterion=form.criterion.data or None,
                closure_summary=form.closure_summary.data or "",
                follow_up=form.follow_up.data or "",
                follow_up_on=form.follow_up_on.data,
            )
            try:
                result = service.record_review(case, data, actor=current_user)
            except service.CaseworkError as exc:
                db.session.rollback()
                field = {"attempts": "criterion", "no_agency": "criterion"}.get(str(exc), str(exc))
                target = getattr(form, field, form.summary)
                target.errors = [
                    *target.errors,
                    REVIEW_ERRORS.get(str(exc), REVIEW_ERRORS["summary"])(),
                ]
            else:
                db.session.commit()
                flash(
                    _("Review recorded. The case is proposed for closure at the next meeting.")
                    if result.readiness == Readiness.READY
                    else _("Review recorded."),
                    "success",
                )
                return redirect(
                    url_for("referrals.case_detail", case_id=case.id) + "#timeline", code=303
                )
        status = 400
    else:
        form = _review_form(case, formdata=False)
    audit.record(
        "support_case.viewed", "support_case", case.id, actor_id=current_user.id, page="review"
    )
    html = render_template(
        "casework/review.html",
        case=case,
        form=form,
        attempts=service.attempts(case.id),
        agreed=service.agreed_attempts(),
        proposal=service.pending_proposal(case.id),
    )
    db.session.commit()
    return html, status


def closure_proposal(case_id: int):
    """The undecided closure proposal of a case on the agenda page (all loaded in one query)."""
    from flask import g

    cache = g.get("_closure_proposals")
    if cache is None:
        meeting_id = (request.view_args or {}).get("meeting_id")
        cache = g._closure_proposals = service.proposals_on_agenda(meeting_id)
    return cache.get(case_id)


def decides_on_agenda(item) -> bool:
    """The agenda source's ``decides``: an item whose case has a closure proposal is decided
    with the closure-decision form (the proposals are those the agenda page loads once)."""
    return closure_proposal(item.case_id) is not None


def closure_decision_form(item, form=None) -> ClosureDecisionForm:
    from app.referrals import meetings
    from app.referrals.cases import latest_allowed_review
    from app.referrals.choices import LEGAL_BASIS

    if form is None:
        form = ClosureDecisionForm(formdata=None, prefix=f"closure{item.id}")
        form.next_review_on.data = latest_allowed_review(item.case.risk, item.meeting.held_on)
    form.outcome.choices = opts(
        [
            ("close", _("Close the case as proposed")),
            ("continue", _("Keep the case open: set the next review")),
        ]
    )
    form.legal_basis.choices = opts(LEGAL_BASIS)
    form.legal_basis.data = form.legal_basis.data or (
        "support_meeting" if meetings.needs_legal_basis(item.case) else "consent"
    )
    return form


@bp.post("/casework/meetings/<int:meeting_id>/items/<int:item_id>/closure")
@require(HANDLE)
def closure_decision(meeting_id: int, item_id: int):
    from app.referrals.meetings import MeetingError, item_url
    from app.referrals.models import MeetingItem

    item = db.get_or_404(MeetingItem, item_id)
    if item.meeting_id != meeting_id:
        abort(404)
    form = closure_decision_form(item, ClosureDecisionForm(prefix=f"closure{item.id}"))
    anchor = item_url(item)  # back to the item on its page of the agenda
    if not form.validate_on_submit():
        flash(_("Write the decision."), "error")
        return redirect(anchor, code=303)
    try:
        proposal = service.decide_closure(
            item,
            close=form.outcome.data == "close",
            decision=form.decision.data,
            legal_basis=form.legal_basis.data,
            next_review_on=form.next_review_on.data,
            actor=current_user,
        )
    except (service.CaseworkError, MeetingError) as exc:
        db.session.rollback()
        messages = {
            "legal_basis": _(
                "The resident has not consented: record the support meeting (社会福祉法第106条の6) as the legal basis."
            ),
            "review_date": _("The next review date is too far away for this risk level."),
            "next_review_on": _(
                "Give a next review date from today, within the interval for the risk level."
            ),
            "decided": _("A decision has already been recorded for this case at this meeting."),
            "no_proposal": _("That is not possible any more."),
        }
        flash(messages.get(str(exc), messages["no_proposal"]), "error")
        return redirect(anchor, code=303)
    db.session.commit()
    if proposal.outcome == ProposalOutcome.CLOSED and item.case.status == CaseStatus.CLOSED:
        flash(_("The meeting closed the case."), "success")
    elif proposal.outcome == ProposalOutcome.CLOSED:
        flash(
            _("Closure decided. As you proposed it, a colleague approves it on the case page."),
            "success",
        )
    else:
        flash(_("The case stays open; the next review is set."), "success")
    return redirect(anchor, code=303)


@bp.post("/casework/follow-ups/<int:check_id>")
@require(HANDLE)
def follow_up_done(check_id: int):
    from app.casework.models import FollowUpCheck

    check = db.get_or_404(FollowUpCheck, check_id)
    if check.worker_id != current_user.id and not _is_lead():
        abort(403)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            service.complete_follow_up(check, form.note.data, actor=current_user)
        except service.CaseworkError:
            db.session.rollback()
            flash(_("That is not possible any more."), "error")
        else:
            db.session.commit()
            flash(_("The 見守り check is recorded."), "success")
    else:
        flash(_("Write how the household is doing."), "error")
    return redirect(url_for("casework.my_caseload"), code=303)
