"""Casework: each worker's caseload, the office lead's view of every load, handover of the
lead worker, reviews that record closure readiness, and the 見守り checks after closure."""

from flask import Blueprint

bp = Blueprint("casework", __name__, template_folder="templates")

from app.casework import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.casework import service
    from app.core.layout import add_nav
    from app.core.permissions import Permission

    add_nav(app, "casework.my_caseload", _l("My caseload"), Permission.HANDLE_REFERRALS)
    add_nav(app, "casework.caseloads", _l("Caseloads"), Permission.VIEW_ALL_CASELOADS)
    app.jinja_env.globals["casework_panel_counts"] = service.panel_counts
    from app.core.views import add_home_panel
    from app.referrals.meetings import AgendaSource, register_agenda_source

    register_agenda_source(
        app,
        AgendaSource(
            reason="closure_proposed",
            label=_l("Closure proposed"),
            case_ids=service.proposed_case_ids,
            order=0,
            partial="casework/_closure_proposal.html",
            decides=views.decides_on_agenda,
        ),
    )
    app.jinja_env.globals["closure_proposal"] = views.closure_proposal
    app.jinja_env.globals["closure_decision_form"] = views.closure_decision_form
    add_home_panel(app, "casework/_home_panel.html", Permission.HANDLE_REFERRALS)
    from app.casework import demo
    from app.core.demo import register_demo_loader

    register_demo_loader(app, demo.load)
