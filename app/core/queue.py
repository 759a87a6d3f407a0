"""The background task queue.

Huey with SQLite storage is the embedded default (no server to run); ``TASK_BACKEND=redis``
switches to Redis for a scale-out deployment. Tests run in immediate mode. Tasks receive ids,
not ORM objects, and run inside an application context.
"""

from __future__ import annotations

import os
from functools import wraps
from pathlib import Path

from flask import has_app_context
from huey import RedisHuey, SqliteHuey

from app.config import Config
from app.core.files import private_file


def _make_huey():
    backend = os.environ.get("TASK_BACKEND", Config.TASK_BACKEND)
    if backend == "redis":
        return RedisHuey("tsunagu", url=os.environ.get("REDIS_URL", Config.REDIS_URL))
    path = Path(os.environ.get("TASK_DB", Config.INSTANCE_PATH / "tasks.sqlite3"))
    path.parent.mkdir(parents=True, exist_ok=True)
    private_file(path)
    return SqliteHuey("tsunagu", filename=str(path))


huey = _make_huey()
_app = None


def init_app(app) -> None:
    global _app
    _app = app
    huey.immediate = bool(app.config.get("TASKS_IMMEDIATE"))


def app_task(**task_kwargs):
    """Declare a background task that runs inside the portal's application context."""

    def decorator(fn):
        @wraps(fn)
        def run_in_context(*args, **kwargs):
            if has_app_context():
                return fn(*args, **kwargs)
            app = _app
            if app is None:  # a worker process: build the app once
                from app import create_app

                app = create_app()
            with app.app_context():
                return fn(*args, **kwargs)

        return huey.task(**task_kwargs)(run_in_context)

    return decorator
