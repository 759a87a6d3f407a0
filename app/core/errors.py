"""Translated error pages."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

HANDLED_STATUSES = (400, 403, 404, 413, 429, 500)


def _page(status: int, message: str | None = None):
    titles = {
        400: _("The request could not be understood."),
        403: _("You do not have permission to open this page."),
        404: _("This page could not be found."),
        413: _("The file is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on the server. Please try again later."),
    }
    # The browser tab says in words what happened, not the status code.
    names = {
        400: _("Request not understood"),
        403: _("No permission"),
        404: _("Page not found"),
        413: _("File too large"),
        429: _("Too many attempts"),
        500: _("Server error"),
    }
    return render_template("core/error.html", status=status, name=names[status], title=titles[status],
                           message=message), status


def init_app(app) -> None:
    for status in HANDLED_STATUSES:
        app.register_error_handler(status, lambda exc, status=status: _page(status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, _("The form had expired or was not sent from this portal. Please reload the page and try again."))
