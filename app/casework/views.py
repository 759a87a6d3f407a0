"""Thin handlers: caseloads and handover. Each request commits once, at its end."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Employee
from app.casework import bp, service
from app.casework.forms import HandoverForm
from app.core import audit, clock
from app.core.converters import bounded_int
from app.core.permissions import Permission, require, user_can
from app.extensions import db
from app.referrals.forms import opts
from app.referrals.models import SupportCase

HANDLE = Permission.HANDLE_REFERRALS
LEAD = Permission.VIEW_ALL_CASELOADS


def _is_lead() -> bool:
    return user_can(current_user, LEAD)


def _render_caseload(worker: Employee):
    page = service.caseload(worker.id, page=request.args.get("page", 1, type=bounded_int))
    loads = service.loads(worker_id=worker.id)
    audit.record("case_list.viewed", "case_list", None, actor_id=current_user.id, list="caseload", worker_id=worker.id,
                 case_ids=[row.case.id for row in page.items])
    html = render_template("casework/caseload.html", worker=worker, page=page, load=loads[0] if loads else None,
                           own=worker.id == current_user.id, long_months=service.long_months(),
                           no_contact_days=service.no_contact_days())
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
    html = render_template("casework/caseloads.html", loads=loads, biggest=max([x.total for x in loads] or [0]),
                           long_months=service.long_months(), no_contact_days=service.no_contact_days())
    db.session.commit()
    return html


@bp.get("/casework/caseloads/<int:worker_id>")
@require(HANDLE, LEAD)
def worker_caseload(worker_id: int):
    return _render_caseload(db.get_or_404(Employee, worker_id))


def _handover_form(case: SupportCase) -> HandoverForm:
    form = HandoverForm()
    form.to_worker_id.choices = opts([(0, _("Choose…"))] + [(e.id, e.name) for e in service.consultation_staff()
                                                            if e.id != case.lead_worker_id])
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
            service.handover(case, form.to_worker_id.data, form.note.data, actor=current_user, may_reassign_any=_is_lead())
        except service.CaseworkError as exc:
            db.session.rollback()
            messages = {
                "closed": _("A closed case cannot be changed. Reopen it first."),
                "lead": _("Choose the new lead worker from the consultation office."),
                "same": _("Choose the new lead worker from the consultation office."),
                "note": _("Write the handover note."),
            }
            form.to_worker_id.errors = [*form.to_worker_id.errors, messages.get(str(exc), messages["lead"])]
        else:
            db.session.commit()
            flash(_("Handed over. The note is on the case's timeline."), "success")
            return redirect(url_for("referrals.case_detail", case_id=case.id) + "#timeline", code=303)
        status = 400
    elif form.is_submitted():
        status = 400
    audit.record("support_case.viewed", "support_case", case.id, actor_id=current_user.id, page="handover")
    html = render_template("casework/handover.html", case=case, form=form, today=clock.today())
    db.session.commit()
    return html, status


@bp.context_processor
def inject_choices():
    from app.referrals import choices

    names = ("CASE_STATUS", "RISK", "CLOSURE_REASONS", "ENTRY_KINDS", "ENTRY_CODES", "LEGAL_BASIS")
    return {name: getattr(choices, name) for name in names} | {"today": clock.today()}
