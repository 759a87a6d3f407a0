"""Branching role-play scenarios: the engine, the player and the "where staff go wrong" report."""

from flask import Blueprint

bp = Blueprint("scenarios", __name__, template_folder="templates")

from app.scenarios import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.content.registry import register, yaml_with_keys
    from app.content.schema import localized
    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.scenarios import content
    from app.scenarios.demo import load_scenarios

    register(app, content.KIND, recognise=yaml_with_keys("nodes"))
    add_nav(app, "scenarios.index", _l("Role-play"), Permission.LEARN)
    register_demo_loader(app, load_scenarios)

    # Templates link to other areas' pages only when those areas are installed.
    app.jinja_env.globals["endpoint_exists"] = lambda endpoint: endpoint in app.view_functions

    @app.template_filter("localized")
    def localized_filter(value):
        from app.core.i18n import current_locale

        return localized(value, current_locale())

    @app.template_filter("text_lang")
    def text_lang_filter(value):
        """The language a content text is shown in (Japanese when no translation exists)."""
        from app.core.i18n import current_locale

        locale = current_locale()
        return locale if isinstance(value, dict) and value.get(locale) else "ja"
