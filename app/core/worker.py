"""Running the task queue's consumer, its heartbeat, and the takeover of stuck jobs.

A worker (``flask tasks worker``, or the thread beside ``make run``) writes a heartbeat row
every WORKER_HEARTBEAT_SECONDS and, as often, asks every area's job-recovery function to take
over what a dead worker left: jobs left "running" whose lease ran out or whose process on this
host is gone, and "queued" jobs whose task never reached the queue. Areas register those
functions with :func:`register_recovery`.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, func, select

from app.core import queue
from app.core.models import WorkerHeartbeat, utcnow
from app.extensions import db

log = logging.getLogger(__name__)

tasks_cli = AppGroup("tasks", help="The background task queue.")

_identity: tuple[int, str] | None = None


def host_name() -> str:
    return socket.gethostname()[:100]


def worker_identity() -> str:
    """This process's id in leases and heartbeats: host:pid:token (fresh after a fork)."""
    global _identity
    if _identity is None or _identity[0] != os.getpid():
        _identity = (os.getpid(), f"{host_name()}:{os.getpid()}:{secrets.token_hex(4)}")
    return _identity[1]


def holder_is_dead(holder: str | None) -> bool:
    """Whether the process named by a lease holder id is known to be gone (same host only)."""
    if not holder:
        return True
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != host_name() or not pid_text.isdigit():
        return False  # another host's process: only its lease running out tells
    if int(pid_text) == os.getpid():
        return holder != worker_identity()
    return not process_alive(int(pid_text))


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- recovery registry ----------------------------------------------------------------------


def register_recovery(app, fn) -> None:
    """Add ``fn()`` to what a worker runs to take over stuck jobs; it returns how many it took."""
    from app.core import registries

    registries.add(app, registries.JOB_RECOVERY, fn)


def recover_stuck_jobs() -> int:
    """Run every area's recovery once; failures are logged, never stop the worker."""
    taken = 0
    from app.core import registries

    for fn in registries.entries(registries.JOB_RECOVERY):
        try:
            taken += fn() or 0
        except Exception:  # noqa: BLE001
            db.session.rollback()
            log.exception("job recovery %s failed", getattr(fn, "__name__", fn))
    return taken


# --- heartbeat ------------------------------------------------------------------------------


def beat() -> None:
    worker_id = worker_identity()
    row = db.session.get(WorkerHeartbeat, worker_id)
    if row is None:
        db.session.add(WorkerHeartbeat(worker_id=worker_id, host=host_name(), pid=os.getpid()))
    else:
        row.seen_at = utcnow()
    # Rows of workers silent for a day are of no use to anyone.
    db.session.execute(
        delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < utcnow() - timedelta(days=1))
    )
    db.session.commit()


def sign_off() -> None:
    db.session.execute(
        delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_identity())
    )
    db.session.commit()


def live_worker_count() -> int:
    window = timedelta(seconds=3 * float(current_app.config["WORKER_HEARTBEAT_SECONDS"]))
    return (
        db.session.scalar(
            select(func.count())
            .select_from(WorkerHeartbeat)
            .where(WorkerHeartbeat.seen_at >= utcnow() - window)
        )
        or 0
    )


def status() -> dict:
    """The worker's part of the health check: at least one heartbeat within three beats."""
    if queue.huey.immediate:
        return {"ok": True, "live": 0, "mode": "immediate"}
    live = live_worker_count()
    return {"ok": live > 0, "live": live}


class Heartbeat:
    """A daemon thread: a heartbeat and a round of job recovery every interval."""

    def __init__(self, app):
        self.app = app
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="worker-heartbeat", daemon=True)

    def tick(self) -> None:
        with self.app.app_context():
            try:
                beat()
                recover_stuck_jobs()
            except Exception:  # noqa: BLE001 - the database may be briefly away; try next beat
                db.session.rollback()
                log.exception("worker heartbeat failed")
            finally:
                db.session.remove()

    def run(self) -> None:
        interval = float(self.app.config["WORKER_HEARTBEAT_SECONDS"])
        self.tick()
        while not self.stop.wait(interval):
            self.tick()

    def start(self) -> Heartbeat:
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        with self.app.app_context():
            try:
                sign_off()
            except Exception:  # noqa: BLE001
                log.warning("could not remove this worker's heartbeat")
            finally:
                db.session.remove()


# --- the consumer ---------------------------------------------------------------------------


def _consumer(workers: int):
    return queue.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, check_worker_health=False
    )


def start_worker_thread(app, workers: int = 1) -> threading.Thread | None:
    if queue.huey.immediate:
        return None
    consumer = _consumer(workers)
    # Signal handlers can only be installed from the main thread; run the loop without them.
    consumer._set_signal_handlers = lambda: None  # noqa: SLF001
    thread = threading.Thread(target=consumer.run, name="huey-consumer", daemon=True)
    thread.start()
    Heartbeat(app).start()
    return thread


@tasks_cli.command("worker")
@click.option("--workers", default=2, show_default=True)
def worker_command(workers: int):
    """Run the background worker (video transcoding, reminders) in the foreground."""
    heartbeat = Heartbeat(current_app._get_current_object()).start()  # noqa: SLF001
    try:
        _consumer(workers).run()
    finally:
        heartbeat.close()


@tasks_cli.command("recover")
def recover_command():
    """Take over stuck jobs now (a worker does this by itself every heartbeat)."""
    click.echo(f"{recover_stuck_jobs()} job(s) taken over.")
