"""The programme's figures: the 重層的支援体制整備事業's fiscal-year report and training → referrals."""

from flask import Blueprint

bp = Blueprint("programme", __name__, template_folder="templates")

from app.programme import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.programme import demo

    add_nav(
        app,
        "programme.fiscal_year_page",
        _l("Programme figures"),
        Permission.VIEW_PROGRAMME_FIGURES,
    )
    add_nav(
        app, "programme.training", _l("Training and referrals"), Permission.VIEW_TRAINING_OUTCOMES
    )
    register_demo_loader(app, demo.load)
