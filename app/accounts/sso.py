"""Loading the signed-in employee, and the optional trusted-header single sign-on."""

from __future__ import annotations

import ipaddress

from flask import request
from flask_login import current_user, login_user

from app.extensions import db


def load_user(user_id: str):
    """Runs on every request: one statement for the employee and their roles."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from app.accounts.models import Employee

    if not user_id.isdigit():
        return None
    employee = db.session.scalars(
        select(Employee).options(joinedload(Employee.role_rows)).where(Employee.id == int(user_id))
    ).unique().one_or_none()
    return employee if employee is not None and employee.active else None


def immediate_peer() -> str | None:
    """The address that opened the connection to us, before ProxyFix rewrote it."""
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR")


def from_trusted_proxy(app) -> bool:
    peer = immediate_peer()
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(entry, strict=False) for entry in app.config["TRUSTED_PROXY_ADDRESSES"])


def init_app(app) -> None:
    @app.before_request
    def trusted_header_sign_in():
        # Only when the intranet reverse proxy authenticates users and says so in a header.
        # A client can write that header too, so it counts only on a connection that comes
        # from one of the configured proxies (which must also strip it from clients). Off by
        # default.
        if not app.config.get("TRUSTED_HEADER_SSO") or current_user.is_authenticated:
            return
        name = app.config["TRUSTED_HEADER_NAME"]
        remote_user = request.environ.get(name) or request.headers.get(name.replace("_", "-"))
        if not remote_user or not from_trusted_proxy(app):
            return
        from app.accounts import service

        employee = service.find_by_login(remote_user.strip())
        if employee is not None and employee.active:
            login_user(employee)
            service.record_sign_in(employee, method="trusted_header")
