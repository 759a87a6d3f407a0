"""Video lessons: ingest with ffmpeg, delivery with seeking and captions, watched progress."""

import os

from flask import Blueprint

bp = Blueprint("videos", __name__, template_folder="templates", url_prefix="/videos")

from app.videos import views  # noqa: E402,F401

DEFAULTS = {
    "VIDEO_MAX_MB": int(os.environ.get("VIDEO_MAX_MB", "200")),
    "VIDEO_MAX_MINUTES": int(os.environ.get("VIDEO_MAX_MINUTES", "60")),
    "VIDEO_COMPLETION_THRESHOLD": float(os.environ.get("VIDEO_COMPLETION_THRESHOLD", "0.9")),
    # Playback up to this speed counts; a report claiming more is refused.
    "VIDEO_MAX_SPEED": 2.0,
    "VIDEO_REPORT_SLACK_SECONDS": 3.0,
    # "" (the portal sends the file), "x-accel" (nginx) or "x-sendfile" (Apache, lighttpd).
    "VIDEO_SENDFILE": os.environ.get("VIDEO_SENDFILE", ""),
    "VIDEO_X_ACCEL_PREFIX": os.environ.get("VIDEO_X_ACCEL_PREFIX", "/protected-media/"),
    # Rendition name → shorter side in pixels: 「標準」 and 「軽量」.
    "VIDEO_RENDITIONS": {"720": 720, "360": 360},
    "VIDEO_X264_PRESET": os.environ.get("VIDEO_X264_PRESET", "veryfast"),
    # A source that already is what the top rendition would be (H.264/AAC MP4, no larger, at
    # most this many kb/s) is published at ingest by stream copy; "0" always transcodes.
    "VIDEO_PUBLISH_AS_IS": os.environ.get("VIDEO_PUBLISH_AS_IS", "1") not in ("0", "false", "no", ""),
    "VIDEO_COPY_MAX_KBPS": int(os.environ.get("VIDEO_COPY_MAX_KBPS", "5000")),
    "FFMPEG_BIN": os.environ.get("FFMPEG_BIN", "ffmpeg"),
}


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.videos import (
        content,  # noqa: F401  (registers the "videos" content kind)
        tasks,  # noqa: F401  (registers the transcode task with the queue's consumer)
    )
    from app.videos.cli import demo_loader, videos_cli

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.cli.add_command(videos_cli)
    from app.core.worker import register_recovery
    from app.videos.service import recover_jobs

    register_recovery(app, recover_jobs)
    add_nav("videos.index", _l("Videos"), Permission.LEARN)
    add_nav("videos.admin", _l("Video uploads"), Permission.MANAGE_CONTENT)
    register_demo_loader(demo_loader)
