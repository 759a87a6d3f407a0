"""Partner agencies: their accounts, what the 相談室 shares with them, and what they report back."""

from flask import Blueprint

bp = Blueprint("partners", __name__, template_folder="templates")

from app.partners import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.core.views import add_home_panel
    from app.partners import cli, service

    add_nav(app, "partners.home", _l("Shared cases"), Permission.VIEW_PARTNER_CASES)
    add_nav(app, "partners.updates", _l("Partner updates"), Permission.HANDLE_REFERRALS)
    add_nav(app, "partners.agencies", _l("Agencies"), Permission.MANAGE_ACCOUNTS)
    add_home_panel(app, "partners/_office_panel.html", Permission.HANDLE_REFERRALS)
    from app.core.demo import register_demo_loader
    from app.partners import demo

    register_demo_loader(app, demo.load)
    app.jinja_env.globals["partner_update_count"] = service.unread_update_count
    app.cli.add_command(cli.partners_cli)
