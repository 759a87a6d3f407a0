"""Video lessons: ingest and publish, watched progress, preferences.

Every write of the area goes through here, one transaction per operation.
"""

from __future__ import annotations

import html
import logging
import os
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from app.accounts import identity
from app.core import audit, database, queue, worker
from app.core.models import utcnow
from app.core.signals import learning_item_completed, learning_item_started, send_progress
from app.extensions import db
from app.videos import intervals, media
from app.videos.content import RESERVED_SLUGS, VideoSpec, load_spec
from app.videos.models import (
    IngestJob,
    JobState,
    Video,
    VideoPreference,
    VideoProgress,
    ViewingSession,
)

log = logging.getLogger(__name__)

QUALITIES = ("720", "360")


class IngestError(Exception):
    """A video folder that cannot be ingested (its video.yaml has errors)."""


class QueueDown(IngestError):
    """The task queue cannot be reached: nothing was queued, and the admin is told so plainly."""

    def __init__(self):
        super().__init__(queue_message())


class LeaseLost(Exception):
    """This process no longer holds the job (it was taken over or started again)."""


class ReportRejected(Exception):
    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


# --- settings -------------------------------------------------------------------------------


def media_root() -> Path:
    root = Path(current_app.config["MEDIA_ROOT"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def renditions() -> dict[str, int]:
    return dict(current_app.config["VIDEO_RENDITIONS"])


def max_bytes() -> int:
    return int(current_app.config["VIDEO_MAX_MB"]) * 1024 * 1024


def max_seconds() -> float:
    return float(current_app.config["VIDEO_MAX_MINUTES"]) * 60


def threshold_for(video: Video) -> float:
    return video.completion_threshold or float(current_app.config["VIDEO_COMPLETION_THRESHOLD"])


def refusal_message(exc: media.MediaRefused) -> str:
    """The translated sentence for a refused source."""
    if exc.code == media.TOO_LARGE:
        return _(
            "The file is too large. Videos may be at most %(mb)d MB.",
            mb=exc.values.get("limit_mb", current_app.config["VIDEO_MAX_MB"]),
        )
    if exc.code == media.TOO_LONG:
        return _(
            "The video is too long. Videos may be at most %(minutes)d minutes.",
            minutes=exc.values.get("limit_minutes", current_app.config["VIDEO_MAX_MINUTES"]),
        )
    if exc.code == media.CORRUPT:
        return _(
            "The file looks like a video but is damaged and cannot be read. Export it again and upload the new file."
        )
    if exc.code == media.NO_VIDEO_STREAM:
        return _("The file has sound but no picture. Upload a file with video.")
    if exc.code == media.FFMPEG_MISSING:
        return _("ffmpeg is not installed on the server, so videos cannot be processed.")
    if exc.code == media.DISK_FULL:
        return _(
            "The server's storage for videos is almost full, so the video was not converted. Nothing was lost: ask the system administrator to free space (at least %(mb)d MB), then try again.",
            mb=current_app.config["MEDIA_MIN_FREE_MB"],
        )
    return _("The file is not a video. Upload an MP4, MOV, WebM or similar video file.")


def queue_message() -> str:
    return _(
        "The conversion could not be started because the server's task queue does not answer. Nothing was saved; try again in a few minutes, and tell the system administrator if this continues."
    )


def failure_message(job: IngestJob) -> str:
    """A plain sentence for why a job failed (the technical details stay under a fold)."""
    if job.error_code == QUEUE_UNAVAILABLE:
        return queue_message()
    if job.error_code in (None, "transcode"):
        return _("The conversion failed. The uploaded file is kept, so you can try again.")
    return refusal_message(media.MediaRefused(job.error_code))


QUEUE_UNAVAILABLE = "queue_unavailable"


# --- before work starts ---------------------------------------------------------------------


def free_mb() -> int:
    return shutil.disk_usage(media_root()).free // (1024 * 1024)


def check_disk(needed_bytes: int = 0) -> None:
    """Refuse (``DISK_FULL``) unless MEDIA_ROOT keeps MEDIA_MIN_FREE_MB free after ``needed_bytes``."""
    minimum = int(current_app.config["MEDIA_MIN_FREE_MB"])
    free = free_mb()
    if free - needed_bytes / (1024 * 1024) < minimum:
        log.warning("media storage has %d MB free, %d MB required: work refused", free, minimum)
        raise media.MediaRefused(
            media.DISK_FULL, f"{free} MB free under MEDIA_ROOT, {minimum} MB required"
        )


def check_queue() -> None:
    try:
        queue.ping()
    except queue.QueueUnavailable as exc:
        log.warning("task queue unreachable, upload refused: %s", exc)
        raise QueueDown() from None


# --- paths ----------------------------------------------------------------------------------


def video_dir(slug: str) -> Path:
    return media_root() / "videos" / slug


def version_dir(video: Video) -> Path:
    return video_dir(video.slug) / f"v{video.version}"


def caption_path(slug: str, lang: str) -> Path:
    return video_dir(slug) / f"captions.{lang}.vtt"


@dataclass(frozen=True)
class TranscriptLine:
    start: float
    speaker: str
    text: str


_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")


def transcript(video: Video, locale: str) -> list[TranscriptLine]:
    """The captions as a transcript to read under the player (WCAG 1.2): one paragraph per turn
    of a speaker, with the time it starts at. Empty when the video has no captions."""
    languages = video.caption_languages or []
    lang = (
        locale
        if locale in languages
        else ("ja" if "ja" in languages else (languages[0] if languages else None))
    )
    path = caption_path(video.slug, lang) if lang else None
    if path is None or not path.is_file():
        return []
    try:
        cues = media.parse_captions(path.read_text(encoding="utf-8"), srt=False)
    except (media.CaptionError, UnicodeDecodeError):
        return []
    joiner = "" if lang == "ja" else " "
    lines: list[TranscriptLine] = []
    for cue in cues:
        match = _VOICE.match(cue.text)
        speaker = match.group(1).strip() if match else ""
        text = html.unescape(_TAG.sub("", cue.text)).replace("\n", joiner).strip()
        if lines and speaker and lines[-1].speaker == speaker:
            lines[-1] = TranscriptLine(lines[-1].start, speaker, lines[-1].text + joiner + text)
        elif text:
            lines.append(TranscriptLine(cue.start, speaker, text))
    return lines


def media_file(video: Video, name: str) -> Path | None:
    """The published file ``name`` of ``video`` (a rendition, the poster), or None."""
    if not video.is_published:
        return None
    allowed = {f"{q}.mp4" for q in renditions()} | {"poster.jpg"}
    if name not in allowed:
        return None
    path = version_dir(video) / name
    return path if path.is_file() else None


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:80]


# --- ingest ---------------------------------------------------------------------------------


def ingest_path(
    path: Path, *, actor_id: int | None = None, wait: bool = False, on_progress=None
) -> Video:
    """Ingest a video folder (``video.yaml`` beside its media) or a bare media file.

    Probes the source (refusing with :class:`~app.videos.media.MediaRefused`), stores it under
    MEDIA_ROOT by content hash, and queues the one-pass transcode. A source that already fits
    the top rendition is first published as it is, by stream copy, so the lesson is watchable
    in seconds and the queued job only makes the smaller renditions (:func:`publish_as_is`).
    With ``wait`` the transcode runs in this process before returning. Re-ingesting an
    identical source does nothing but refresh the metadata. Returns the Video row
    (``.last_ingest`` is "new", "updated" or "unchanged").
    """
    path = Path(path)
    if path.is_dir():
        spec, problems = load_spec(path / "video.yaml")
        if spec is None:
            errors = [str(p) for p in problems if p.severity == "error"]
            raise IngestError("; ".join(errors) or _("video.yaml has errors"))
    elif path.name == "video.yaml":
        return ingest_path(path.parent, actor_id=actor_id, wait=wait, on_progress=on_progress)
    else:
        spec = VideoSpec(slug="", title_ja=path.stem, source=path)
    return ingest_source(
        spec.source,
        spec,
        actor_id=actor_id,
        wait=wait,
        original_name=path.name if not path.is_dir() else None,
        on_progress=on_progress,
    )


def ingest_source(
    source: Path,
    spec: VideoSpec,
    *,
    actor_id: int | None = None,
    wait: bool = False,
    original_name: str | None = None,
    on_progress=None,
) -> Video:
    """Probe, store and queue one source for the video described by ``spec``.

    An empty ``spec.slug`` means "name it from the file" and also de-duplicates against every
    video: uploading the same file twice returns the existing lesson.
    """
    info = media.probe(source, max_bytes=max_bytes(), max_seconds=max_seconds())
    # Captions are validated before anything is written.
    caption_texts: dict[str, str] = {}
    for lang, caption_file in spec.captions.items():
        try:
            caption_texts[lang] = media.convert_captions(caption_file)
        except media.CaptionError as exc:
            raise IngestError(
                _("The %(lang)s captions cannot be read: %(error)s", lang=lang, error=str(exc))
            ) from None
    # Before anything is stored: room for the source and its renditions, and a queue to run it.
    check_disk(2 * source.stat().st_size)
    if not wait:
        check_queue()
    digest = media.file_sha256(source)

    video = None
    if spec.slug:
        video = db.session.scalar(select(Video).where(Video.slug == spec.slug))
    else:
        video = db.session.scalar(
            select(Video).where(Video.source_hash == digest).order_by(Video.id)
        )
        if video is None:
            # A job that failed only because the queue was away is the same upload, not a new one.
            pending = db.session.scalar(
                select(IngestJob)
                .where(
                    IngestJob.source_hash == digest,
                    db.or_(
                        IngestJob.state != JobState.FAILED,
                        IngestJob.error_code == QUEUE_UNAVAILABLE,
                    ),
                )
                .order_by(IngestJob.id)
            )
            video = pending.video if pending else None
        if video is None:
            spec.slug = _free_slug(
                slugify(Path(original_name or source.name).stem) or f"video-{digest[:8]}"
            )

    created = video is None
    if created:
        video = Video(slug=spec.slug, title_ja=spec.title_ja, created_by_id=actor_id)
        db.session.add(video)
    # A folder's video.yaml is the truth for its video; an upload or bare file only names a new one
    # (a duplicate upload leaves the existing lesson as it is).
    changed = _apply_spec(video, spec, caption_texts) if (spec.content_path or created) else False

    existing_job = None
    if not created:
        existing_job = db.session.scalar(
            select(IngestJob)
            .where(IngestJob.video_id == video.id, IngestJob.source_hash == digest)
            .order_by(IngestJob.id.desc())
        )
    if video.source_hash == digest or (
        existing_job is not None and existing_job.state in (JobState.QUEUED, JobState.RUNNING)
    ):
        db.session.commit()
        video.last_ingest = "updated" if changed else "unchanged"
        if existing_job is not None and existing_job.state == JobState.QUEUED and wait:
            _run_now_or_queue(existing_job.id, wait, on_progress)
        return video

    stored = _store_source(source, digest)
    job = (
        existing_job if existing_job is not None and existing_job.state == JobState.FAILED else None
    )
    if job is None:
        job = IngestJob(
            video=video, source_hash=digest, source_path=str(stored.relative_to(media_root()))
        )
        db.session.add(job)
    job.state, job.progress, job.error_code, job.error_tail = JobState.QUEUED, 0.0, None, None
    job.queued_at = utcnow()
    job.published_version, job.stream_copied = None, False
    job.source_name = (original_name or source.name)[:200]
    job.duration, job.has_audio, job.width, job.height = (
        info.duration,
        info.has_audio,
        info.width,
        info.height,
    )
    job.actor_id = actor_id
    db.session.flush()
    audit.record("video.ingest_queued", "video", video.id, actor_id=actor_id, job_id=job.id)
    db.session.commit()
    video.last_ingest = "new" if created else "updated"
    if publishable_as_is(info):
        # Watchable in seconds; only the smaller renditions are left for the worker.
        job = publish_as_is(job.id, info)
    if job.state == JobState.QUEUED:
        _run_now_or_queue(job.id, wait, on_progress)
    db.session.refresh(video)
    video.last_ingest = "new" if created else "updated"
    return video


def _free_slug(base: str) -> str:
    slug, n = base, 2
    if slug in RESERVED_SLUGS:
        slug = f"{base}-{n}"
    while db.session.scalar(select(Video.id).where(Video.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply_spec(video: Video, spec: VideoSpec, caption_texts: dict[str, str]) -> bool:
    """Copy metadata and captions from the spec; True when something changed."""
    before = (
        video.title_ja,
        video.title_en,
        video.description_ja,
        video.description_en,
        video.chapters,
        video.completion_threshold,
        video.caption_languages,
        video.content_path,
    )
    video.title_ja = spec.title_ja
    video.title_en = spec.title_en
    video.description_ja = spec.description_ja
    video.description_en = spec.description_en
    video.chapters = spec.chapters or None
    video.completion_threshold = spec.completion_threshold
    video.content_path = spec.content_path
    changed_captions = False
    for lang, text in caption_texts.items():
        target = caption_path(video.slug, lang)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            _atomic_write_text(target, text)
            changed_captions = True
    languages = sorted(
        set(video.caption_languages or []) | set(caption_texts),
        key=lambda lang: (lang != "ja", lang),
    )
    video.caption_languages = languages or None
    after = (
        video.title_ja,
        video.title_en,
        video.description_ja,
        video.description_en,
        video.chapters,
        video.completion_threshold,
        video.caption_languages,
        video.content_path,
    )
    return changed_captions or before != after


def _store_source(source: Path, digest: str) -> Path:
    """Keep the source under MEDIA_ROOT/sources/<hash><ext> (copied under a temporary name)."""
    folder = media_root() / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{source.suffix.lower() or '.bin'}"
    if not target.exists():
        temporary = folder / f".{digest}.{secrets.token_hex(4)}.part"
        try:
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    return target


def _run_now_or_queue(job_id: int, wait: bool, on_progress=None) -> None:
    if wait:
        run_job(job_id, on_progress)
    else:
        _submit(job_id)


def _submit(job_id: int) -> None:
    """Hand a queued job to the task queue; if the queue cannot take it, the job is marked
    failed (not left waiting for a task that does not exist) and :class:`QueueDown` raised."""
    from app.videos import tasks

    try:
        queue.submit(tasks.transcode, job_id)
    except queue.QueueUnavailable as exc:
        db.session.rollback()
        job = db.session.get(IngestJob, job_id)
        if job is not None and job.state == JobState.QUEUED:
            job.state, job.finished_at = JobState.FAILED, utcnow()
            job.error_code, job.error_tail = QUEUE_UNAVAILABLE, str(exc)[-4000:] or None
            db.session.commit()
        log.warning("video ingest job %s could not be queued: %s", job_id, exc)
        raise QueueDown() from None


def _claim(job_id: int, states: list[JobState], *, attempt: bool = True) -> str | None:
    """Take the job with one conditional UPDATE, so that two processes never convert it twice.

    Returns the lease token every later write of this holder must match, or None.
    """
    token = secrets.token_hex(16)
    now = utcnow()
    values = {
        "state": JobState.RUNNING,
        "progress": 0.0,
        "started_at": now,
        "error_code": None,
        "error_tail": None,
        "worker_id": worker.worker_identity(),
        "lease_token": token,
        "heartbeat_at": now,
        "ffmpeg_pid": None,
        "work_dir": None,
    }
    if attempt:
        values["attempts"] = IngestJob.attempts + 1
    claimed = db.session.execute(
        db.update(IngestJob)
        .where(IngestJob.id == job_id, IngestJob.state.in_(states))
        .values(**values)
    ).rowcount
    db.session.commit()
    return token if claimed else None


def _renew(job_id: int, token: str, **values) -> None:
    """Write to the job as its lease holder (renewing the lease); raise LeaseLost if taken over."""
    renewed = db.session.execute(
        db.update(IngestJob)
        .where(
            IngestJob.id == job_id,
            IngestJob.lease_token == token,
            IngestJob.state == JobState.RUNNING,
        )
        .values(heartbeat_at=utcnow(), **values)
    ).rowcount
    db.session.commit()
    if not renewed:
        raise LeaseLost(job_id)


def _holds(job: IngestJob, token: str | None) -> bool:
    return token is None or (job.lease_token == token and job.state == JobState.RUNNING)


def _work_dir(video: Video, job: IngestJob, token: str | None = None) -> Path:
    work = video_dir(video.slug) / f".tmp-job{job.id}-{secrets.token_hex(4)}"
    work.mkdir(parents=True, exist_ok=True)
    if token:
        _renew(job.id, token, work_dir=work.relative_to(media_root()).as_posix())
    return work


def _require_made(work: Path, names: list[str]) -> None:
    missing = [n for n in names if not (work / n).is_file() or (work / n).stat().st_size == 0]
    if missing:
        raise media.TranscodeFailed("ffmpeg made no " + ", ".join(missing))


def top_rendition() -> tuple[str, int]:
    """The name and shorter side of the first (largest) rendition, 「標準」."""
    return next(iter(renditions().items()))


def available_qualities(video: Video) -> list[str]:
    """The renditions of the published version that exist (720p alone while 360p is being made)."""
    folder = version_dir(video)
    return [name for name in renditions() if (folder / f"{name}.mp4").is_file()]


def publishable_as_is(info: media.Probe) -> bool:
    """Whether a probed source goes live at ingest by stream copy (see media.top_rendition_mismatches)."""
    if not current_app.config["VIDEO_PUBLISH_AS_IS"]:
        return False
    return media.meets_top_rendition_spec(
        info, short_side=top_rendition()[1], max_kbps=int(current_app.config["VIDEO_COPY_MAX_KBPS"])
    )


def publish_as_is(job_id: int, info: media.Probe) -> IngestJob:
    """Publish a queued job's source as the top rendition without re-encoding, with its poster.

    The streams are copied (``-c copy -movflags +faststart``), which takes seconds whatever the
    length, so the lesson is watchable at once; the job goes back to "queued" with
    ``published_version`` set and only makes the smaller renditions. If ffmpeg cannot copy
    the source, nothing is published and the job stays queued for the full transcode.
    """
    job = db.session.get(IngestJob, job_id)
    token = _claim(job_id, [JobState.QUEUED], attempt=False)
    if not token:
        return job
    job = db.session.get(IngestJob, job_id)
    source = media_root() / job.source_path
    work = _work_dir(job.video, job, token)
    name = top_rendition()[0]
    ffmpeg_bin = current_app.config["FFMPEG_BIN"]
    try:
        media.run(
            media.build_copy_command(source, work / f"{name}.mp4", info, ffmpeg_bin=ffmpeg_bin),
            info.duration,
        )
        media.run(
            media.build_poster_command(
                source, work / "poster.jpg", media.poster_time(info.duration), ffmpeg_bin=ffmpeg_bin
            ),
            info.duration,
        )
        _require_made(work, [f"{name}.mp4", "poster.jpg"])
    except (media.TranscodeFailed, media.MediaRefused) as exc:
        shutil.rmtree(work, ignore_errors=True)
        db.session.rollback()
        job = db.session.get(IngestJob, job_id)
        if _holds(job, token):
            _release(job, JobState.QUEUED)
            db.session.commit()
        log.warning(
            "video ingest job %s: the source could not be published as it is (%s); it is transcoded instead",
            job_id,
            exc,
        )
        return job
    remaining = len(renditions()) > 1
    return _publish_version(
        job_id,
        work,
        info.duration,
        (info.width, info.height),
        stream_copied=True,
        complete=not remaining,
        token=token,
    )


def _release(job: IngestJob, state: JobState) -> None:
    """End the holder's lease, leaving the job in ``state``."""
    job.state = state
    job.lease_token = job.worker_id = job.ffmpeg_pid = job.work_dir = None
    if state == JobState.QUEUED:
        job.queued_at = utcnow()


def run_job(job_id: int, on_progress=None, *, force: bool = False) -> IngestJob:
    """Transcode one job's source into a hidden folder, then publish it by renaming.

    Progress is written to the job row as ffmpeg reports it; a failure keeps the source and
    records the tail of ffmpeg's stderr. The job is claimed with one conditional UPDATE, so a
    worker and a synchronous ingest never convert the same job twice; ``force`` also takes a
    job left "running" by a process that died. A job whose top rendition was published as it
    is only makes the missing smaller renditions and adds them to that version.
    """
    token = _claim(
        job_id, [JobState.QUEUED, JobState.FAILED] + ([JobState.RUNNING] if force else [])
    )
    if not token:
        return db.session.get(
            IngestJob, job_id
        )  # done already, or another process is converting it
    job = db.session.get(IngestJob, job_id)
    video = job.video
    published = job.published_version
    if published is not None and video.version != published:
        return _finish(job)  # a newer source replaced that version meanwhile: nothing to add
    try:
        check_disk()
    except media.MediaRefused as exc:
        return _fail(job_id, exc)  # before ffmpeg writes a byte: a plain message, not its output

    source = media_root() / job.source_path
    work = _work_dir(video, job, token)
    report = _progress_reporter(job_id, token, on_progress)

    def started(pid: int) -> None:
        _renew(job_id, token, ffmpeg_pid=pid)

    try:
        info = _source_info(job, source)
        wanted = renditions()
        if published is not None:
            wanted = _missing(wanted, video)
            if not wanted:
                shutil.rmtree(work, ignore_errors=True)
                return _finish(job)
        plan = media.plan(source, work, info, wanted, poster=published is None)
        command = media.build_command(
            plan,
            preset=current_app.config["VIDEO_X264_PRESET"],
            ffmpeg_bin=current_app.config["FFMPEG_BIN"],
        )
        media.run(command, info.duration, report, on_start=started)
        _require_made(
            work, [*(f"{q}.mp4" for q in plan.outputs), *(["poster.jpg"] if plan.poster else [])]
        )
    except (media.TranscodeFailed, media.MediaRefused) as exc:
        shutil.rmtree(work, ignore_errors=True)
        return _fail(job_id, exc, token=token)
    except LeaseLost:
        # Taken over (an admin started it again, or it was thought dead): ffmpeg is stopped
        # and the other holder does the work.
        shutil.rmtree(work, ignore_errors=True)
        db.session.rollback()
        log.warning("video ingest job %s was taken over; this conversion stopped", job_id)
        return db.session.get(IngestJob, job_id)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if published is not None:
        return _add_renditions(job_id, work, token=token)
    return _publish_version(
        job_id,
        work,
        info.duration,
        plan.outputs[next(iter(plan.outputs))],
        stream_copied=False,
        complete=True,
        token=token,
    )


def _progress_reporter(job_id: int, token: str, on_progress=None):
    """A callback for ffmpeg's progress that writes it to the job and renews the lease."""
    last = {"at": 0.0, "percent": -1.0, "renewed": time.monotonic()}

    def report(fraction: float) -> None:
        percent = round(min(99.0, fraction * 100), 1)  # 100 only once published
        now = time.monotonic()
        # Often enough for a live bar, rarely enough that the database is not the bottleneck;
        # the lease is renewed at least every 10 s however slowly the bar moves.
        if (percent - last["percent"] >= 2 and now - last["at"] >= 0.5) or now - last[
            "renewed"
        ] >= 10:
            last.update(at=now, percent=percent, renewed=now)
            _renew(job_id, token, progress=percent)
        if on_progress:
            on_progress(fraction)

    return report


def _source_info(job: IngestJob, source: Path) -> media.Probe:
    """What the job already knows of its source, probed again when it knows too little."""
    if not source.is_file():
        raise media.TranscodeFailed(f"source file missing: {job.source_path}")
    info = media.Probe(job.duration or 0, job.width or 0, job.height or 0, job.has_audio, "", "")
    if not info.duration or not info.width:
        info = media.probe(source)
    return info


def _missing(wanted: dict, video: Video) -> dict:
    """The renditions of ``wanted`` that the published version does not have yet."""
    have = available_qualities(video)
    return {name: short for name, short in wanted.items() if name not in have}


def _fail(
    job_id: int, exc: media.TranscodeFailed | media.MediaRefused, *, token: str | None = None
) -> IngestJob:
    db.session.rollback()
    job = db.session.get(IngestJob, job_id)
    if not _holds(job, token):
        return job
    _release(job, JobState.FAILED)
    job.finished_at = utcnow()
    if isinstance(exc, media.MediaRefused):
        job.error_code, job.error_tail = exc.code, exc.detail[-4000:] or None
    else:
        job.error_code, job.error_tail = "transcode", exc.stderr_tail[-4000:]
    audit.record(
        "video.ingest_failed",
        "video",
        job.video_id,
        actor_id=job.actor_id,
        job_id=job.id,
        code=job.error_code,
    )
    db.session.commit()
    log.warning("video ingest job %s failed (%s)", job.id, job.error_code)
    return job


def _finish(job: IngestJob) -> IngestJob:
    _release(job, JobState.DONE)
    job.progress, job.finished_at = 100.0, utcnow()
    db.session.commit()
    return job


def _publish_version(
    job_id: int,
    work: Path,
    duration: float,
    size: tuple[int, int],
    *,
    stream_copied: bool,
    complete: bool,
    token: str | None = None,
) -> IngestJob:
    """Rename the finished folder into place as the next version, then point the row at it.

    ``complete`` is False when the smaller renditions are still to be made: the job is then
    queued again, its ``published_version`` saying the lesson is already watchable.
    """
    db.session.rollback()
    job = db.session.get(IngestJob, job_id)
    if not _holds(job, token):
        shutil.rmtree(work, ignore_errors=True)
        return job
    video = job.video
    new_version = video.version + 1
    final = video_dir(video.slug) / f"v{new_version}"
    if final.exists():  # left by a crash before the row was updated: never published
        shutil.rmtree(final)
    os.rename(work, final)
    try:
        video.version, video.duration = new_version, duration
        video.width, video.height = size
        video.source_hash, video.source_path = job.source_hash, job.source_path
        video.published_at = utcnow()
        job.stream_copied = stream_copied
        if complete:
            _release(job, JobState.DONE)
            job.progress, job.finished_at = 100.0, utcnow()
        else:
            _release(job, JobState.QUEUED)
            job.progress, job.published_version = 0.0, new_version
        audit.record(
            "video.published",
            "video",
            video.id,
            actor_id=job.actor_id,
            job_id=job.id,
            version=new_version,
            stream_copied=stream_copied,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        shutil.rmtree(final, ignore_errors=True)
        raise
    return job


def _add_renditions(job_id: int, work: Path, *, token: str | None = None) -> IngestJob:
    """Move the renditions made later into the version already published (one rename each)."""
    db.session.rollback()
    job = db.session.get(IngestJob, job_id)
    if not _holds(job, token):
        shutil.rmtree(work, ignore_errors=True)
        return job
    folder = video_dir(job.video.slug) / f"v{job.published_version}"
    added = sorted(path.stem for path in work.glob("*.mp4"))
    for path in work.glob("*.mp4"):
        os.replace(path, folder / path.name)
    shutil.rmtree(work, ignore_errors=True)
    audit.record(
        "video.renditions_added",
        "video",
        job.video_id,
        actor_id=job.actor_id,
        job_id=job.id,
        version=job.published_version,
        renditions=added,
    )
    return _finish(job)


def retry_job(job_id: int, *, actor_id: int | None = None) -> IngestJob | None:
    """Start any job that is not done again (its source was kept).

    A running job is taken from its holder first: its ffmpeg is stopped if it runs on this
    host, its temporary folder removed, and a holder elsewhere stops at its next progress
    report. Raises :class:`QueueDown` (the job then shows as failed) if the queue is away.
    """
    job = db.session.get(IngestJob, job_id)
    if job is None or job.state == JobState.DONE:
        return job
    if job.state == JobState.RUNNING:
        _take_over(job, actor_id=actor_id, reason="retry")
    else:
        _release(job, JobState.QUEUED)
        job.progress, job.error_code, job.error_tail = 0.0, None, None
        audit.record(
            "video.ingest_retried", "video", job.video_id, actor_id=actor_id, job_id=job.id
        )
        db.session.commit()
    _submit(job.id)
    db.session.refresh(job)
    return job


def _take_over(job: IngestJob, *, actor_id: int | None, reason: str) -> bool:
    """Take a running job from its holder and leave it queued (not yet submitted).

    One conditional UPDATE on the holder's token, so of several workers noticing the same
    dead holder only one takes the job. Then the holder's ffmpeg (on this host) is stopped
    and its temporary folders removed.
    """
    old_token, holder, pid, work = job.lease_token, job.worker_id, job.ffmpeg_pid, job.work_dir
    taken = db.session.execute(
        db.update(IngestJob)
        .where(
            IngestJob.id == job.id,
            IngestJob.state == JobState.RUNNING,
            IngestJob.lease_token.is_(None)
            if old_token is None
            else IngestJob.lease_token == old_token,
        )
        .values(
            state=JobState.QUEUED,
            progress=0.0,
            queued_at=utcnow(),
            lease_token=None,
            worker_id=None,
            ffmpeg_pid=None,
            work_dir=None,
        )
    ).rowcount
    if not taken:
        db.session.rollback()
        return False
    audit.record(
        "video.ingest_taken_over",
        "video",
        job.video_id,
        actor_id=actor_id,
        job_id=job.id,
        reason=reason,
    )
    db.session.commit()
    _stop_ffmpeg(holder, pid, work)
    _remove_temporary(job)
    db.session.refresh(job)
    log.warning("video ingest job %s taken over from %s (%s)", job.id, holder, reason)
    return True


def _stop_ffmpeg(holder: str | None, pid: int | None, work: str | None) -> None:
    """Kill a dead holder's ffmpeg: only on this host, and only a process writing into the
    job's own temporary folder (so a reused pid is never hit)."""
    if not pid or not work or not holder or holder.partition(":")[0] != worker.host_name():
        return
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return
    if str(media_root() / work) not in command_line:
        return
    try:
        os.kill(pid, 9)
        log.warning("stopped the orphaned ffmpeg process %s", pid)
    except OSError:
        pass


def _remove_temporary(job: IngestJob) -> None:
    for folder in video_dir(job.video.slug).glob(f".tmp-job{job.id}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def lease_expired(job: IngestJob) -> bool:
    limit = timedelta(seconds=float(current_app.config["JOB_LEASE_SECONDS"]))
    return job.state == JobState.RUNNING and (
        job.heartbeat_at is None or job.heartbeat_at < utcnow() - limit
    )


def recover_jobs() -> int:
    """Take over stuck jobs (run by every worker each heartbeat, and ``flask tasks recover``).

    A "running" job whose lease ran out or whose holder on this host is gone is queued again,
    its ffmpeg stopped and temporary folders removed; a "queued" job that has waited
    JOB_REQUEUE_AFTER_SECONDS with no task in the queue gets its task again. Returns the
    number of jobs taken over or queued again.
    """
    from app.videos import tasks

    taken = 0
    for job in db.session.scalars(
        select(IngestJob).where(IngestJob.state == JobState.RUNNING).order_by(IngestJob.id)
    ):
        gone = lease_expired(job) or worker.holder_is_dead(job.worker_id)
        if gone and _take_over(job, actor_id=None, reason="holder_gone"):
            taken += _submit_quietly(job.id)
    cutoff = utcnow() - timedelta(seconds=float(current_app.config["JOB_REQUEUE_AFTER_SECONDS"]))
    waiting = list(
        db.session.scalars(
            select(IngestJob).where(
                IngestJob.state == JobState.QUEUED,
                db.or_(IngestJob.queued_at.is_(None), IngestJob.queued_at < cutoff),
            )
        )
    )
    if waiting:
        pending = queue.pending_calls(tasks.transcode)
        for job in waiting:
            if pending is not None and (job.id,) not in pending:
                job.queued_at = utcnow()
                db.session.commit()
                log.warning(
                    "video ingest job %s was waiting with no task in the queue; queued again",
                    job.id,
                )
                taken += _submit_quietly(job.id)
    db.session.commit()
    return taken


def _submit_quietly(job_id: int) -> int:
    try:
        _submit(job_id)
    except QueueDown:
        return 0
    return 1


def job_status(job: IngestJob) -> dict:
    from flask import url_for

    if job.published_version is not None:
        # Published by stream copy: watchable already, the light version follows.
        messages = {
            JobState.QUEUED: _("Published. The light (360p) version is waiting to be made."),
            JobState.RUNNING: _("Published. Making the light (360p) version."),
            JobState.DONE: _("Done. The video is published."),
            JobState.FAILED: _("Published, but making the light (360p) version failed."),
        }
    else:
        messages = {
            JobState.QUEUED: _("Waiting to start"),
            JobState.RUNNING: _("Converting"),
            JobState.DONE: _("Done. The video is published."),
            JobState.FAILED: _("Conversion failed."),
        }
    watchable = job.state == JobState.DONE or job.published_version is not None
    stalled = lease_expired(job)
    message = str(messages.get(job.state, job.state))
    if stalled:
        message = _(
            "The conversion stopped (the worker was stopped or restarted). It starts again by itself within a few minutes, or you can start it again now."
        )
    elif job.state == JobState.FAILED:
        message = failure_message(job)
    return {
        "id": job.id,
        "state": job.state,
        "stalled": stalled,
        "retryable": job.state != JobState.DONE,
        "progress": round(job.progress or 0, 1),
        "published": watchable,
        "message": message,
        "watch_url": url_for("videos.watch", slug=job.video.slug) if watchable else None,
    }


def latest_jobs(limit: int = 50) -> list[IngestJob]:
    return list(db.session.scalars(select(IngestJob).order_by(IngestJob.id.desc()).limit(limit)))


# --- learners -------------------------------------------------------------------------------


def published_videos() -> list[Video]:
    return list(db.session.scalars(select(Video).where(Video.version > 0).order_by(Video.title_ja)))


def get_published(slug: str) -> Video | None:
    video = get_by_slug(slug)
    return video if video is not None and video.is_published else None


def get_by_slug(slug: str) -> Video | None:
    return db.session.scalar(select(Video).where(Video.slug == slug))


def progress_row(employee_id: int, video: Video) -> VideoProgress | None:
    return db.session.scalar(
        select(VideoProgress).where(
            VideoProgress.employee_id == employee_id, VideoProgress.video_id == video.id
        )
    )


def fraction_of(row: VideoProgress | None, video: Video) -> float:
    """Watched coverage 0..1 of the current version; 1.0 once completed."""
    if row is None:
        return 0.0
    if row.completed_at is not None:
        return 1.0
    if row.version != video.version or not video.duration:
        return 0.0
    return min(1.0, row.watched_seconds / video.duration)


def watched_fraction(row: VideoProgress | None, video: Video) -> float:
    """What the learner has actually covered of the current version (for display)."""
    if row is None or row.version != video.version or not video.duration:
        return 1.0 if row is not None and row.completed_at is not None else 0.0
    return min(1.0, row.watched_seconds / video.duration)


def progress_for(employee_id: int, slugs: list[str]) -> dict[str, float]:
    """Fraction 0..1 of each video done (watched coverage; 1.0 when complete). Unknown slugs are absent."""
    if not slugs:
        return {}
    videos = list(db.session.scalars(select(Video).where(Video.slug.in_(list(slugs)))))
    rows = (
        {
            r.video_id: r
            for r in db.session.scalars(
                select(VideoProgress).where(
                    VideoProgress.employee_id == employee_id,
                    VideoProgress.video_id.in_([v.id for v in videos]),
                )
            )
        }
        if videos
        else {}
    )
    return {v.slug: fraction_of(rows.get(v.id), v) for v in videos}


def learner_list(employee_id: int) -> list[tuple[Video, float, bool]]:
    videos = published_videos()
    rows = {
        r.video_id: r
        for r in db.session.scalars(
            select(VideoProgress).where(VideoProgress.employee_id == employee_id)
        )
    }
    return [
        (
            v,
            watched_fraction(rows.get(v.id), v),
            rows.get(v.id) is not None and rows[v.id].completed_at is not None,
        )
        for v in videos
    ]


def quality_for(employee_id: int) -> str:
    pref = db.session.get(VideoPreference, employee_id)
    return pref.quality if pref is not None and pref.quality in QUALITIES else QUALITIES[0]


def set_quality(employee_id: int, quality: str) -> str:
    if quality not in QUALITIES:
        raise ValueError(quality)
    pref = db.session.get(VideoPreference, employee_id)
    if pref is None:
        db.session.add(VideoPreference(employee_id=employee_id, quality=quality))
    else:
        pref.quality = quality
    db.session.commit()
    return quality


def start_viewing(employee_id: int, video: Video) -> ViewingSession:
    """Open a viewing session (server-side clock) for the player page.

    The employee's sessions older than two days are dropped on the way: a page left open that
    long must be reloaded before its reports count again.
    """
    db.session.execute(
        db.delete(ViewingSession).where(
            ViewingSession.employee_id == employee_id,
            ViewingSession.started_at < utcnow() - timedelta(days=2),
        )
    )
    viewing = ViewingSession(
        token=secrets.token_urlsafe(24),
        employee_id=employee_id,
        video_id=video.id,
        version=video.version,
    )
    db.session.add(viewing)
    db.session.commit()
    return viewing


@dataclass
class ReportOutcome:
    watched_seconds: float
    fraction: float
    completed: bool
    newly_completed: bool
    added_seconds: float


_STATEMENTS: dict = {}


def _report_statements() -> dict:
    """The report's statements, built once: building them per request costs more than running them."""
    if not _STATEMENTS:
        session_t, video_t, progress_t = (
            ViewingSession.__table__,
            Video.__table__,
            VideoProgress.__table__,
        )
        columns = [
            session_t.c.employee_id,
            session_t.c.version,
            session_t.c.started_at,
            video_t.c.id.label("video_id"),
            video_t.c.slug,
            video_t.c.version.label("video_version"),
            video_t.c.duration,
            video_t.c.completion_threshold,
            progress_t.c.id.label("progress_id"),
            progress_t.c.version.label("progress_version"),
            progress_t.c.intervals,
            progress_t.c.watched_seconds,
            progress_t.c.completed_at,
            progress_t.c.completed_version,
            progress_t.c.credited_until,
            progress_t.c.reports,
        ]
        # One query for the session, its video and the progress row. Nothing is locked: the
        # write below only applies if the row is still the one read (see record_report).
        _STATEMENTS["read"] = (
            select(*columns)
            .select_from(session_t)
            .join(video_t, video_t.c.id == session_t.c.video_id)
            .outerjoin(
                progress_t,
                and_(
                    progress_t.c.video_id == video_t.c.id,
                    progress_t.c.employee_id == session_t.c.employee_id,
                ),
            )
            .where(session_t.c.token == bindparam("token"))
        )
        # The same read in the signed-in check's statement (see signed_in_reporter): only the
        # employee's own viewing session is joined, so another's token finds nothing.
        _STATEMENTS["signed_in"] = identity.light_statement(
            columns,
            lambda employee_id: [
                (
                    session_t,
                    and_(
                        session_t.c.token == bindparam("token"),
                        session_t.c.employee_id == employee_id,
                    ),
                ),
                (video_t, video_t.c.id == session_t.c.video_id),
                (
                    progress_t,
                    and_(
                        progress_t.c.video_id == video_t.c.id,
                        progress_t.c.employee_id == employee_id,
                    ),
                ),
            ],
        )
        _STATEMENTS["write"] = (
            progress_t.update()
            .where(
                progress_t.c.id == bindparam("row_id"),
                progress_t.c.reports == bindparam("seen"),
            )
            .values(
                intervals=bindparam("intervals", type_=progress_t.c.intervals.type),
                watched_seconds=bindparam("watched_seconds"),
                version=bindparam("version"),
                position=func.coalesce(
                    bindparam("position", type_=progress_t.c.position.type), progress_t.c.position
                ),
                updated_at=bindparam("updated_at", type_=progress_t.c.updated_at.type),
                credited_until=bindparam("credited_until", type_=progress_t.c.credited_until.type),
                completed_at=bindparam("completed_at", type_=progress_t.c.completed_at.type),
                completed_version=bindparam(
                    "completed_version", type_=progress_t.c.completed_version.type
                ),
                reports=progress_t.c.reports + 1,
            )
        )
    return _STATEMENTS


def signed_in_reporter(claim: dict[str, int], token: str) -> identity.SignedIn | None:
    """The progress report's light identity: the signed-in employee checked by the sign-in
    rules, their roles, and the report's viewing session, video and progress row, in one query."""
    # Plain Core on the request's autocommit connection: this runs on every report, and the
    # report's usual write is one statement on the same connection (see record_report).
    rows = database.autocommit_read(_report_statements()["signed_in"], {**claim, "token": token})
    return identity.signed_in_from(rows, claim)


class _Overtaken(Exception):
    """Another report of the same learner and video was written between the read and the write."""


def record_report(
    employee_id: int,
    token: str,
    raw_ranges,
    position: float | None,
    *,
    now: datetime | None = None,
    found=None,
) -> ReportOutcome:
    """Merge a report of played ranges into the employee's watched union.

    Refuses (:class:`ReportRejected`) a report from an unknown session, one with impossible
    ranges, or one that adds more newly watched time than the wall-clock time allows at the
    fastest accepted speed. A repeated report adds nothing.

    This runs every few seconds for every learner watching, so it reads with one query and
    writes with one statement (no ORM unit of work): see benchmarks/bench_video_progress.py.
    The write applies only if no other report of the same row came in between (two tabs, a
    beacon); if one did, the report is merged again on top of it.

    ``found`` is the first read when the caller already has it, made on the request's
    autocommit connection (:func:`signed_in_reporter`). Then a report that only moves the
    union on is that one conditional UPDATE on the same connection, atomic on its own: no
    transaction round trips. A report that creates the row, starts or completes the video
    tells the courses inside one transaction of ``db.session`` (signals inside the transaction).
    """
    now = now or utcnow()
    for _attempt in range(3):
        try:
            return _record_once(employee_id, token, raw_ranges, position, now, found)
        except _Overtaken:
            db.session.rollback()
            found = None
    raise ReportRejected("busy", "too many reports at once; the next one will count")


def _record_once(
    employee_id: int, token: str, raw_ranges, position: float | None, now: datetime, found=None
) -> ReportOutcome:
    alone = found is not None  # read on the autocommit connection: a plain update may follow
    if found is None:
        found = db.session.execute(_report_statements()["read"], {"token": token}).first()
    ranges = _checked(found, employee_id, raw_ranges, position)
    version, duration = found.video_version, found.duration
    fresh = found.progress_id is None or found.progress_version != version  # a fresh union
    before = [] if fresh else intervals.from_json(found.intervals)
    watched_before = 0.0 if fresh else (found.watched_seconds or 0.0)
    merged = intervals.union(before, ranges, duration)
    watched = intervals.total(merged)
    added = max(0.0, watched - watched_before)
    credited_until = _credit(found, added, now)

    threshold = found.completion_threshold or float(
        current_app.config["VIDEO_COMPLETION_THRESHOLD"]
    )
    newly_completed = found.completed_version != version and watched >= threshold * duration - 1e-6
    # Completion only moves forward: the first completion's time is kept for good.
    completed_at = found.completed_at or (now if newly_completed else None)
    values = {
        "intervals": intervals.to_json(merged),
        "watched_seconds": watched,
        "version": version,
        # No position: the row keeps its own, or starts at 0 with a fresh union.
        "position": (0.0 if fresh else None)
        if position is None
        else min(max(0.0, float(position)), duration),
        "updated_at": now,
        "credited_until": credited_until,
        "completed_at": completed_at,
        "completed_version": version if newly_completed else found.completed_version,
    }
    outcome = ReportOutcome(
        watched, min(1.0, watched / duration), completed_at is not None, newly_completed, added
    )
    started = not watched_before and added > 0
    if alone and found.progress_id is not None and not (started or newly_completed):
        _write(found, employee_id, values, now, database.autocommit_connection())
        return outcome
    _write(found, employee_id, values, now)
    # The courses hear of it in this same transaction: watched and course progress commit together.
    if started:
        send_progress(
            learning_item_started,
            employee_id=employee_id,
            kind="video",
            slug=found.slug,
            version=version,
        )
    if newly_completed:
        send_progress(
            learning_item_completed,
            employee_id=employee_id,
            kind="video",
            slug=found.slug,
            version=version,
        )
    db.session.commit()
    return outcome


def _checked(found, employee_id: int, raw_ranges, position: float | None) -> list:
    """The report's ranges, or :class:`ReportRejected` (nothing written)."""
    if found is None or found.employee_id != employee_id:
        db.session.rollback()
        raise ReportRejected("session", "unknown viewing session")
    duration = found.duration
    if found.version != found.video_version or not duration:
        db.session.rollback()
        raise ReportRejected("stale", "the video changed; reload the page")
    try:
        ranges = intervals.parse(raw_ranges, duration)
    except intervals.InvalidRanges as exc:
        db.session.rollback()
        raise ReportRejected("ranges", str(exc)) from None
    if position is not None and not (0 <= position <= duration + 1):
        db.session.rollback()
        raise ReportRejected("position", "position outside the video")
    return ranges


def _credit(found, added: float, now: datetime) -> datetime:
    """The wall-clock budget: newly watched time is credited at most at VIDEO_MAX_SPEED.

    ``credited_until`` is the moment by which everything credited so far could have been
    watched at that speed, counted from the opening of the page at the earliest (time before
    the page was opened is not banked). A report that would move it past now (plus
    VIDEO_REPORT_SLACK_SECONDS' worth) claims more than the time since allows, and is refused.
    The budget is the learner's for this video, so several pages open at once share it.
    """
    speed = float(current_app.config["VIDEO_MAX_SPEED"])
    slack = float(current_app.config["VIDEO_REPORT_SLACK_SECONDS"])
    base = found.started_at
    if found.credited_until is not None and found.credited_until > base:
        base = found.credited_until
    credited_until = base + timedelta(seconds=added / speed)
    if added > 0 and credited_until > now + timedelta(seconds=slack / speed + 1e-6):
        db.session.rollback()
        raise ReportRejected(
            "too_fast", "more newly watched time than the time since the page opened allows"
        )
    return found.credited_until if added == 0 else credited_until


def _write(found, employee_id: int, values: dict, now: datetime, connection=None) -> None:
    """One statement: the new row, or the row updated if it is still the one that was read.

    The update runs on ``connection`` when given (the autocommit one), else in the session's
    transaction; a new row always does."""
    if found.progress_id is None:
        try:
            db.session.execute(
                VideoProgress.__table__.insert().values(
                    employee_id=employee_id,
                    video_id=found.video_id,
                    started_at=now,
                    reports=1,
                    **values,
                )
            )
        except IntegrityError:  # the first report of another page got there first
            raise _Overtaken from None
        return
    written = (connection or db.session.connection()).execute(
        _report_statements()["write"],
        {"row_id": found.progress_id, "seen": found.reports, **values},
    )
    if written.rowcount != 1:
        raise _Overtaken


# --- uploads --------------------------------------------------------------------------------


def ingest_upload(
    upload,
    *,
    title_ja: str,
    title_en: str | None,
    description_ja: str | None,
    captions: dict,
    actor_id: int | None,
) -> Video:
    """Ingest a file uploaded through the admin page.

    The upload (and any captions) is written under MEDIA_ROOT/incoming/ with a random name,
    probed, and removed again whatever happens: a refused file leaves nothing behind.
    """
    incoming = media_root() / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    suffix = Path(upload.filename or "").suffix.lower()[:10]
    if not re.fullmatch(r"\.[a-z0-9]{1,9}", suffix or ""):
        suffix = ".bin"
    written: list[Path] = []
    upload.stream.seek(0, os.SEEK_END)
    size = upload.stream.tell()
    upload.stream.seek(0)
    check_disk(3 * size)  # the upload, its stored copy and the renditions
    try:
        source = incoming / f"{token}{suffix}"
        written.append(source)
        upload.save(source)
        caption_files = {}
        for lang, storage in captions.items():
            if storage is None or not getattr(storage, "filename", ""):
                continue
            caption_suffix = ".srt" if storage.filename.lower().endswith(".srt") else ".vtt"
            caption_file = incoming / f"{token}.captions.{lang}{caption_suffix}"
            written.append(caption_file)
            storage.save(caption_file)
            caption_files[lang] = caption_file
        spec = VideoSpec(
            slug="",
            title_ja=title_ja.strip(),
            title_en=(title_en or "").strip() or None,
            description_ja=(description_ja or "").strip() or None,
            captions=caption_files,
        )
        return ingest_source(
            source, spec, actor_id=actor_id, original_name=upload.filename or source.name
        )
    finally:
        for path in written:
            path.unlink(missing_ok=True)
