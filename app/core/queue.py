"""The background task queue.

Huey with SQLite storage is the embedded default (no server to run); ``TASK_BACKEND=redis``
switches to Redis for a scale-out deployment. Tests run in immediate mode. Tasks receive ids,
not ORM objects, and run inside an application context.

Work is handed to the queue through :func:`submit`, which turns any failure to reach the queue
into :class:`QueueUnavailable`, so the admin gets a plain message and no job is left waiting
for a task that was never stored.
"""

from __future__ import annotations

import logging
import os
from functools import wraps
from pathlib import Path

from flask import has_app_context
from huey import RedisHuey, SqliteHuey

from app.config import Config
from app.core.files import private_file

log = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """The task queue cannot be reached (Redis down, its storage unwritable)."""


def _make_huey():
    backend = os.environ.get("TASK_BACKEND", Config.TASK_BACKEND)
    if backend == "redis":
        timeout = Config.QUEUE_TIMEOUT_SECONDS
        # Bounded waits: an unreachable Redis is an answer within seconds, not a hung request.
        # The consumer blocks for read_timeout (1 s) at a time, so the socket allows more.
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(
            os.environ.get("REDIS_URL", Config.REDIS_URL), socket_connect_timeout=timeout, socket_timeout=timeout + 5,
        )
        return RedisHuey("tsunagu", connection_pool=pool)
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


def backend_name() -> str:
    if huey.immediate:
        return "immediate"
    return "redis" if isinstance(huey, RedisHuey) else "sqlite"


def ping() -> int:
    """Raise :class:`QueueUnavailable` unless the queue answers; return the tasks waiting."""
    if huey.immediate:
        return 0
    try:
        return int(huey.pending_count())
    except Exception as exc:  # noqa: BLE001 - any storage error means "cannot be reached"
        raise QueueUnavailable(str(exc)) from exc


def status() -> dict:
    """The queue's part of the health check."""
    try:
        pending = ping()
    except QueueUnavailable as exc:
        log.warning("task queue unreachable: %s", exc)
        return {"ok": False, "backend": backend_name()}
    return {"ok": True, "backend": backend_name(), "pending": pending}


def submit(task, *args) -> None:
    """Enqueue ``task(*args)``; raise :class:`QueueUnavailable` when it could not be stored.

    In immediate mode the task runs here and its own errors propagate unchanged.
    """
    if huey.immediate:
        task(*args)
        return
    try:
        task(*args)
    except Exception as exc:  # noqa: BLE001
        raise QueueUnavailable(str(exc)) from exc


def pending_calls(task) -> set[tuple] | None:
    """The argument tuples of the waiting calls of ``task``; None when the queue cannot say."""
    if huey.immediate:
        return set()
    try:
        return {tuple(item.args) for item in huey.pending() if isinstance(item, task.task_class)}
    except Exception:  # noqa: BLE001
        return None


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
