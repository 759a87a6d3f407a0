"""Loading the signed-in employee, and the optional trusted-header single sign-on."""

from __future__ import annotations

import functools
import ipaddress
import time

from flask import current_app, request, session
from flask_login import current_user, login_user

from app.accounts import identity
from app.accounts.identity import SIGNED_IN_AT
from app.extensions import db

REFRESHED_AT = "refreshed_at"


def load_user(user_id: str):
    """Runs on every request: one statement for the employee and their roles.

    The session must still be live (:func:`identity.session_claim` and
    :func:`identity.signed_in_rules`: lifetime, generation, active). A route that declared a
    light loader gets its :class:`identity.SignedIn` instead of the ORM employee.
    """
    claim = identity.session_claim(user_id)
    if claim is None:
        return None
    light = identity.light_loader()
    if light is not None:
        return light(claim)
    return db.session.scalars(_signed_in_statement(), claim).unique().one_or_none()


@functools.cache
def _signed_in_statement():
    """The loader's statement, built once: building it on every request cost more than running it."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from app.accounts.models import Employee

    return (
        select(Employee)
        .options(joinedload(Employee.role_rows))
        .where(*identity.signed_in_rules(Employee.__table__))
    )


def begin_session(employee) -> None:
    """A fresh session for ``employee``: nothing from before signing in is kept."""
    session.clear()
    login_user(employee)
    session.permanent = True
    session[SIGNED_IN_AT] = int(time.time())


def keep_session(employee) -> None:
    """After the employee's own change ended their sessions: carry on in this one only."""
    login_user(employee)


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
    return any(
        address in ipaddress.ip_network(entry, strict=False)
        for entry in app.config["TRUSTED_PROXY_ADDRESSES"]
    )


def renew_session(response):
    """Renew a signed-in session's idle lifetime at most every SESSION_REFRESH_SECONDS.

    Flask would otherwise sign and send the cookie again on every response (a progress report
    every few seconds); changing the session here is what makes Flask send it.
    """
    if session.permanent and isinstance(session.get(SIGNED_IN_AT), int):
        now = int(time.time())
        last = session.get(REFRESHED_AT)
        if not isinstance(last, int) or now - last >= current_app.config["SESSION_REFRESH_SECONDS"]:
            session[REFRESHED_AT] = now
    return response


def init_app(app) -> None:
    app.after_request(renew_session)

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
            begin_session(employee)
            service.record_sign_in(employee, method="trusted_header")
