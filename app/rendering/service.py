"""Rendering operations: which scripts exist, queuing and running render jobs, and the hand-off
to the video area's ingest pipeline."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core import audit, queue, worker
from app.core.models import utcnow
from app.extensions import db
from app.rendering import cards, content, engines, tools, tts
from app.rendering.models import RenderJob, RenderStatus
from app.rendering.render import (
    RenderFailed,
    RenderResult,
    ScriptInvalid,
    is_up_to_date,
    render,
    settings_label,
)
from app.rendering.script import file_sha256, parse

log = logging.getLogger(__name__)

SCRIPT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
# Errors a content admin can act on: shown as they are, never as a traceback.
EXPECTED_ERRORS = (
    tools.ToolMissing,
    ScriptInvalid,
    RenderFailed,
    tts.SynthesisFailed,
    cards.GlyphMissing,
)


@dataclass
class ScriptStatus:
    id: str
    path: Path
    title: str
    errors: list[str]
    state: str  # "current", "changed", "new", "invalid"
    job: RenderJob | None


def content_root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


def script_path(script_id: str) -> Path | None:
    """The script of ``script_id`` under the content root, or None."""
    if not SCRIPT_ID.match(script_id or ""):
        return None
    path = content_root() / "videos" / script_id / "script.yaml"
    return path if path.is_file() else None


def resolve(argument: str) -> Path | None:
    """A script named on the command line: a script.yaml, its folder, or an id."""
    candidate = Path(argument)
    if candidate.is_dir():
        candidate = candidate / "script.yaml"
    if candidate.is_file():
        return candidate
    return script_path(argument)


def latest_jobs(script_ids: list[str]) -> dict[str, RenderJob]:
    jobs: dict[str, RenderJob] = {}
    if not script_ids:
        return jobs
    rows = db.session.scalars(
        db.select(RenderJob).where(RenderJob.script_id.in_(script_ids)).order_by(RenderJob.id)
    )
    for job in rows:
        jobs[job.script_id] = job
    return jobs


def list_scripts() -> list[ScriptStatus]:
    paths = content.find(content_root())
    jobs = latest_jobs([p.parent.name for p in paths])
    label = settings_label(
        int(tools.setting("RENDER_WIDTH")),
        int(tools.setting("RENDER_HEIGHT")),
        int(tools.setting("RENDER_FPS")),
    )
    voices = tools.installed_voices()
    result = []
    for path in paths:
        script, problems = parse(path, set(voices) if voices else None)
        problems += engines.check(script, path) if script is not None else []
        errors = [f"{p.line or '-'}: {p.message}" for p in problems if p.severity == "error"]
        if script is None:
            state, title = "invalid", path.parent.name
        else:
            title = script.title.get("ja", script.id)
            if is_up_to_date(path.parent, script.sha256, label):
                state = "current"
            elif (path.parent / "video.yaml").exists():
                state = "changed"
            else:
                state = "new"
        result.append(
            ScriptStatus(path.parent.name, path, title, errors, state, jobs.get(path.parent.name))
        )
    return result


def start_render(script_id: str, actor_id: int | None, force: bool = False) -> RenderJob:
    """Queue a render of ``script_id`` (which must exist) and return its job."""
    from app.rendering.tasks import render_job_task

    job = RenderJob(script_id=script_id, requested_by_id=actor_id, force=force)
    db.session.add(job)
    db.session.flush()
    audit.record("render_requested", "render_job", job.id, actor_id=actor_id, script=script_id)
    db.session.commit()
    try:
        queue.submit(render_job_task, job.id)
    except queue.QueueUnavailable as exc:
        log.warning("render job %s could not be queued: %s", job.id, exc)
        job = db.session.get(RenderJob, job.id)
        job.status, job.finished_at = RenderStatus.FAILED, utcnow()
        job.message = _(
            "The server's task queue does not answer, so the render could not be started. Try again in a few minutes, and tell the system administrator if this continues."
        )
        db.session.commit()
    return job


def run_job(job_id: int) -> RenderJob | None:
    """Run a queued render job, reporting progress to its row as it goes."""
    job = db.session.get(RenderJob, job_id)
    if job is None or job.finished:
        return job
    job.status, job.started_at, job.progress = RenderStatus.RUNNING, utcnow(), 0.0
    job.worker_id, job.heartbeat_at = worker.worker_identity(), utcnow()
    db.session.commit()
    last = {"progress": 0.0, "phase": None, "at": time.monotonic()}

    def report(fraction: float, phase: str) -> None:
        # The progress writes are also the render's heartbeat (at least every 10 s).
        if (
            fraction - last["progress"] >= 0.02
            or phase != last["phase"]
            or time.monotonic() - last["at"] >= 10
        ):
            last.update(progress=fraction, phase=phase, at=time.monotonic())
            job.progress, job.phase, job.heartbeat_at = fraction, phase, utcnow()
            db.session.commit()

    path = script_path(job.script_id)
    try:
        if path is None:
            raise RenderFailed(_("The script %(id)s no longer exists.", id=job.script_id))
        result = render(path, force=job.force, progress=report)
    except EXPECTED_ERRORS as exc:
        job.status, job.message = RenderStatus.FAILED, str(exc)
    except Exception:  # noqa: BLE001 - recorded on the job; the worker must go on
        log.exception("render job %s failed", job_id)
        job.status, job.message = (
            RenderStatus.FAILED,
            _(
                "The video could not be rendered because of an unexpected error. The server log has the details."
            ),
        )
    else:
        job.status = RenderStatus.SKIPPED if result.status == "skipped" else RenderStatus.DONE
        job.duration_seconds = result.duration or None
        job.script_sha256 = file_sha256(path)
        job.message = hand_off(result, job.requested_by_id)
        job.progress = 1.0
    job.finished_at = utcnow()
    audit.record(
        "render_finished",
        "render_job",
        job.id,
        actor_id=job.requested_by_id,
        script=job.script_id,
        status=job.status,
    )
    db.session.commit()
    return job


def recover_jobs() -> int:
    """Mark failed the renders left "running" by a worker that died (on this host, or silent
    for JOB_LEASE_SECONDS), so the admin sees it and can start the render again."""
    limit = timedelta(seconds=float(current_app.config["JOB_LEASE_SECONDS"]))
    stopped = 0
    for job in db.session.scalars(
        db.select(RenderJob).where(RenderJob.status == RenderStatus.RUNNING)
    ):
        silent = job.heartbeat_at is None or job.heartbeat_at < utcnow() - limit
        if silent or worker.holder_is_dead(job.worker_id):
            job.status, job.finished_at = RenderStatus.FAILED, utcnow()
            job.message = _(
                "The render stopped because the background worker was stopped or restarted. Start it again."
            )
            audit.record(
                "render_finished",
                "render_job",
                job.id,
                actor_id=job.requested_by_id,
                script=job.script_id,
                status="abandoned",
            )
            stopped += 1
    db.session.commit()
    return stopped


def hand_off(result: RenderResult, actor_id: int | None) -> str:
    """Give the rendered folder to the video area's ingest pipeline, when it is installed."""
    if result.status == "skipped":
        return _("The script has not changed since the last render; nothing was done.")
    try:
        from app.videos.service import ingest_path
    except ImportError:
        return _(
            "The video is ready in %(folder)s and can be ingested.",
            folder=f"videos/{result.folder.name}",
        )
    try:
        ingest_path(result.folder, actor_id=actor_id)
    except Exception as exc:  # noqa: BLE001 - the render itself succeeded; say what the ingest said
        log.warning("ingest of rendered %s failed: %s", result.folder.name, exc)
        return _("The video was rendered, but the video library refused it: %(error)s", error=exc)
    return _("The video was rendered and handed to the video library.")
