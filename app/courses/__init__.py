"""Courses: the catalogue, required-training assignments, completion, the learner's home,
certificates and reminders."""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="templates")

from app.courses import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.core.views import HOME_PANELS
    from app.courses import cli, content, receivers  # noqa: F401 - content registers its kind
    from app.courses.demo import load_demo

    add_nav("courses.home", _l("My training"), Permission.LEARN)
    add_nav("courses.assignments", _l("Assignments"), Permission.MANAGE_ASSIGNMENTS)
    panel = ("courses/_home_panel.html", Permission.LEARN)
    if panel not in HOME_PANELS:
        HOME_PANELS.insert(0, panel)
    register_demo_loader(load_demo)
    receivers.connect()
    app.cli.add_command(cli.courses_cli)

    @app.context_processor
    def inject_my_training():
        from app.courses.views import home_panel_data

        return {"my_training": home_panel_data}
