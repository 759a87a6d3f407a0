"""SCORM 1.2 e-learning packages: upload or content import, a sandboxed player, the run-time API."""

from flask import Blueprint

bp = Blueprint("scorm", __name__, template_folder="templates")

from app.scorm import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.scorm import content
    from app.scorm.demo import load_demo

    content.register_kind(app)
    register_demo_loader(app, load_demo)
    add_nav(app, "scorm.index", _l("e-Learning"), Permission.LEARN)
    add_nav(app, "scorm.admin", _l("SCORM packages"), Permission.MANAGE_CONTENT)
