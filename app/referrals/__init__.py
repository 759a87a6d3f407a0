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
    # What the form says when the resident has not consented (docs/consent-model.md). The legal
    # reading is the city's legal office's to confirm: set these to the wording it approves.
    "REFERRAL_NO_CONSENT_ROUTE_JA": (
        "ご本人の同意がないときは、担当業務で知ったこと（税・国保税の窓口で聞いた家族・仕事・健康・お金の事情を含みます）を"  # legal: no-consent, tax-secrecy
        "相談室に伝えることはできません。ご本人に相談室のこと（チラシ・内線・開庁時間）を伝え、同意の状況を記録してください。"  # legal: no-consent
        "相談室に対応の助言を求めるときは、「住民を特定しない相談」を選び、氏名や番号を書かずに送れます。"  # legal: no-consent
        "子どもや高齢者・障がい者への虐待の疑い、配偶者からの暴力、命の危険があるときは、同意がなくても通告・通報します"  # legal: child-abuse, elder-abuse, dv, emergency
        "（命の危険は、まず110番・119番）。支援会議で扱うかどうかは、相談室が判断します。"  # legal: emergency, support-meeting
    ),
    "REFERRAL_NO_CONSENT_ROUTE_EN": (
        "Without the resident's consent, do not pass on anything you learned in your own work (at the tax and "  # legal: no-consent, tax-secrecy
        "national health insurance tax desks this includes what the resident said about family, work, health "  # legal: tax-secrecy
        "or money). Tell the resident about the office (leaflet, extension, hours) and record the consent state. "  # legal: no-consent
        "To ask the office's advice, choose 'a consultation that does not identify the resident' and leave out "  # legal: no-consent
        "names and numbers. Suspected abuse of a child, an older or disabled person, violence by a partner or a "  # legal: child-abuse, elder-abuse, dv
        "danger to life are notified even without consent (danger to life: call 110 or 119 first). Whether a "  # legal: emergency
        "support meeting (支援会議) takes the case up is the office's decision."  # legal: support-meeting
    ),
    "REFERRAL_AREAS": "金津地区,芦原地区,本荘地区,新郷地区,伊井地区,剱岳地区,吉崎地区,細呂木地区,北潟地区,波松地区",
    "CASE_REVIEW_DAYS": 91,  # default interval between reviews (three months)
    "CASE_REVIEW_DAYS_HIGH_RISK": 30,
    "CASE_STALE_DAYS": 30,  # no timeline entry for this long → on the stale list
    "REFERRAL_RETENTION_YEARS": 5,  # closed records are anonymised after this
}


def local_date(value):
    """The city-hall date of a stored (UTC) timestamp, written like ``jdate``."""
    from app.core import clock
    from app.core.i18n import jdate

    return jdate(clock.local_date(value) if value is not None else None)


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

    from pathlib import Path

    from app.content import legal, vocabulary
    from app.referrals.vocabulary import quick_form

    if quick_form not in vocabulary.PROVIDERS:
        vocabulary.PROVIDERS.append(quick_form)
    settings_file = Path(__file__)  # the defaults of the wording shown on the form are legal statements
    if settings_file not in legal.EXTRA_SOURCES:
        legal.EXTRA_SOURCES.append(settings_file)
