"""Site-wide pages: home, the language switch, a health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.core import bp
from app.core.forms import LanguageForm
from app.core.layout import nav_items as layout_nav_items
from app.core.permissions import Permission, public, signed_in, user_can
from app.extensions import db

# Areas add panels to the home page: (template name, permission).
HOME_PANELS: list[tuple[str, Permission]] = []


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow a redirect target on this portal (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
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
    panels = [t for t, p in HOME_PANELS if user_can(current_user, p)]
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
    return redirect(safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path, url_for("core.home")))


@bp.get("/healthz")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
