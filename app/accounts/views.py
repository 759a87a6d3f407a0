"""Sign-in, password, employee administration and the roster upload."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.accounts import bp, directory, roster, service, sso
from app.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    RolesForm,
    RosterApplyForm,
    RosterUploadForm,
    SearchForm,
)
from app.accounts.models import Employee
from app.core.converters import bounded_int
from app.core.files import private_directory, write_private
from app.core.permissions import Permission, Role, public, require, require_any, signed_in
from app.core.views import safe_next
from app.extensions import db, limiter


def _login_key() -> str:
    return "login:" + (request.form.get("login") or "").strip().lower()[:254]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_FAILURE_LIMIT"]


def _sign_in_failed(_response) -> bool:
    # Only failed attempts count: a busy office signing in correctly is never held back.
    return bool(g.get("sign_in_failed"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_sign_in_failed)
@limiter.limit(_account_limit, methods=["POST"], key_func=_login_key, deduct_when=_sign_in_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            employee = service.authenticate(form.login.data, form.password.data)
        except directory.DirectoryUnavailable:
            flash(
                _(
                    "The city's sign-in server (Active Directory) cannot be reached. Please try again in a few minutes; "
                    "if it continues, contact the IT section."
                ),
                "error",
            )
            return render_template("accounts/login.html", form=form, signed_out=False), 503
        if employee is None:
            g.sign_in_failed = True
            flash(_("The staff number, e-mail or password is not correct."), "error")
        else:
            sso.begin_session(employee)
            service.record_sign_in(employee)
            return redirect(safe_next(form.next.data, url_for("core.home")))
    signed_out = session.pop(JUST_SIGNED_OUT, False)
    return render_template("accounts/login.html", form=form, signed_out=signed_out)


JUST_SIGNED_OUT = "just_signed_out"


@bp.post("/logout")
@public
def logout():
    ConfirmForm().validate_on_submit()  # CSRF is checked globally; nothing else to read
    if current_user.is_authenticated:
        service.record_sign_out(current_user._get_current_object())
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session[JUST_SIGNED_OUT] = True  # the sign-in page then clears drafts kept in the browser
    flash(_("You have signed out."), "info")
    response = redirect(url_for("accounts.login"))
    # Residents' drafts in localStorage must not stay on a shared desk after signing out.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = service.change_password(current_user, form.current.data, form.new.data)
        if problem is None:
            sso.keep_session(current_user._get_current_object())  # the others have ended
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("core.home"))
        field, message = problem
        form[field].errors.append(message)
    return render_template("accounts/change_password.html", form=form)


# --- system admin: employees -------------------------------------------------------------


@bp.get("/admin/employees")
@require(Permission.MANAGE_ACCOUNTS)
def employees():
    form = SearchForm(request.args)
    page = request.args.get("page", 1, type=bounded_int)
    results = service.search_employees(form.q.data or "", page=page)
    return render_template("accounts/employees.html", form=form, results=results)


@bp.get("/admin/employees/<int:employee_id>")
@require_any(Permission.MANAGE_ACCOUNTS, Permission.VIEW_ALL_PROGRESS)
def employee(employee_id: int):
    return _employee_page(db.get_or_404(Employee, employee_id))


def _roles_form(person: Employee | None = None) -> RolesForm:
    form = (
        RolesForm(roles=[str(r) for r in person.roles if r != Role.LEARNER])
        if person
        else RolesForm()
    )
    form.roles.choices = [(str(r), r.label) for r in Role if r not in (Role.LEARNER, Role.PARTNER)]
    return form


def _employee_page(person: Employee, temporary_password: str | None = None):
    return render_template(
        "accounts/employee.html",
        person=person,
        roles_form=_roles_form(person),
        confirm=ConfirmForm(),
        temporary_password=temporary_password,
    )


@bp.post("/admin/employees/<int:employee_id>/roles")
@require(Permission.MANAGE_ACCOUNTS)
def employee_roles(employee_id: int):
    person = db.get_or_404(Employee, employee_id)
    form = _roles_form()
    if person.has_role(Role.PARTNER):
        flash(_("A partner agency's account is managed on the agencies page."), "error")
    elif form.validate_on_submit():
        if person.id == current_user.id and Role.SYSTEM_ADMIN not in set(form.roles.data or []):
            flash(_("You cannot remove your own system admin role."), "error")
        else:
            try:
                service.set_roles(
                    person, set(form.roles.data or []), actor=current_user._get_current_object()
                )
            except service.RoleGrantRefused:
                flash(_("You cannot give yourself a role. Ask another system admin."), "error")
            else:
                if person.id == current_user.id:
                    sso.keep_session(person)
                flash(_("Roles saved."), "success")
    else:
        flash(_("The roles could not be saved."), "error")
    return redirect(url_for("accounts.employee", employee_id=person.id))


@bp.post("/admin/employees/<int:employee_id>/active")
@require(Permission.MANAGE_ACCOUNTS)
def employee_active(employee_id: int):
    person = db.get_or_404(Employee, employee_id)
    if ConfirmForm().validate_on_submit():
        if person.id == current_user.id:
            flash(_("You cannot deactivate yourself."), "error")
        else:
            service.set_active(person, not person.active)
            flash(
                _("Reactivated.")
                if person.active
                else _("Deactivated. The training history is kept."),
                "success",
            )
    return redirect(url_for("accounts.employee", employee_id=person.id))


@bp.post("/admin/employees/<int:employee_id>/password")
@require(Permission.MANAGE_ACCOUNTS)
def employee_password(employee_id: int):
    person = db.get_or_404(Employee, employee_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    # Shown once in this response, never put in the session cookie or a URL.
    return _employee_page(person, temporary_password=service.reset_password(person))


# --- training admin: roster upload ---------------------------------------------------------

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


PREVIEW_LIFETIME_SECONDS = 24 * 3600


def _upload_dir() -> Path:
    path = private_directory(Path(current_app.instance_path) / "uploads" / "roster")
    # Previewed rosters hold personal data: never keep one longer than a day.
    cutoff = time.time() - PREVIEW_LIFETIME_SECONDS
    for old in path.glob("*.csv"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return path


@bp.route("/admin/roster", methods=["GET", "POST"])
@require(Permission.IMPORT_ROSTER)
def roster_upload():
    form = RosterUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        parsed = roster.parse(data)
        summary = service.import_roster(
            parsed, dry_run=True, deactivate_missing=form.deactivate_missing.data
        )
        token = None
        if summary.ok:
            token = secrets.token_urlsafe(24)
            write_private(_upload_dir() / f"{token}.csv", data)
        apply_form = RosterApplyForm(
            token=token, deactivate_missing="1" if form.deactivate_missing.data else ""
        )
        return render_template(
            "accounts/roster.html", form=form, summary=summary, apply_form=apply_form
        )
    return render_template("accounts/roster.html", form=form, summary=None, apply_form=None)


@bp.post("/admin/roster/apply")
@require(Permission.IMPORT_ROSTER)
def roster_apply():
    form = RosterApplyForm()
    if not form.validate_on_submit() or not TOKEN_RE.match(form.token.data or ""):
        abort(400)
    path = _upload_dir() / f"{form.token.data}.csv"
    if not path.exists():
        flash(_("The previewed file has expired. Please upload it again."), "error")
        return redirect(url_for("accounts.roster_upload"))
    summary = service.import_roster(
        roster.parse(path.read_bytes()), deactivate_missing=bool(form.deactivate_missing.data)
    )
    path.unlink(missing_ok=True)
    return render_template(
        "accounts/roster.html", form=RosterUploadForm(), summary=summary, apply_form=None
    )
