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
from functools import wraps
from pathlib import Path

from flask import has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from app.core.files import private_file

log = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """The task queue cannot be reached (Redis down, its storage unwritable)."""


#: Where tasks are declared (``@app_task``). Its storage is chosen in ``create_app`` from the
#: app's settings (``configure``), so a TASK_BACKEND given to ``create_app`` is the one used;
#: until then it holds tasks in memory only.
huey = Huey("tsunagu", storage_class=MemoryStorage)
_app = None
_storage_key: tuple | None = None


def _storage(app) -> tuple[type, dict]:
    """The storage class and its arguments for the app's TASK_BACKEND."""
    backend = app.config["TASK_BACKEND"]
    if backend == "redis":
        from redis import ConnectionPool

        # Bounded waits: an unreachable Redis is an answer within seconds, not a hung request.
        # The consumer blocks for read_timeout (1 s) at a time, so the socket allows more.
        timeout = float(app.config["QUEUE_TIMEOUT_SECONDS"])
        pool = ConnectionPool.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout + 5
        )
        return RedisStorage, {"connection_pool": pool}
    if backend != "sqlite":
        raise RuntimeError(f"TASK_BACKEND must be 'sqlite' or 'redis', not {backend!r}")
    return SqliteStorage, {"filename": str(Path(app.config["TASK_DB"]))}


def configure(app) -> Huey:
    """Point the queue at the app's backend (or run tasks at once with TASKS_IMMEDIATE)."""
    global _storage_key
    storage_class, kwargs = _storage(app)
    immediate = bool(app.config.get("TASKS_IMMEDIATE"))
    where = app.config["REDIS_URL"] if storage_class is RedisStorage else kwargs["filename"]
    key = (storage_class, where, immediate)
    if key != _storage_key:
        if storage_class is SqliteStorage and not immediate:
            path = Path(kwargs["filename"])
            path.parent.mkdir(parents=True, exist_ok=True)
            private_file(path)
        huey.storage_class, huey.storage_kwargs, huey._immediate = storage_class, kwargs, immediate  # noqa: SLF001
        huey.storage = huey.create_storage()
        _storage_key = key
    return huey


def init_app(app) -> None:
    global _app
    _app = app
    app.extensions["huey"] = configure(app)


def backend_name() -> str:
    if huey.immediate:
        return "immediate"
    return "redis" if huey.storage_class is RedisStorage else "sqlite"


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
