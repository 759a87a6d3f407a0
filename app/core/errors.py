"""Translated error pages."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.core.permissions import unauthorized
from app.core.signals import ProgressNotRecorded

log = logging.getLogger(__name__)

HANDLED_STATUSES = (400, 403, 404, 413, 429, 500)


def _page(status: int, message: str | None = None):
    titles = {
        400: _("The request could not be understood."),
        403: _("You do not have permission to open this page."),
        404: _("This page could not be found."),
        413: _("The file is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on the server. Please try again later."),
        503: _("Your progress could not be recorded."),
    }
    # The browser tab says in words what happened, not the status code.
    names = {
        400: _("Request not understood"),
        403: _("No permission"),
        404: _("Page not found"),
        413: _("File too large"),
        429: _("Too many attempts"),
        500: _("Server error"),
        503: _("Progress not recorded"),
    }
    return render_template(
        "core/error.html", status=status, name=names[status], title=titles[status], message=message
    ), status


def init_app(app) -> None:
    for status in HANDLED_STATUSES:
        app.register_error_handler(status, lambda exc, status=status: _page(status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        if (
            not current_user.is_authenticated
            and request.accept_mimetypes.best == "application/json"
        ):
            # A script's request whose session has gone (signed out in another tab, timed out):
            # its token went with the session. Say so, as the permission check does.
            return unauthorized()
        return _page(
            400,
            _(
                "The form had expired or was not sent from this portal. Please reload the page and try again."
            ),
        )

    @app.errorhandler(ProgressNotRecorded)
    def progress_not_recorded(exc):
        # Nothing of this step is kept, in the area or in its courses: the learner tries again.
        from app.extensions import db

        db.session.rollback()
        log.error("learning progress not recorded, request rolled back", exc_info=exc)
        message = _(
            "Nothing was saved, so your earlier progress is unchanged. Please try again in a moment; "
            "if it happens again, tell the training office."
        )
        if request.is_json or request.accept_mimetypes.best == "application/json":
            return jsonify(
                error="progress_not_recorded",
                message=f"{_('Your progress could not be recorded.')} {message}",
            ), 503
        return _page(503, message)
