from flask import Blueprint

bp = Blueprint("referrals", __name__, template_folder="templates")

from app.referrals import views  # noqa: E402,F401


def local_date(value):
    """The city-hall date of a stored (UTC) timestamp, written like ``jdate``."""
    from app.core import clock
    from app.core.i18n import jdate

    return jdate(clock.local_date(value) if value is not None else None)


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.core.views import add_home_panel
    from app.referrals import cli, demo, service
    from app.referrals.models import CaseStatus, ReferralStatus

    add_nav(app, "referrals.mine", _l("My referrals"), Permission.REFER)
    add_nav(app, "referrals.inbox", _l("Referral inbox"), Permission.HANDLE_REFERRALS)
    add_nav(app, "referrals.cases_list", _l("Cases"), Permission.HANDLE_REFERRALS)
    add_nav(app, "referrals.meetings", _l("Meetings"), Permission.HANDLE_REFERRALS)
    add_nav(app, "referrals.statistics", _l("Statistics"), Permission.HANDLE_REFERRALS)
    add_nav(app, "referrals.audit_log", _l("Audit log"), Permission.READ_AUDIT_LOG)
    add_home_panel(app, "referrals/_home_panel.html", Permission.REFER)
    add_home_panel(app, "referrals/_office_panel.html", Permission.HANDLE_REFERRALS)
    app.jinja_env.globals["referral_panel_counts"] = service.panel_counts
    app.jinja_env.globals["CaseStatus"] = CaseStatus
    app.jinja_env.globals["ReferralStatus"] = ReferralStatus
    app.jinja_env.filters["localdate"] = local_date
    app.cli.add_command(cli.referrals_cli)
    register_demo_loader(app, demo.load)

    from pathlib import Path

    from app import config
    from app.content import legal, vocabulary
    from app.referrals.vocabulary import quick_form

    vocabulary.register_provider(app, quick_form)
    # The defaults of the wording shown on the form (in app/config.py) are legal statements.
    legal.register_source(app, Path(config.__file__))
