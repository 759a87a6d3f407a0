"""Training content kept as files (courses/ videos/ scenarios/ quizzes/): loading,
validation with ``file:line`` messages, and syncing into the database.

Each content area registers a :class:`~app.content.registry.ContentKind`; the CLI
``flask --app app content check|sync`` runs every kind.
"""

from flask import Blueprint

bp = Blueprint("content", __name__)


def init_app(app):
    from app.content import items, legal, registry, vocabulary
    from app.content.cli import content_cli

    # Every area's learning-item kind (``app/<area>/kind.py``), held by the app.
    items.init_app(app)
    app.jinja_env.globals["learning_item_kind"] = items.get

    registry.register_cross_check(app, "legal", legal.check)
    registry.register_cross_check(app, "vocabulary", vocabulary.check)
    app.cli.add_command(content_cli)
