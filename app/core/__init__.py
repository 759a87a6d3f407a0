from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")

from app.core import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.core.worker import tasks_cli

    add_nav(app, "core.home", _l("Home"), Permission.LEARN)  # first, before every area's entries

    app.cli.add_command(tasks_cli)
    from app.core.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
