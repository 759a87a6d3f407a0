"""Loading the signed-in employee, and the optional trusted-header single sign-on."""

from __future__ import annotations

from flask import request
from flask_login import current_user, login_user

from app.extensions import db


def load_user(user_id: str):
    from app.accounts.models import Employee

    employee = db.session.get(Employee, int(user_id)) if user_id.isdigit() else None
    return employee if employee is not None and employee.active else None


def init_app(app) -> None:
    @app.before_request
    def trusted_header_sign_in():
        # Only when the intranet reverse proxy authenticates users and says so in a header
        # that clients cannot set themselves. Off by default.
        if not app.config.get("TRUSTED_HEADER_SSO") or current_user.is_authenticated:
            return
        name = app.config["TRUSTED_HEADER_NAME"]
        remote_user = request.environ.get(name) or request.headers.get(name.replace("_", "-"))
        if not remote_user:
            return
        from app.accounts import service

        employee = service.find_by_login(remote_user.strip())
        if employee is not None and employee.active:
            login_user(employee)
            service.record_sign_in(employee, method="trusted_header")
