from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")

from app.core import views  # noqa: E402,F401


def init_app(app):
    from app.core.worker import tasks_cli

    app.cli.add_command(tasks_cli)
