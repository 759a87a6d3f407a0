"""Video lessons: ingest with ffmpeg, delivery with seeking and captions, watched progress."""

from flask import Blueprint

bp = Blueprint("videos", __name__, template_folder="templates", url_prefix="/videos")

from app.videos import views  # noqa: E402,F401


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo_loader
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.videos import (
        content,
        tasks,  # noqa: F401  (registers the transcode task with the queue's consumer)
    )
    from app.videos.cli import demo_loader, videos_cli
    from app.videos.models import JobState

    app.cli.add_command(videos_cli)
    app.jinja_env.globals["JobState"] = JobState
    from app.core.worker import register_recovery
    from app.videos.service import recover_jobs

    register_recovery(app, recover_jobs)
    from app.content.registry import named, register

    # a video folder, wherever it is, is known by its spec file
    register(app, content.KIND, recognise=named("video.yaml"))
    add_nav(app, "videos.index", _l("Videos"), Permission.LEARN)
    add_nav(app, "videos.admin", _l("Video uploads"), Permission.MANAGE_CONTENT)
    register_demo_loader(app, demo_loader)
