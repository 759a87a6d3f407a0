"""Site-wide pages: home, the language switch, a health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.core import bp, registries
from app.core.forms import LanguageForm
from app.core.layout import nav_items as layout_nav_items
from app.core.permissions import Permission, public, signed_in, user_can
from app.extensions import db


def add_home_panel(
    app: Flask, template: str, permission: Permission, *, first: bool = False
) -> None:
    """Add a panel (a template) to the home page of ``app``, shown to those with ``permission``."""
    registries.add(app, registries.HOME_PANELS, template, (template, permission), first=first)


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow a redirect target on this portal (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return fallback


@bp.get("/")
@signed_in
def home():
    if not user_can(current_user, Permission.LEARN):
        # An account that is not a learner (a partner agency's) starts on its first page.
        first = next(iter(layout_nav_items()), None)
        if first is None:
            abort(403)
        return redirect(first[1])
    panels = [t for t, p in registries.entries(registries.HOME_PANELS) if user_can(current_user, p)]
    return render_template("core/home.html", panels=panels)


@bp.post("/language")
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.locale.data in current_app.config["LANGUAGES"]:
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            from app.accounts import service

            service.set_locale(current_user, form.locale.data)
    return redirect(
        safe_next(
            form.next.data or request.referrer and urlsplit(request.referrer).path,
            url_for("core.home"),
        )
    )


@bp.get("/healthz")
@public
def health():
    """For the proxy and the monitoring: the database, the task queue and a live worker.

    JSON either way; 503 when any part is not ok, so a load balancer takes the host out.
    """
    from app.core import queue, worker

    checks = {"database": _database_status(), "queue": queue.status()}
    checks["worker"] = worker.status() if checks["database"]["ok"] else {"ok": False}
    ok = all(check["ok"] for check in checks.values())
    response = jsonify(status="ok" if ok else "fail", **checks)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_status() -> dict:
    try:
        db.session.execute(db.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ok"; the log has the detail
        db.session.rollback()
        current_app.logger.exception("health check: the database does not answer")
        return {"ok": False}
    return {"ok": True}
