"""The content admin's page of role-play scripts: status, the Render button, live progress."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.permissions import Permission, require
from app.extensions import db
from app.rendering import bp, service
from app.rendering.forms import RenderForm
from app.rendering.models import RenderJob, RenderStatus


@bp.get("/content/scripts")
@require(Permission.MANAGE_CONTENT)
def scripts():
    return render_template(
        "rendering/scripts.html",
        scripts=service.list_scripts(),
        form=RenderForm(),
        status_label=status_label,
    )


@bp.post("/content/scripts/<script_id>/render")
@require(Permission.MANAGE_CONTENT)
def render(script_id: str):
    form = RenderForm()
    if not form.validate_on_submit():
        abort(400)
    if service.script_path(script_id) is None:
        abort(404)
    job = service.start_render(script_id, current_user.id, force=form.force.data == "1")
    db.session.refresh(job)
    if job.status == RenderStatus.FAILED:
        flash(_("The video could not be rendered: %(message)s", message=job.message), "error")
    elif job.finished:
        flash(job.message or _("Rendering finished."), "success")
    else:
        flash(_("Rendering has started. Progress is shown below."), "info")
    return redirect(url_for("rendering.scripts", _anchor=f"script-{script_id}"))


@bp.get("/content/scripts/jobs/<int:job_id>")
@require(Permission.MANAGE_CONTENT)
def job_status(job_id: int):
    job = db.session.get(RenderJob, job_id)
    if job is None:
        abort(404)
    return jsonify(
        status=job.status,
        status_label=status_label(job.status),
        percent=job.percent,
        finished=job.finished,
        message=job.message or "",
    )


def status_label(status: str) -> str:
    return {
        RenderStatus.QUEUED: _("Waiting"),
        RenderStatus.RUNNING: _("Rendering"),
        RenderStatus.DONE: _("Rendered"),
        RenderStatus.SKIPPED: _("Unchanged"),
        RenderStatus.FAILED: _("Failed"),
    }.get(status, status)
