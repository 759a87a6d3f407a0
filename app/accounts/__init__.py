from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

from app.accounts import cli, views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.accounts import sso
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(sso.load_user)
    sso.init_app(app)
    app.cli.add_command(cli.staff_cli)
    app.cli.add_command(cli.demo_cli)
    add_nav(app, "accounts.roster_upload", _l("Roster import"), Permission.IMPORT_ROSTER)
    add_nav(app, "accounts.employees", _l("Employees"), Permission.MANAGE_ACCOUNTS)
