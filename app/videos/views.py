"""Video pages: the learner's list and player, media delivery, progress reports, uploads."""

from __future__ import annotations

import json

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.accounts.identity import light_identity
from app.core.i18n import current_locale
from app.core.permissions import Permission, require
from app.core.views import safe_next
from app.extensions import db
from app.videos import bp, media, service
from app.videos.forms import ConfirmForm, QualityForm, UploadForm
from app.videos.models import IngestJob, Video


@bp.get("/")
@require(Permission.LEARN)
def index():
    items = service.learner_list(current_user.id)
    return render_template("videos/index.html", items=items, locale=current_locale())


@bp.get("/<slug>")
@require(Permission.LEARN)
def watch(slug: str):
    video = service.get_published(slug)
    if video is None:
        pending = service.get_by_slug(slug)
        if pending is None:
            abort(404)
        # Known but not converted yet (e.g. just after set-up): say so instead of a 404.
        return render_template("videos/preparing.html", video=pending), 503
    row = service.progress_row(current_user.id, video)
    viewing = service.start_viewing(current_user.id, video)
    # Just after a stream-copied publication only 「標準」 exists; 「軽量」 is offered once made.
    qualities = service.available_qualities(video) or list(service.renditions())
    preferred = service.quality_for(current_user.id)
    quality = preferred if preferred in qualities else qualities[0]
    resume = row.position if row is not None and row.version == video.version else 0.0
    form = QualityForm(quality=quality, next=url_for("videos.watch", slug=slug))
    form.quality.choices = [choice for choice in form.quality.choices if choice.value in qualities]
    return render_template(
        "videos/watch.html",
        video=video,
        viewing=viewing,
        quality=quality,
        form=form,
        resume=resume,
        percent=int(service.watched_fraction(row, video) * 100),
        completed=row is not None and row.completed_at is not None,
        threshold=int(round(service.threshold_for(video) * 100)),
        qualities=qualities,
        qualities_pending=len(qualities) < len(service.renditions()),
        locale=current_locale(),
        caption_version=_caption_version(video),
        transcript=service.transcript(video, current_locale()),
    )


def _caption_version(video: Video) -> dict[str, int]:
    """A cache-busting number per captions file (its modification time)."""
    versions = {}
    for lang in video.caption_languages or []:
        path = service.caption_path(video.slug, lang)
        if path.exists():
            versions[lang] = int(path.stat().st_mtime)
    return versions


def _reporter(claim: dict[str, int]):
    return service.signed_in_reporter(claim, request.form.get("session", ""))


@bp.post("/<slug>/progress")
@light_identity(_reporter)
@require(Permission.LEARN)
def report(slug: str):
    """Played ranges from the player (fetch every ~10 s, and sendBeacon on page hide).

    The form carries the CSRF token like any other form, so no exemption is needed. The
    sign-in check and the report's read are one query (:func:`service.signed_in_reporter`),
    the write one more.
    """
    try:
        ranges = json.loads(request.form.get("ranges") or "[]")
        position = request.form.get("position")
        position = float(position) if position not in (None, "") else None
    except ValueError:
        return jsonify(error="ranges"), 400
    try:
        outcome = service.record_report(
            current_user.id,
            request.form.get("session", ""),
            ranges,
            position,
            found=getattr(current_user, "loaded", None),
        )
    except service.ReportRejected as exc:
        return jsonify(error=exc.code), 409 if exc.code in ("stale", "session", "busy") else 422
    return jsonify(
        watched_seconds=round(outcome.watched_seconds, 1),
        percent=int(outcome.fraction * 100),
        completed=outcome.completed,
    )


@bp.post("/quality")
@require(Permission.LEARN)
def quality():
    form = QualityForm()
    if not form.validate_on_submit():
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error="quality"), 400
        abort(400)
    service.set_quality(current_user.id, form.quality.data)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(quality=form.quality.data)
    return redirect(safe_next(form.next.data, url_for("videos.index")))


# --- media ----------------------------------------------------------------------------------


