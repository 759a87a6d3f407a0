"""The package list, the player, the run-time endpoint, the package files and the upload page."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import RequestEntityTooLarge

from app.core.permissions import Permission, require
from app.extensions import db
from app.scorm import bp, service
from app.scorm import package as packages
from app.scorm.forms import UploadForm
from app.scorm.models import SOURCE_UPLOAD, ScormVersion

#: The package's own pages run the vendor's scripts (often inline), so they get a policy of
#: their own: same-origin only, shown only in a frame of the portal, no forms, no plugins.
PACKAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "sandbox allow-scripts allow-same-origin",
    ]
)


def _package_or_404(slug: str):
    package = service.get_active(slug)
    if package is None:
        abort(404)
    return package


@bp.get("/")
@require(Permission.LEARN)
def index():
    page = service.LOOKUPS.index(current_user.id, service.progress_for)
    return render_template(
        "scorm/index.html",
        packages=page["items"],
        versions=page["versions"],
        progress=page["progress"],
    )


@bp.get("/<slug>")
@require(Permission.LEARN)
def play(slug: str):
    package = _package_or_404(slug)
    version = service.current_version(package)
    rows = service.runtimes(current_user.id, version)
    wanted = request.args.get("sco")
    sco = version.sco(wanted) if wanted else None
    if sco is None:
        # Carry on with the first part not yet done (or the first, when all are).
        sco = next(
            (
                s
                for s in version.scos
                if getattr(rows.get(s["identifier"]), "lesson_status", "") not in service.DONE
            ),
            version.scos[0],
        )
    launch = {
        "commit": url_for("scorm.commit", slug=slug, version_id=version.id, sco=sco["identifier"]),
        "values": service.launch_values(current_user, version, sco),
        "csrf": generate_csrf(),
        "sco": sco["identifier"],
    }
    position = version.scos.index(sco)
    following = version.scos[position + 1] if position + 1 < len(version.scos) else None
    return render_template(
        "scorm/play.html",
        package=package,
        version=version,
        sco=sco,
        rows=rows,
        launch=launch,
        following=following,
        done=service.DONE,
        back_url=_back_url(),
        src=url_for("scorm.files", version_id=version.id, name=sco["href"].split("?", 1)[0])
        + (("?" + sco["href"].split("?", 1)[1]) if "?" in sco["href"] else ""),
    )


def _back_url() -> str:
    """The learner's training page when courses are installed, else the package list."""
    return (
        url_for("courses.home")
        if "courses.home" in current_app.view_functions
        else url_for("scorm.index")
    )


@bp.post("/<slug>/<int:version_id>/<path:sco>/commit")
@require(Permission.LEARN)
def commit(slug: str, version_id: int, sco: str):
    """LMSInitialize, LMSCommit and LMSFinish of one SCO: ``{"values": {...}, "event": "initialize"|"commit"|"finish"}``."""
    package = _package_or_404(slug)
    version = db.session.get(ScormVersion, version_id)
    if version is None or version.package_id != package.id or version.sco(sco) is None:
        abort(404)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("values", {}), dict):
        return jsonify(ok=False, error=201), 400
    event = payload.get("event", "commit")
    try:
        row = service.commit(
            current_user.id,
            package,
            version,
            version.sco(sco),
            payload.get("values", {}),
            initialize=event == "initialize",
            finish=event == "finish",
        )
    except service.RuntimeRefused as exc:
        db.session.rollback()
        return jsonify(ok=False, error=exc.code, element=exc.element), 400
    result = {
        "ok": True,
        "lesson_status": row.lesson_status,
        "total_time": service.timespan(row.total_seconds),
    }
    db.session.commit()
    return jsonify(result)


@bp.get("/files/<int:version_id>/<path:name>")
@require(Permission.LEARN)
def files(version_id: int, name: str):
    """A package's own files, same-origin, under the package policy (frames of the portal only)."""
    version = db.session.get(ScormVersion, version_id)
    if version is None or packages.unsafe_name(name):
        abort(404)
    response = send_from_directory(service.files_dir(version), name, max_age=0)
    response.headers["Content-Security-Policy"] = PACKAGE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/admin", methods=["GET", "POST"])
@require(Permission.MANAGE_CONTENT)
def admin():
    problems: list = []
    try:
        form = UploadForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted = UploadForm(formdata=None), False
        problems = [
            packages.PackageProblem(
                _("the file is larger than the portal accepts"),
                _("Ask the vendor for a smaller package."),
            )
        ]
    if submitted:
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "package.zip"
            form.file.data.save(path)
            try:
                loaded = service.load_zip(
                    path, form.slug.data, source=SOURCE_UPLOAD, actor_id=current_user.id
                )
            except packages.PackageError as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                db.session.commit()
                if loaded.outcome == "unchanged":
                    flash(
                        _(
                            "This package was already loaded as 「%(title)s」. Nothing new was added.",
                            title=loaded.package.title_ja,
                        ),
                        "info",
                    )
                else:
                    flash(
                        _(
                            "「%(title)s」 was loaded (version %(n)d, %(scos)d parts).",
                            title=loaded.package.title_ja,
                            n=loaded.version.number,
                            scos=len(loaded.version.scos),
                        ),
                        "success",
                    )
                return redirect(url_for("scorm.admin"))
    listed = service.LOOKUPS.active()
    status = 422 if problems or (request.method == "POST" and form.errors) else 200
    return render_template(
        "scorm/admin.html",
        form=form,
        problems=problems,
        packages=listed,
        versions=service.LOOKUPS.current_versions(listed),
    ), status
