"""Thin handlers: the partner's shared cases; the 相談室's sharing page and partner-updates
queue; the system admin's agencies page. Each request commits once, at its end."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.converters import bounded_int
from app.core.permissions import Permission, require
from app.extensions import db
from app.partners import bp, service
from app.partners.choices import (
    AGENCY_KINDS,
    IDENTIFYING_FIELDS,
    PARTNER_ENTRY_KINDS,
    SHAREABLE_FIELDS,
    SHARING_BASIS,
)
from app.partners.forms import AccountForm, AgencyForm, ConfirmForm, PartnerEntryForm, SharingForm
from app.partners.models import Agency
from app.referrals.forms import opts
from app.referrals.models import CaseEntry, SupportCase
from app.referrals.service import today

PARTNER = Permission.VIEW_PARTNER_CASES
HANDLE = Permission.HANDLE_REFERRALS


def _error(code: str) -> str:
    messages = {
        "no_role": _("Your agency has no active role in this case."),
        "kind": _("Choose a kind."),
        "body": _("Write what happened."),
        "future": _("The date cannot be in the future."),
        "basis": _(
            "Identifying details and timeline entries can be shared only with the resident's consent, or when "
            "the agency is a member of the case's support meeting (支援会議)."
        ),
        "status": _("That is not possible any more."),
        "name": _("Name the agency."),
        "name_taken": _("An agency with that name is already registered."),
        "account": _("Give the sign-in number and the name."),
        "number_taken": _("That sign-in number is already in use."),
        "email_taken": _("That e-mail address is already in use."),
    }
    return messages.get(code, messages["status"])


def _my_agency() -> Agency:
    agency = service.agency_for(current_user)
    if agency is None:
        abort(403)
    return agency


def _partner_case(case_id: int, agency: Agency) -> SupportCase:
    """A case the agency has an active role in; any other is 'not found', not 'forbidden'."""
    case = db.session.get(SupportCase, case_id)
    if case is None or not service.active_roles(case.id, agency.id):
        abort(404)
    return case


# --- the partner -----------------------------------------------------------------------------------


@bp.get("/partners")
@require(PARTNER)
def home():
    agency = _my_agency()
    page = service.cases_for(agency.id, page=request.args.get("page", 1, type=bounded_int))
    service.record_list_view([c.id for c in page.items], agency, current_user)
    html = render_template("partners/home.html", agency=agency, page=page)
    db.session.commit()
    return html


def _render_partner_case(
    case: SupportCase, agency: Agency, form: PartnerEntryForm, status: int = 200
):
    view = service.partner_view(case, agency)
    service.record_case_view(view, agency, current_user)
    html = render_template(
        "partners/case.html",
        agency=agency,
        view=view,
        case=case,
        form=form,
        PARTNER_ENTRY_KINDS=PARTNER_ENTRY_KINDS,
        SHARING_BASIS=SHARING_BASIS,
    )
    db.session.commit()
    return html, status


@bp.get("/partners/cases/<int:case_id>")
@require(PARTNER)
def case(case_id: int):
    agency = _my_agency()
    form = PartnerEntryForm()
    form.occurred_on.data = today()
    return _render_partner_case(_partner_case(case_id, agency), agency, form)


@bp.post("/partners/cases/<int:case_id>/entries")
@require(PARTNER)
def case_entry(case_id: int):
    agency = _my_agency()
    case = _partner_case(case_id, agency)
    form = PartnerEntryForm()
    if form.validate_on_submit():
        try:
            service.add_entry(
                case, agency, form.kind.data, form.body.data, form.occurred_on.data, current_user
            )
        except service.PartnerError as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, _error(str(exc))]
        else:
            db.session.commit()
            flash(_("Recorded. The lead worker at the consultation office will see it."), "success")
            return redirect(url_for("partners.case", case_id=case.id) + "#timeline", code=303)
    flash(_("Please correct the marked fields."), "error")
    return _render_partner_case(case, agency, form, 400)


# --- the 相談室: sharing and the updates queue -----------------------------------------------------------


def _sharing_context(case: SupportCase, agency: Agency, form: SharingForm | None = None) -> dict:
    roles = service.active_roles(case.id, agency.id)
    if not roles:
        abort(404)
    if form is None:
        form = SharingForm(formdata=None)
        form.fields.data = service.shared_fields(case.id, agency.id)
        form.entries.data = sorted(service.shared_entry_ids(case.id, agency.id))
        form.support_meeting_member.data = any(r.support_meeting_member for r in roles)
    form.fields.choices = opts((k, label) for k, (label, _i) in SHAREABLE_FIELDS.items())
    entries = [e for e in case.entries if e.agency_id != agency.id]
    form.entries.choices = [(e.id, str(e.id)) for e in entries]
    return {
        "case": case,
        "agency": agency,
        "roles": roles,
        "form": form,
        "entries": entries,
        "basis": service.sharing_basis(case, roles),
        "identifying": IDENTIFYING_FIELDS,
        "SHAREABLE_FIELDS": SHAREABLE_FIELDS,
        "SHARING_BASIS": SHARING_BASIS,
    }


@bp.route("/consultation/cases/<int:case_id>/sharing/<int:agency_id>", methods=["GET", "POST"])
@require(HANDLE)
def sharing(case_id: int, agency_id: int):
    case = db.get_or_404(SupportCase, case_id)
    agency = db.get_or_404(Agency, agency_id)
    status = 200
    if request.method == "POST":
        form = SharingForm()
        context = _sharing_context(case, agency, form)
        if form.validate_on_submit():
            try:
                service.set_sharing(
                    case,
                    agency.id,
                    fields=form.fields.data or [],
                    entry_ids=form.entries.data or [],
                    support_meeting_member=bool(form.support_meeting_member.data),
                    actor=current_user,
                )
            except service.PartnerError as exc:
                db.session.rollback()
                form.fields.errors = [*form.fields.errors, _error(str(exc))]
            else:
                db.session.commit()
                flash(_("Sharing with %(agency)s saved.", agency=agency.name), "success")
                return redirect(
                    url_for("partners.sharing", case_id=case.id, agency_id=agency.id), code=303
                )
        status = 400
        context = _sharing_context(case, agency, form)
    else:
        context = _sharing_context(case, agency)
    audit.record(
        "support_case.viewed",
        "support_case",
        case.id,
        actor_id=current_user.id,
        page="sharing",
        agency_id=agency.id,
    )
    html = render_template("partners/sharing.html", **context)
    db.session.commit()
    return html, status


@bp.get("/consultation/partner-updates")
@require(HANDLE)
def updates():
    everyone = request.args.get("all") == "1"
    page = service.updates(
        None if everyone else current_user.id, page=request.args.get("page", 1, type=bounded_int)
    )
    audit.record(
        "partner_updates.viewed",
        "case_list",
        None,
        actor_id=current_user.id,
        case_ids=sorted({e.case_id for e in page.items}),
    )
    html = render_template(
        "partners/updates.html",
        page=page,
        everyone=everyone,
        confirm=ConfirmForm(),
        PARTNER_ENTRY_KINDS=PARTNER_ENTRY_KINDS,
    )
    db.session.commit()
    return html


@bp.post("/consultation/partner-updates/<int:entry_id>/read")
@require(HANDLE)
def update_read(entry_id: int):
    entry = db.get_or_404(CaseEntry, entry_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.acknowledge(entry, current_user)
        except service.PartnerError:
            flash(_("That is not possible any more."), "error")
        else:
            db.session.commit()
            flash(_("The update is marked as read."), "success")
    everyone = request.form.get("all") == "1"
    return redirect(url_for("partners.updates", **({"all": "1"} if everyone else {})), code=303)


# --- the system admin: agencies and their accounts --------------------------------------------------------


@bp.route("/admin/agencies", methods=["GET", "POST"])
@require(Permission.MANAGE_ACCOUNTS)
def agencies():
    form = AgencyForm()
    status = 200
    if form.validate_on_submit():
        try:
            agency = service.create_agency(form.name.data, form.kind.data, current_user)
        except service.PartnerError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, _error(str(exc))]
        else:
            db.session.commit()
            flash(_("Agency registered: %(name)s.", name=agency.name), "success")
            return redirect(url_for("partners.agency", agency_id=agency.id), code=303)
    if form.is_submitted():
        status = 400
    return render_template(
        "partners/agencies.html",
        form=form,
        agencies=service.list_agencies(),
        AGENCY_KINDS=AGENCY_KINDS,
    ), status


def _render_agency(agency: Agency, form=None, account_form=None, temporary=None, status: int = 200):
    if form is None:
        form = AgencyForm(formdata=None, obj=agency)
    return render_template(
        "partners/agency.html",
        agency=agency,
        form=form,
        account_form=account_form or AccountForm(formdata=None),
        confirm=ConfirmForm(),
        temporary=temporary,
        AGENCY_KINDS=AGENCY_KINDS,
    ), status


@bp.route("/admin/agencies/<int:agency_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_ACCOUNTS)
def agency(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    if request.method == "GET":
        return _render_agency(agency)
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            service.update_agency(
                agency, form.name.data, form.kind.data, bool(form.active.data), current_user
            )
        except service.PartnerError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, _error(str(exc))]
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("partners.agency", agency_id=agency.id), code=303)
    return _render_agency(agency, form=form, status=400)


@bp.post("/admin/agencies/<int:agency_id>/accounts")
@require(Permission.MANAGE_ACCOUNTS)
def agency_account(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            employee, temporary = service.add_account(
                agency,
                form.staff_number.data,
                form.name.data,
                form.kana.data or "",
                form.email.data or "",
                current_user,
            )
        except service.PartnerError as exc:
            db.session.rollback()
            form.staff_number.errors = [*form.staff_number.errors, _error(str(exc))]
        else:
            db.session.commit()
            # The temporary password is shown once in this response, never stored in a cookie or URL.
            return _render_agency(agency, temporary=(employee, temporary))
    return _render_agency(agency, account_form=form, status=400)


@bp.post("/admin/agencies/<int:agency_id>/accounts/<int:employee_id>/active")
@require(Permission.MANAGE_ACCOUNTS)
def agency_account_active(agency_id: int, employee_id: int):
    agency = db.get_or_404(Agency, agency_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        from app.accounts.models import Employee

        person = db.get_or_404(Employee, employee_id)
        employee = service.set_account_active(agency, employee_id, not person.active, current_user)
    except service.PartnerError:
        abort(404)
    db.session.commit()
    flash(_("Reactivated.") if employee.active else _("Deactivated."), "success")
    return redirect(url_for("partners.agency", agency_id=agency.id), code=303)


@bp.context_processor
def inject_choices():
    from app.referrals import choices

    names = ("CASE_STATUS", "RISK", "ENTRY_KINDS", "ENTRY_CODES", "CONSENT", "LEGAL_BASIS")
    return {name: getattr(choices, name) for name in names} | {"today": today()}
