"""Role-play videos rendered from written scripts (``videos/<id>/script.yaml``).

Speech comes from a speech engine (Open JTalk or Kokoro: engines.py), the cards are drawn in
Noto Sans CJK, and ffmpeg assembles a captioned video that is handed to the video area's
ingest pipeline.
"""

from flask import Blueprint

bp = Blueprint("rendering", __name__, template_folder="templates")

from app.rendering import views  # noqa: E402,F401


def init_app(app):
    from flask.cli import AppGroup
    from flask_babel import lazy_gettext as _l

    from app.content.registry import register
    from app.core.layout import add_nav
    from app.core.permissions import Permission
    from app.core.worker import register_recovery
    from app.rendering import content
    from app.rendering.cli import readings_command, render_command
    from app.rendering.service import recover_jobs

    register_recovery(app, recover_jobs)

    # The video area owns the "videos" command group; join it, or stand in for it when absent.
    # Whichever area is registered first, both commands end up in one group.
    group = app.cli.commands.get("videos")
    if group is None:
        try:
            from app.videos.cli import videos_cli as group
        except ImportError:
            group = AppGroup("videos", help="Training videos.")
        app.cli.add_command(group)
    group.add_command(render_command)
    group.add_command(readings_command)
    for kind in content.ALL_KINDS:  # scripts, the pronunciation dictionary, captions
        register(app, kind)
    add_nav(app, "rendering.scripts", _l("Role-play scripts"), Permission.MANAGE_CONTENT)
