"""Quizzes: single choice, multiple choice and true/false, graded on the server."""

from flask import Blueprint

bp = Blueprint("quizzes", __name__, template_folder="templates")

from app.quizzes import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.content.registry import register, yaml_with_keys
    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.quizzes import content
    from app.quizzes.demo import load_quizzes

    register(app, content.KIND, recognise=yaml_with_keys("questions"))
    add_nav(app, "quizzes.index", _l("Quizzes"), Permission.LEARN)
    add_nav(
        app, "quizzes.locked_out_overview", _l("Extra quiz attempts"), Permission.MANAGE_ASSIGNMENTS
    )

    register_demo_loader(app, load_quizzes)
