"""Running the task queue's consumer: a CLI command, or a thread beside the demo server."""

from __future__ import annotations

import threading

import click
from flask.cli import AppGroup

from app.core.queue import huey

tasks_cli = AppGroup("tasks", help="The background task queue.")


def _consumer(workers: int):
    return huey.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=False)


def start_worker_thread(app, workers: int = 1) -> threading.Thread | None:
    if huey.immediate:
        return None
    consumer = _consumer(workers)
    # Signal handlers can only be installed from the main thread; run the loop without them.
    consumer._set_signal_handlers = lambda: None  # noqa: SLF001
    thread = threading.Thread(target=consumer.run, name="huey-consumer", daemon=True)
    thread.start()
    return thread


@tasks_cli.command("worker")
@click.option("--workers", default=2, show_default=True)
def worker_command(workers: int):
    """Run the background worker (video transcoding, reminders) in the foreground."""
    _consumer(workers).run()
