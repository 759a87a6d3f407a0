"""Site-wide layout: the navigation, shown by permission, and the refer button."""

from __future__ import annotations

from flask import current_app, url_for

from app.core.permissions import Permission, user_can

# (endpoint, label, permission). An area appends its entries when it is registered.
NAVIGATION: list[tuple[str, object, Permission]] = []


def add_nav(endpoint: str, label, permission: Permission) -> None:
    if endpoint not in [e for e, _, _ in NAVIGATION]:
        NAVIGATION.append((endpoint, label, permission))


def nav_items() -> list[tuple[str, str, object]]:
    """The signed-in employee's navigation: (endpoint, url, label) they may use."""
    from flask_login import current_user

    items = []
    for endpoint, label, permission in NAVIGATION:
        if endpoint in current_app.view_functions and user_can(current_user, permission):
            items.append((endpoint, url_for(endpoint), label))
    return items


def init_app(app) -> None:
    @app.context_processor
    def inject_layout():
        from flask_login import current_user

        refer_url = None
        if "referrals.new" in current_app.view_functions and user_can(current_user, Permission.REFER):
            refer_url = url_for("referrals.new")
        return {"nav_items": nav_items, "refer_url": refer_url, "city_name": current_app.config["CITY_NAME"]}
