from flask import Blueprint

bp = Blueprint("referrals", __name__, template_folder="templates")

from app.referrals import views  # noqa: E402,F401

# Defaults for settings the city confirms locally; each can be set in the environment.
SETTINGS = {
    # Shown in the call-now panel when a referral involves a risk to life or safety.
    "REFERRAL_OFFICE_EXTENSION": "内線 281",
    "REFERRAL_EMERGENCY_NUMBERS": "110 / 119",
    # When the office answers, and where staff turn outside those hours.
    "REFERRAL_OFFICE_HOURS": "平日 8:30～17:15",
    "REFERRAL_AFTER_HOURS": "夜間・休日は市役所の代表電話（宿日直）へ。命に関わるときは、まず110番・119番。",
    # The route a referral without consent takes (the legal reading is the city's to confirm).
    "REFERRAL_NO_CONSENT_ROUTE_JA": (
        "ご本人の同意がない場合でも、相談室に情報を届けてください。相談室は、必要に応じて"
        "「支援会議」（社会福祉法第106条の6）で検討します。支援会議の構成員には守秘義務が"
        "課されており、同意がなくても情報共有ができます。共有の法的根拠は記録されます。"
    ),
    "REFERRAL_NO_CONSENT_ROUTE_EN": (
        "Please send the information even without the resident's consent. The office may raise "
        "the case at a support meeting (支援会議, Social Welfare Act art. 106-6), whose members "
        "share information under a statutory duty of confidentiality. The legal basis of each "
        "disclosure is recorded."
    ),
    "REFERRAL_AREAS": "金津地区,芦原地区,本荘地区,新郷地区,伊井地区,剱岳地区,吉崎地区,細呂木地区,北潟地区,波松地区",
    "CASE_REVIEW_DAYS": 91,  # default interval between reviews (three months)
    "CASE_REVIEW_DAYS_HIGH_RISK": 30,
    "CASE_STALE_DAYS": 30,  # no timeline entry for this long → on the stale list
    "REFERRAL_RETENTION_YEARS": 5,  # closed records are anonymised after this
}


def local_date(value):
    """The city-hall date of a stored (UTC) timestamp, written like ``jdate``."""
    from datetime import datetime

    from flask_babel import to_user_timezone

    from app.core.i18n import jdate

    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return jdate(value)


def init_app(app):
    import os

    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.core.views import HOME_PANELS
    from app.referrals import cli, demo, service

    for key, default in SETTINGS.items():
        if key not in app.config:
            value = os.environ.get(key, default)
            app.config[key] = int(value) if isinstance(default, int) else value

    add_nav("referrals.mine", _l("My referrals"), Permission.REFER)
    add_nav("referrals.inbox", _l("Referral inbox"), Permission.HANDLE_REFERRALS)
    add_nav("referrals.cases_list", _l("Cases"), Permission.HANDLE_REFERRALS)
    add_nav("referrals.meetings", _l("Meetings"), Permission.HANDLE_REFERRALS)
    add_nav("referrals.statistics", _l("Statistics"), Permission.HANDLE_REFERRALS)
    add_nav("referrals.audit_log", _l("Audit log"), Permission.READ_AUDIT_LOG)
    for panel in (("referrals/_home_panel.html", Permission.REFER), ("referrals/_office_panel.html", Permission.HANDLE_REFERRALS)):
        if panel not in HOME_PANELS:
            HOME_PANELS.append(panel)
    app.jinja_env.globals["referral_panel_counts"] = service.panel_counts
    app.jinja_env.filters["localdate"] = local_date
    app.cli.add_command(cli.referrals_cli)
    register_demo_loader(demo.load)
