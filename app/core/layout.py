"""Site-wide layout: the navigation, shown by permission, and the refer button."""

from __future__ import annotations

from flask import Flask, current_app, url_for

from app.core import registries
from app.core.permissions import Permission, user_can


def add_nav(app: Flask, endpoint: str, label, permission: Permission) -> None:
    """Add a link to the site navigation of ``app`` (shown to those with ``permission``)."""
    registries.add(app, registries.NAVIGATION, endpoint, (endpoint, label, permission))


def nav_items() -> list[tuple[str, str, object]]:
    """The signed-in employee's navigation: (endpoint, url, label) they may use."""
    from flask_login import current_user

    items = []
    for endpoint, label, permission in registries.entries(registries.NAVIGATION):
        if endpoint in current_app.view_functions and user_can(current_user, permission):
            items.append((endpoint, url_for(endpoint), label))
    return items


def init_app(app) -> None:
    @app.context_processor
    def inject_layout():
        from flask_login import current_user

        refer_url = None
        if "referrals.new" in current_app.view_functions and user_can(
            current_user, Permission.REFER
        ):
            refer_url = url_for("referrals.new")
        return {
            "nav_items": nav_items,
            "refer_url": refer_url,
            "city_name": current_app.config["CITY_NAME"],
        }
