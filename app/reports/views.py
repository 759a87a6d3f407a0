"""HR completion dashboard; a department head sees only their own department."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.converters import bounded_int
from app.core.i18n import current_locale
from app.core.permissions import Permission, require_any, user_can
from app.courses.models import AssignmentStatus
from app.extensions import db
from app.reports import bp, chart, exports, service
from app.reports.forms import DashboardFilterForm

VIEWERS = (Permission.VIEW_ALL_PROGRESS, Permission.VIEW_OWN_DEPARTMENT_PROGRESS)


@bp.context_processor
def reports_home_name():
    """One name for the page a viewer starts from: HR's dashboard covers the city; a department
    head's covers their own department, named as in their menu."""
    if current_user.is_authenticated and user_can(current_user, Permission.VIEW_ALL_PROGRESS):
        return {"reports_home": _("Completion dashboard")}
    return {"reports_home": _("My department's training")}


def _int_arg(name: str) -> int | None:
    return request.args.get(name, None, type=bounded_int)


def _context():
    """Departments, the viewer's scope and the validated filters (a 部 outside the scope is refused)."""
    departments = service.all_departments()
    scope = service.scope_for(current_user, departments)
    if scope is None:
        abort(403)
    course_id, division_id = _int_arg("course"), _int_arg("division")
    if division_id is not None:
        division = next((d for d in departments if d.id == division_id), None)
        if division is None:
            abort(404)
        if (
            not scope.everything
            and division_id not in scope.department_ids
            and not any(
                d.parent_id == division_id and d.id in scope.department_ids for d in departments
            )
        ):
            abort(403)
    return departments, scope, course_id, division_id


def _status_label(status: str) -> str:
    return {
        "all": _("All"),
        AssignmentStatus.COMPLETED: _("Completed"),
        AssignmentStatus.IN_PROGRESS: _("In progress"),
        AssignmentStatus.NOT_STARTED: _("Not started"),
        "overdue": _("Overdue"),
    }[status]


def _filter_form(matrix_courses, divisions, with_status=False) -> DashboardFilterForm:
    form = DashboardFilterForm(request.args)
    form.course.choices = [("", _("All courses"))] + [
        (str(c.id), c.title(current_locale())) for c in matrix_courses
    ]
    form.division.choices = [("", _("All divisions"))] + [
        (str(d.id), d.display_name(current_locale())) for d in divisions
    ]
    form.status.choices = [(s, _status_label(s)) for s in service.STATUS_FILTERS]
    return form


def _department_label(department, by_id) -> str:
    locale = current_locale()
    parent = by_id.get(department.parent_id)
    name = department.display_name(locale)
    return f"{parent.display_name(locale)} / {name}" if parent else name


def _done(response):
    """Commit the request's unit of work (its audit row) once the answer is ready."""
    db.session.commit()
    return response


@bp.get("/")
@require_any(*VIEWERS)
def dashboard():
    departments, scope, course_id, division_id = _context()
    courses = service.report_courses()
    matrix = service.matrix(
        scope,
        course_id=course_id,
        division_id=division_id,
        departments=departments,
        courses=courses,
    )
    form = _filter_form(courses, matrix.divisions)
    opened = _int_arg("open")
    return render_template(
        "reports/dashboard.html",
        matrix=matrix,
        rows=service.shown_rows(matrix, opened),
        opened=opened,
        collapsible=service.collapsible(matrix),
        form=form,
        chart=chart.build(matrix, current_locale()),
        course_id=course_id,
        division_id=division_id,
        scope=scope,
    )


@bp.get("/my-department")
@require_any(Permission.VIEW_OWN_DEPARTMENT_PROGRESS)
def my_department():
    if current_user.department_id is None:
        abort(404)
    return redirect(url_for("reports.department", department_id=current_user.department_id))


