"""``flask --app app videos …``: ingest, list and retry, and the demo loader."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.videos.models import JobState

# Module level, so that other areas can attach sub-commands (``app.cli.commands["videos"]``).
videos_cli = AppGroup("videos", help="Video lessons: ingest, list, retry.")


def _folders(path: Path) -> list[Path]:
    """A video folder, a media file, or a folder of video folders (such as videos/)."""
    if path.is_dir() and not (path / "video.yaml").exists():
        return sorted(p.parent for p in path.glob("*/video.yaml"))
    return [path]


class _progress:
    """A progress bar on a terminal; when the output is a file or a pipe, a line every 25%."""

    def __init__(self, label: str):
        self.label = label
        self.done = 0
        self.interactive = sys.stdout.isatty()
        self.bar = (
            click.progressbar(length=100, label=label, show_percent=True, show_eta=False)
            if self.interactive
            else None
        )

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self.advance

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def advance(self, fraction: float) -> None:
        percent = int(fraction * 100)
        if percent <= self.done:
            return
        if self.bar is not None:
            self.bar.update(percent - self.done)
        elif percent // 25 > self.done // 25 or (percent == 100 and self.done < 100):
            click.echo(f"{self.label}: {percent}%")
        self.done = percent


@videos_cli.command("ingest")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Hand the transcode to the background worker instead of waiting.",
)
def ingest_command(path: Path, queued: bool):
    """Ingest a video folder (with video.yaml), a media file, or every folder under PATH."""
    from app.videos import media, service

    failures = 0
    for target in _folders(path):
        label = target.name
        with _progress(label) as advance:
            try:
                video = service.ingest_path(target, wait=not queued, on_progress=advance)
            except media.MediaRefused as exc:
                click.echo("")
                click.echo(f"{label}: {service.refusal_message(exc)}", err=True)
                failures += 1
                continue
            except service.IngestError as exc:
                click.echo("")
                click.echo(f"{label}: {exc}", err=True)
                failures += 1
                continue
            if video.last_ingest == "unchanged" or video.is_published:
                advance(1.0)
        job = video.jobs[-1] if video.jobs else None
        if job is not None and job.state == JobState.FAILED:
            failures += 1
            click.echo(
                _(
                    "%(slug)s: conversion failed (job %(job)d). The end of ffmpeg's output:",
                    slug=video.slug,
                    job=job.id,
                ),
                err=True,
            )
            click.echo(job.error_tail or "", err=True)
        elif video.last_ingest == "unchanged":
            click.echo(
                _("%(slug)s: unchanged (the same source was already ingested).", slug=video.slug)
            )
        elif queued and not video.is_published:
            click.echo(_("%(slug)s: queued for the background worker.", slug=video.slug))
        elif job is not None and job.published_version is not None and job.state != JobState.DONE:
            click.echo(
                _(
                    "%(slug)s: published as it is, version %(version)d; the light version is queued for the background worker.",
                    slug=video.slug,
                    version=video.version,
                )
            )
        else:
            click.echo(
                _(
                    "%(slug)s: published, version %(version)d.",
                    slug=video.slug,
                    version=video.version,
                )
            )
    if failures:
        raise SystemExit(1)


@videos_cli.command("list")
def list_command():
    """List the videos and the state of their latest ingest."""
    from app.videos import service

    for job in reversed(service.latest_jobs(200)):
        note = (
            "published as it is; light version pending"
            if job.published_version is not None and job.state != JobState.DONE
            else ""
        )
        click.echo(
            f"{job.id:5d}  {job.video.slug:30s}  v{job.video.version}  {job.state:8s} {job.progress:5.1f}%  {job.error_code or ''}{note}"
        )


@videos_cli.command("retry")
@click.argument("job_id", type=int)
def retry_command(job_id: int):
    """Run a failed (or stuck) ingest job again, here and now (its source was kept)."""
    from app.extensions import db
    from app.videos import service
    from app.videos.models import IngestJob

    job = db.session.get(IngestJob, job_id)
    if job is None or job.state == JobState.DONE:
        raise click.ClickException(_("No failed job with that number."))
    job = service.run_job(job_id, force=True)
    if job.state != JobState.DONE:
        click.echo(job.error_tail or "", err=True)
        raise SystemExit(1)
    click.echo(
        _(
            "%(slug)s: published, version %(version)d.",
            slug=job.video.slug,
            version=job.video.version,
        )
    )


def demo_loader() -> str | None:
    """Ingest every ``videos/*/video.yaml`` folder of the content root (identical sources are skipped)."""
    from app.content.yamlfile import YamlError
    from app.videos import media, service
    from app.videos.content import find

    root = Path(current_app.config["CONTENT_ROOT"])
    folders = [p.parent for p in find(root)]
    if not folders:
        return _("Videos: no video folders under videos/ yet.")
    if not media.ffmpeg_available(current_app.config["FFMPEG_BIN"]):
        return _(
            "Videos: ffmpeg is not installed, so the %(n)d demo videos were not loaded. Install it (apt-get install ffmpeg) and run the demo load again.",
            n=len(folders),
        )
    counts = {"new": 0, "updated": 0, "unchanged": 0, "failed": 0}
    for folder in folders:
        try:
            # A source that already fits 「標準」 (the shipped ones do) is published here by stream
            # copy, in seconds; the rest is queued for the server's worker (at once in tests).
            video = service.ingest_path(folder, wait=False)
        except (media.MediaRefused, service.IngestError, YamlError, OSError) as exc:
            counts["failed"] += 1
            message = (
                service.refusal_message(exc) if isinstance(exc, media.MediaRefused) else str(exc)
            )
            click.echo(f"  videos/{folder.name}: {message}", err=True)
            continue
        if video.jobs and video.jobs[-1].state == JobState.FAILED:
            counts["failed"] += 1
        else:
            counts[video.last_ingest] += 1
    return _(
        "Videos: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(failed)d failed.",
        **counts,
    )
