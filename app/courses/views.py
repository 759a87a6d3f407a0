"""The learner's pages: my training, a course, its readings, the certificate; and the
training admin's assignment page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.i18n import current_locale
from app.core.permissions import Permission, require, user_can
from app.courses import bp, service
from app.courses.content import fill_settings
from app.courses.forms import ApplyAssignmentsForm, ReadingDoneForm
from app.extensions import db


def home_panel_data():
    """The home page panel's data (called from the panel template), for the signed-in learner."""
    if not user_can(current_user, Permission.LEARN):
        return None
    return service.my_training(current_user, current_locale())


def _course_or_404(slug: str):
    course = service.get_course(slug)
    if course is None:
        abort(404)
    return course


@bp.get("/")
@require(Permission.LEARN)
def home():
    training = service.my_training(current_user, current_locale())
    others = [
        c
        for c in service.active_courses()
        if c.id
        not in {v.course.id for v in training.required} | {r.course_id for r in training.completed}
    ]
    return render_template("courses/home.html", training=training, others=others)


@bp.get("/checklist")
@require(Permission.LEARN)
def checklist_default():
    """The printable checklist of the first course that has one (the all-staff course)."""
    course = service.first_course_with_checklist()
    if course is None:
        abort(404)
    return redirect(url_for("courses.checklist", slug=course.slug))


@bp.get("/<slug>/checklist")
@require(Permission.LEARN)
def checklist(slug: str):
    course = _course_or_404(slug)
    if not course.checklist:
        abort(404)
    return render_template(
        "courses/checklist.html",
        course=course,
        html=fill_settings(course.checklist["html"], current_app.config),
    )


@bp.get("/<slug>")
@require(Permission.LEARN)
def detail(slug: str):
    course = _course_or_404(slug)
    view = service.my_course(current_user, course, current_locale())
    completion = service.latest_completion(current_user.id, course)
    return render_template(
        "courses/detail.html",
        course=course,
        view=view,
        completion=completion,
        intro_html=fill_settings(course.intro_html, current_app.config),
    )


@bp.get("/<slug>/reading/<reading>")
@require(Permission.LEARN)
def reading(slug: str, reading: str):
    course = _course_or_404(slug)
    item = next((i for i in course.items if i["kind"] == "reading" and i["slug"] == reading), None)
    if item is None:
        abort(404)
    service.mark_reading_opened(current_user, course, reading)
    db.session.commit()
    view = service.my_course(current_user, course, current_locale())
    state = next(i.state for i in view.items if i.kind == "reading" and i.slug == reading)
    return render_template(
        "courses/reading.html",
        course=course,
        item=item,
        view=view,
        done=state >= 1.0,
        form=ReadingDoneForm(),
        html=fill_settings(item.get("html"), current_app.config),
    )


@bp.post("/<slug>/reading/<reading>/done")
@require(Permission.LEARN)
def reading_done(slug: str, reading: str):
    course = _course_or_404(slug)
    if not any(i["kind"] == "reading" and i["slug"] == reading for i in course.items):
        abort(404)
    if not ReadingDoneForm().validate_on_submit():
        abort(400)
    completed = service.mark_reading_done(current_user, course, reading)
    db.session.commit()
    if course.slug in completed:
        flash(_("You have completed this course. You can print your certificate."), "success")
    else:
        flash(_("Marked as read."), "success")
    view = service.my_course(current_user, course, current_locale())
    if view.next_item is not None and view.next_item.url and course.slug not in completed:
        return redirect(view.next_item.url)
    return redirect(url_for("courses.detail", slug=course.slug))


@bp.get("/<slug>/certificate")
@require(Permission.LEARN)
def certificate(slug: str):
    course = _course_or_404(slug)
    completion = service.latest_completion(current_user.id, course)
    if completion is None:
        abort(404)
    service.record_certificate_view(current_user, completion)
    return render_template("courses/certificate.html", course=course, completion=completion)


@bp.route("/admin/assignments", methods=["GET", "POST"])
@require(Permission.MANAGE_ASSIGNMENTS)
def assignments():
    form = ApplyAssignmentsForm()
    if form.validate_on_submit():
        summary = service.apply_assignments(actor_id=current_user.id, reason="manual")
        flash(
            _(
                "Assignment rules applied: %(a)d newly assigned, %(n)d no longer required, %(r)d reopened for recertification.",
                a=summary.assigned,
                n=summary.no_longer_required,
                r=summary.reopened,
            ),
            "success",
        )
        return redirect(url_for("courses.assignments"))
    from app.core.permissions import ROLE_LABELS

    return render_template(
        "courses/assignments.html",
        courses=service.assignment_overview(),
        form=form,
        role_labels=ROLE_LABELS,
    )