def _deliver(path, mimetype: str, cache: str):
    mode = current_app.config["VIDEO_SENDFILE"]
    if mode in ("x-accel", "x-sendfile"):
        response = current_app.response_class(mimetype=mimetype)
        relative = path.relative_to(service.media_root()).as_posix()
        if mode == "x-accel":
            response.headers["X-Accel-Redirect"] = (
                current_app.config["VIDEO_X_ACCEL_PREFIX"].rstrip("/") + "/" + relative
            )
        else:
            response.headers["X-Sendfile"] = str(path)
    else:
        # conditional=True: Range requests (206), ETag and Last-Modified (304).
        response = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=None)
    response.headers["Cache-Control"] = cache
    return response


@bp.get("/media/<slug>/v<int:version>/<name>")
@require(Permission.LEARN)
def media_file(slug: str, version: int, name: str):
    video = service.get_published(slug)
    if video is None or video.version != version:
        abort(404)
    path = service.media_file(video, name)
    if path is None:
        abort(404)
    mimetype = "image/jpeg" if name.endswith(".jpg") else "video/mp4"
    # A version's files never change: the browser may keep them (privately) for a day.
    return _deliver(path, mimetype, "private, max-age=86400")


@bp.get("/media/<slug>/captions.<lang>.vtt")
@require(Permission.LEARN)
def captions(slug: str, lang: str):
    video = service.get_published(slug)
    if video is None or lang not in (video.caption_languages or []):
        abort(404)
    path = service.caption_path(slug, lang)
    if not path.is_file():
        abort(404)
    return _deliver(path, "text/vtt; charset=utf-8", "private, no-cache")


# --- content admin: uploads -----------------------------------------------------------------


@bp.route("/admin", methods=["GET", "POST"])
@require(Permission.MANAGE_CONTENT)
def admin():
    refusal = None
    try:
        form = UploadForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted = UploadForm(formdata=None), False
        refusal = service.refusal_message(
            media.MediaRefused(media.TOO_LARGE, limit_mb=current_app.config["VIDEO_MAX_MB"])
        )
    if submitted:
        try:
            video = service.ingest_upload(
                form.file.data,
                title_ja=form.title_ja.data,
                title_en=form.title_en.data,
                description_ja=form.description_ja.data,
                captions={"ja": form.captions_ja.data, "en": form.captions_en.data},
                actor_id=current_user.id,
            )
        except media.MediaRefused as exc:
            refusal = service.refusal_message(exc)
        except service.IngestError as exc:
            refusal = str(exc)
        else:
            job = video.jobs[-1] if video.jobs else None
            if video.last_ingest == "unchanged":
                flash(
                    _(
                        "This file was already uploaded as 「%(title)s」. Nothing new was added.",
                        title=video.title(current_locale()),
                    ),
                    "info",
                )
            if job is None:
                return redirect(url_for("videos.watch", slug=video.slug))
            return redirect(url_for("videos.job", job_id=job.id))
    status = 422 if refusal or (request.method == "POST" and form.errors) else 200
    return render_template(
        "videos/admin.html",
        form=form,
        refusal=refusal,
        jobs=service.latest_jobs(30),
        max_mb=current_app.config["VIDEO_MAX_MB"],
        max_minutes=current_app.config["VIDEO_MAX_MINUTES"],
        locale=current_locale(),
    ), status


@bp.get("/admin/jobs/<int:job_id>")
@require(Permission.MANAGE_CONTENT)
def job(job_id: int):
    ingest_job = db.get_or_404(IngestJob, job_id)
    return render_template(
        "videos/job.html",
        job=ingest_job,
        status=service.job_status(ingest_job),
        confirm=ConfirmForm(),
        locale=current_locale(),
    )


@bp.get("/admin/jobs/<int:job_id>/status")
@require(Permission.MANAGE_CONTENT)
def job_status(job_id: int):
    ingest_job = db.get_or_404(IngestJob, job_id)
    response = jsonify(service.job_status(ingest_job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/jobs/<int:job_id>/retry")
@require(Permission.MANAGE_CONTENT)
def job_retry(job_id: int):
    db.get_or_404(IngestJob, job_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.retry_job(job_id, actor_id=current_user.id)
        except service.QueueDown as exc:
            flash(str(exc), "error")
    return redirect(url_for("videos.job", job_id=job_id))
