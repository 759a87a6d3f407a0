"""What the video benchmarks set up alike: a work folder whose task queue runs each task at once,
a test source made by ffmpeg, the portal keeping its media in the folder, and a clean slate
between rounds.

Import it before anything of ``app``: :func:`work_folder` sets the instance folder and task
queue the settings read when ``app.config`` is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import _city


def work_folder(prefix: str) -> Path:
    """A temporary folder for the database, the media and the task queue, which runs tasks at
    once."""
    work = _city.work_folder(prefix)
    os.environ["TASKS_IMMEDIATE"] = "1"
    return work


def make_source(
    path: Path, seconds: int, size: str, video: Sequence[str], audio: Sequence[str] = ()
) -> Path:
    """A moving test pattern with a tone, H.264/AAC in MP4, encoded with the x264 options
    ``video`` and the AAC options ``audio``."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate=30:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=48000:duration={seconds}",
            "-c:v",
            "libx264",
            *video,
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            *audio,
            "-shortest",
            str(path),
        ],
        check=True,
    )
    return path


def make_app(work: Path):
    """The portal on SQLite in ``work`` (or on ``DATABASE_URL``), its media in ``work/media``,
    its tables created."""
    from app import create_app
    from app.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ.get(
                "DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}"
            ),
            "SECRET_KEY": "bench",
            "MEDIA_ROOT": work / "media",
            "TASKS_IMMEDIATE": True,
        }
    )
    with app.app_context():
        db.create_all()
    return app


def clear(app) -> None:
    """Delete every video, its jobs and its media, so that the next ingest starts afresh."""
    from app.extensions import db
    from app.videos.models import IngestJob, Video

    db.session.execute(db.delete(IngestJob))
    db.session.execute(db.delete(Video))
    db.session.commit()
    shutil.rmtree(app.config["MEDIA_ROOT"], ignore_errors=True)