@bp.get("/departments/<int:department_id>")
@require_any(*VIEWERS)
def department(department_id: int):
    departments, scope, course_id, _division = _context()
    target = next((d for d in departments if d.id == department_id), None)
    if target is None:
        abort(404)
    if not scope.allows(department_id):
        abort(403)
    status = request.args.get("status", "all")
    if status not in service.STATUS_FILTERS:
        status = "all"
    page = request.args.get("page", 1, type=bounded_int)
    courses = service.report_courses()
    shown = [c for c in courses if course_id is None or c.id == course_id]
    sections = [d for d in departments if d.parent_id == target.id]
    section_id = _int_arg("section")
    if section_id is not None and section_id not in {d.id for d in sections}:
        section_id = None
    pagination, rows = service.department_employees(
        target,
        departments,
        course_id=course_id,
        status=status,
        section_id=section_id,
        page=page,
        per_page=service.drill_down_page_size(len(shown)),
    )
    form = _filter_form(courses, [])
    form.section.choices = [("", _("All sections"))] + [
        (str(d.id), d.display_name(current_locale())) for d in sections
    ]
    html = render_template(
        "reports/department.html",
        department=target,
        departments={d.id: d for d in departments},
        courses=shown,
        with_progress=len(shown) <= service.DETAILED_COURSES,
        pagination=pagination,
        rows=rows,
        form=form,
        status=status,
        course_id=course_id,
        section_id=section_id,
        today=service.today(),
    )
    service.record_view(
        "progress.viewed", "department", department_id, actor_id=current_user.id, page=page
    )
    return _done(html)


def _overdue_status() -> str:
    status = request.args.get("status", "all")
    return status if status in service.OVERDUE_STATUS_FILTERS else "all"


@bp.get("/overdue")
@require_any(*VIEWERS)
def overdue():
    departments, scope, course_id, division_id = _context()
    page = max(request.args.get("page", 1, type=bounded_int), 1)
    status = _overdue_status()
    courses = service.report_courses()  # keeps every row's course in the session: no query per row
    total, records = service.overdue_page(
        scope,
        departments,
        [c.id for c in courses],
        course_id=course_id,
        division_id=division_id,
        status=status,
        page=page,
    )
    form = _filter_form(courses, [])
    form.status.choices = [(s, _status_label(s)) for s in service.OVERDUE_STATUS_FILTERS]
    by_id = {d.id: d for d in departments}
    form.division.label.text = _("Department or section")
    form.division.choices = [("", _("All departments"))] + [
        (str(d.id), _department_label(d, by_id))
        for d in service.visible_departments(scope, departments)
    ]
    pages = max((total + service.PER_PAGE - 1) // service.PER_PAGE, 1)
    html = render_template(
        "reports/overdue.html",
        records=records,
        total=total,
        page=page,
        pages=pages,
        form=form,
        departments=by_id,
        course_id=course_id,
        division_id=division_id,
        status=status,
        today=service.today(),
    )
    service.record_view(
        "progress.overdue_viewed", "report", None, actor_id=current_user.id, page=page
    )
    return _done(html)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return _done(response)


MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/export.<fmt>")
@require_any(*VIEWERS)
def export(fmt: str):
    """The whole matrix, every 課 included (exports are never paged or folded)."""
    if fmt not in MIMETYPES:
        abort(404)
    departments, scope, course_id, division_id = _context()
    matrix = service.matrix(
        scope, course_id=course_id, division_id=division_id, departments=departments
    )
    header, rows = exports.matrix_table(matrix, current_locale())
    service.record_view(
        "progress.exported",
        "report",
        None,
        actor_id=current_user.id,
        format=fmt,
        report="matrix",
    )
    name = f"completion-{service.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return _download(exports.to_csv(header, rows), name, MIMETYPES[fmt])
    return _download(exports.to_xlsx(_("Completion"), header, rows), name, MIMETYPES[fmt])


@bp.get("/overdue.<fmt>")
@require_any(*VIEWERS)
def overdue_export(fmt: str):
    """Every overdue row matching the filters (exports are never paged)."""
    if fmt not in MIMETYPES:
        abort(404)
    departments, scope, course_id, division_id = _context()
    courses = service.report_courses()  # also keeps each row's course in the session
    records = service.overdue_all(
        scope,
        departments,
        [c.id for c in courses],
        course_id=course_id,
        division_id=division_id,
        status=_overdue_status(),
    )
    header, rows = exports.overdue_table(records, departments, service.today(), current_locale())
    service.record_view(
        "progress.exported",
        "report",
        None,
        actor_id=current_user.id,
        format=fmt,
        report="overdue",
        rows=len(rows),
    )
    name = f"overdue-{service.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return _download(exports.to_csv(header, rows), name, MIMETYPES[fmt])
    return _download(exports.to_xlsx(_("Overdue"), header, rows), name, MIMETYPES[fmt])
