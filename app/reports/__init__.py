"""Reports: the HR completion dashboard by department, drill-down, overdue list, exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates")

from app.reports import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.layout import add_nav
    from app.core.permissions import Permission

    add_nav(app, "reports.dashboard", _l("Completion dashboard"), Permission.VIEW_ALL_PROGRESS)
    add_nav(
        app,
        "reports.my_department",
        _l("My department's training"),
        Permission.VIEW_OWN_DEPARTMENT_PROGRESS,
    )
