"""Courses: the catalogue, required-training assignments, completion, the learner's home,
certificates and reminders."""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="templates")

from app.courses import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.content.registry import front_matter_with_keys, register
    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.core.views import add_home_panel
    from app.courses import cli, content, receivers
    from app.courses.demo import load_demo

    register(app, content.KIND, recognise=front_matter_with_keys("items"))
    add_nav(app, "courses.home", _l("My training"), Permission.LEARN)
    add_nav(app, "courses.assignments", _l("Assignments"), Permission.MANAGE_ASSIGNMENTS)
    add_home_panel(app, "courses/_home_panel.html", Permission.LEARN, first=True)
    register_demo_loader(app, load_demo)
    receivers.connect()
    app.cli.add_command(cli.courses_cli)

    @app.context_processor
    def inject_my_training():
        from app.courses.views import home_panel_data

        return {"my_training": home_panel_data}
