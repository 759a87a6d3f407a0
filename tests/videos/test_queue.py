"""The task queue's backends: a transcode travels through huey's SQLite storage (the embedded
default) and through a real Redis (the scale-out backend), and is run as a consumer runs it."""

import os
import socket
import uuid

import pytest

from app.core import queue
from app.videos import service
from app.videos.models import IngestJob


def redis_answers(host="127.0.0.1", port=6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_answers(), reason="no Redis answers at 127.0.0.1:6379")


def test_the_transcode_task_is_registered_when_the_app_is_built(app):
    # A worker process (flask tasks worker) only knows the tasks the app imported.
    from app.core.queue import huey

    assert huey._registry.string_to_task("app.videos.tasks.transcode")  # noqa: SLF001


def run_through(huey, app, db, clips, monkeypatch):
    """Queue an ingest on ``huey`` instead of running it at once, then consume it."""
    ran = []

    @huey.task()
    def transcode(job_id):
        with app.app_context():
            ran.append(service.run_job(job_id).state)

    monkeypatch.setattr("app.videos.tasks.transcode", transcode)
    video = service.ingest_path(clips["normal"])
    job = video.jobs[-1]
    # The clip fits 「標準」: it went live by stream copy; 「軽量」 waits in the queue.
    assert job.state == "queued" and job.published_version == 1
    assert service.available_qualities(video) == ["720"]
    assert huey.pending_count() == 1  # the message is in the queue's storage

    task = huey.dequeue()
    huey.execute(task)  # what a consumer does with it
    assert ran == ["done"]
    db.session.expire_all()
    assert db.session.get(IngestJob, job.id).state == "done"
    assert service.available_qualities(service.get_published(video.slug)) == ["720", "360"]


def test_transcode_job_runs_through_the_embedded_sqlite_queue(
    app, db, clips, monkeypatch, tmp_path
):
    from huey import SqliteHuey

    run_through(
        SqliteHuey("tsunagu-test", filename=str(tmp_path / "tasks.sqlite3")),
        app,
        db,
        clips,
        monkeypatch,
    )


@needs_redis
def test_task_backend_redis_is_chosen_by_configuration(database_url, instance_dir):
    from huey.storage import RedisStorage

    from app import create_app
    from tests.conftest import make_config

    try:
        create_app(
            make_config(database_url, instance_dir, TASK_BACKEND="redis", TASKS_IMMEDIATE=False)
        )
        assert isinstance(queue.huey.storage, RedisStorage)
        assert queue.huey.storage.conn.ping()
    finally:
        create_app(make_config(database_url, instance_dir))


@needs_redis
def test_transcode_job_runs_through_redis(app, db, clips, monkeypatch):
    from huey import RedisHuey

    redis_huey = RedisHuey(
        f"tsunagu-test-{uuid.uuid4().hex[:8]}",
        url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    )
    try:
        run_through(redis_huey, app, db, clips, monkeypatch)
    finally:
        redis_huey.storage.flush_all()
