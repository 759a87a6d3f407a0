"""The programme's figures: the fiscal-year report (相談室) and training → referrals (相談室, HR)."""

from __future__ import annotations

import re

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Department
from app.core.converters import bounded_int
from app.core.i18n import current_locale
from app.core.permissions import Permission, require, user_can
from app.core.wareki import FiscalQuarter, fiscal_year, fiscal_year_label
from app.extensions import db
from app.programme import bp, chart, exports, service
from app.programme import training as training_service
from app.referrals.choices import REFERRAL_STATUS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def _chosen_year(years: list[int]) -> tuple[int, str | None]:
    """The fiscal year asked for, or the current one with a message when it is not offered."""
    raw = request.args.get("fy")
    current = years[0]
    if raw in (None, ""):
        return current, None
    value = request.args.get("fy", None, type=bounded_int)
    if value is None or value not in years:
        return current, _(
            "There are no figures for that fiscal year; the current year is shown. Choose a year from the list."
        )
    return value, None


def _year_choices(years: list[int]) -> list[tuple[int, str]]:
    return [(fy, f"{fiscal_year_label(fy)}（{fy}）") for fy in years]


@bp.get("/fiscal-year")
@require(Permission.VIEW_PROGRAMME_FIGURES)
def fiscal_year_page():
    years = service.available_years()
    fy, error = _chosen_year(years)
    service.record_view("programme.fiscal_year_viewed", fy=fy)
    db.session.commit()
    report = service.fiscal_year_report(fy, current_locale())
    return render_template(
        "programme/fiscal_year.html",
        report=report,
        years=_year_choices(years),
        error=error,
        heading=exports.heading(report),
    )


@bp.get("/fiscal-year.xlsx")
@require(Permission.VIEW_PROGRAMME_FIGURES)
def fiscal_year_export():
    years = service.available_years()
    fy, error = _chosen_year(years)
    if error:
        abort(404)
    service.record_view("programme.fiscal_year_exported", fy=fy, format="xlsx")
    db.session.commit()
    report = service.fiscal_year_report(fy, current_locale())
    data = exports.to_xlsx(report, current_app.config["CITY_NAME"])
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="programme-figures-FY{fy}.xlsx"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _training_years() -> list[int]:
    current = fiscal_year(service.today())
    years = service.available_years()
    return sorted(set(years) | {current}, reverse=True)


@bp.get("/training")
@require(Permission.VIEW_TRAINING_OUTCOMES)
def training():
    years = _training_years()
    fy, error = _chosen_year(years)
    department_id = request.args.get("department", None, type=bounded_int)
    service.record_view("programme.training_viewed", fy=fy)
    db.session.commit()
    report = training_service.report(fy)
    focus = next((r for r in report.rows if r.department.id == department_id), None)
    if department_id is not None and focus is None:
        error = error or _(
            "That department has no staff or referrals in these quarters; the whole city is shown."
        )
    row = focus or report.city
    return render_template(
        "programme/training.html",
        report=report,
        years=_year_choices(years),
        fy=fy,
        error=error,
        focus=focus,
        chart=chart.build(report, row),
        chart_row=row,
        shown=training_service.Suppressor(report.small_cell),
        may_list=user_can(current_user, Permission.HANDLE_REFERRALS),
        locale=current_locale(),
    )


@bp.get("/training/referrals")
@require(Permission.HANDLE_REFERRALS)
def training_referrals():
    """The referrals behind one cell of the training page: references and codes (相談室 only)."""
    match = QUARTER.match(request.args.get("quarter", ""))
    department_id = request.args.get("department", None, type=bounded_int)
    if match is None or department_id is None:
        abort(404)
    quarter = FiscalQuarter(int(match.group(1)), int(match.group(2)))
    department = db.session.get(Department, department_id)
    if department is None:
        abort(404)
    service.record_view(
        "programme.referral_list_viewed", department_id=department_id, quarter=str(quarter)
    )
    db.session.commit()
    department = db.session.get(Department, department_id)
    referrals = training_service.referrals_of(department_id, quarter)
    return render_template(
        "programme/training_referrals.html",
        department=department,
        quarter=quarter,
        referrals=referrals,
        sent_on=training_service.sent_on,
        locale=current_locale(),
        statuses=REFERRAL_STATUS,
    )
