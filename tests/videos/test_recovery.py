"""Jobs that never stay stuck: a dead worker's running job is taken over (its ffmpeg stopped,
its temporary folder removed), a queued job with no task gets one, the admin can start any job
that is not done again, an unreachable queue or a full disk is a plain message before any work
starts, and the health check tells a load balancer about the database, the queue and a worker."""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core import queue, worker
from app.core.models import AuditEvent, WorkerHeartbeat, utcnow
from app.core.permissions import Role
from app.videos import media, service
from app.videos.models import IngestJob, Video
from tests.factories import login, make_employee
from tests.videos.test_queue import needs_redis
from tests.videos.test_upload import upload


@pytest.fixture
def held(monkeypatch) -> list[int]:
    """The task queue holds its jobs (as before the worker got to them)."""
    calls: list[int] = []
    monkeypatch.setattr("app.videos.tasks.transcode", calls.append)
    return calls


@pytest.fixture
def queued_job(app, db, clips, held) -> IngestJob:
    app.config["VIDEO_PUBLISH_AS_IS"] = False
    video = service.ingest_path(clips["normal"])
    job = video.jobs[-1]
    assert job.state == "queued" and held == [job.id]
    return job


@pytest.fixture
def admin_client(client, db):
    login(client, make_employee(roles=[Role.CONTENT_ADMIN]))
    return client


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def start_ffmpeg_in(work: Path) -> subprocess.Popen:
    """A real, long conversion writing into ``work`` (paced at real time, so it runs on)."""
    work.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x180:rate=25:duration=600",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-f",
            "mpegts",
            str(work / "720.ts"),
        ],
        stdin=subprocess.DEVNULL,
    )


def hold(
    db,
    job: IngestJob,
    holder: str,
    *,
    heartbeat_age: float = 0.0,
    pid: int | None = None,
    work: Path | None = None,
) -> None:
    job.state, job.progress, job.worker_id, job.lease_token = (
        "running",
        32.5,
        holder,
        uuid.uuid4().hex,
    )
    job.heartbeat_at = utcnow() - timedelta(seconds=heartbeat_age)
    job.ffmpeg_pid = pid
    job.work_dir = work.relative_to(service.media_root()).as_posix() if work else None
    db.session.commit()


def test_a_job_left_running_by_a_killed_worker_is_taken_over_and_its_ffmpeg_stopped(
    app, db, queued_job, held
):
    job = queued_job
    work = service.video_dir(job.video.slug) / f".tmp-job{job.id}-dead"
    ffmpeg = start_ffmpeg_in(work)
    try:
        # The worker that held it died a moment ago: its lease is still fresh, but its process is gone.
        hold(db, job, f"{worker.host_name()}:{dead_pid()}:gone", pid=ffmpeg.pid, work=work)
        assert worker.recover_stuck_jobs() == 1
        assert ffmpeg.wait(timeout=15) == -9  # the orphaned ffmpeg was killed
    finally:
        if ffmpeg.poll() is None:
            ffmpeg.kill()
    assert not work.exists()
    db.session.expire_all()
    job = db.session.get(IngestJob, job.id)
    assert (job.state, job.progress, job.worker_id, job.ffmpeg_pid, job.work_dir) == (
        "queued",
        0.0,
        None,
        None,
        None,
    )
    assert held == [job.id, job.id]  # its task is in the queue again
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "video.ingest_taken_over")
        ).detail["reason"]
        == "holder_gone"
    )
    job = service.run_job(held[-1])
    assert job.state == "done" and job.video.is_published


def test_a_lease_that_ran_out_is_taken_over_and_a_live_one_is_left_alone(app, db, queued_job, held):
    job = queued_job
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        hold(db, job, f"{worker.host_name()}:{sleeper.pid}:alive")  # alive here, lease fresh
        hold_other = f"elsewhere:{os.getpid()}:x"
        assert worker.recover_stuck_jobs() == 0
        hold(
            db, job, hold_other, heartbeat_age=app.config["JOB_LEASE_SECONDS"] - 5
        )  # another host, lease still valid
        assert worker.recover_stuck_jobs() == 0
        assert db.session.get(IngestJob, job.id).state == "running"
        hold(
            db, job, hold_other, heartbeat_age=app.config["JOB_LEASE_SECONDS"] + 5
        )  # that host went silent
        assert worker.recover_stuck_jobs() == 1
    finally:
        sleeper.kill()
        sleeper.wait()
    assert db.session.get(IngestJob, job.id).state == "queued" and held[-1] == job.id


def test_a_holder_whose_job_was_taken_over_stops_and_publishes_nothing(app, db, queued_job, held):
    job_id = queued_job.id
    stolen = []

    def taken_over_meanwhile(fraction):
        if not stolen:  # another worker takes the job while this one converts
            stolen.append(fraction)
            with db.engine.begin() as conn:
                conn.execute(
                    IngestJob.__table__.update()
                    .where(IngestJob.__table__.c.id == job_id)
                    .values(state="queued", lease_token=None)
                )

    service.run_job(job_id, on_progress=taken_over_meanwhile)
    assert stolen
    db.session.expire_all()
    job = db.session.get(IngestJob, job_id)
    assert job.state == "queued" and job.video.version == 0 and not job.video.is_published
    assert not [
        p for p in service.video_dir(job.video.slug).iterdir() if p.name.startswith(".tmp-job")
    ]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=needs_redis)])
def test_a_queued_job_with_no_task_in_the_queue_gets_one(
    app, db, clips, monkeypatch, tmp_path, backend
):
    from huey import RedisHuey, SqliteHuey

    if backend == "sqlite":
        real = SqliteHuey("tsunagu-test", filename=str(tmp_path / "tasks.sqlite3"))
    else:
        real = RedisHuey(f"tsunagu-test-{uuid.uuid4().hex[:8]}", url="redis://127.0.0.1:6379/15")
    try:
        lost = []
        transcode = real.task()(lambda job_id: lost.append(job_id))
        monkeypatch.setattr(queue, "huey", real)
        monkeypatch.setattr("app.videos.tasks.transcode", transcode)
        app.config["VIDEO_PUBLISH_AS_IS"] = False
        video = service.ingest_path(clips["normal"])
        job = video.jobs[-1]
        assert real.pending_count() == 1
        real.flush()  # the queue lost its task (e.g. Redis restarted without persistence)
        assert worker.recover_stuck_jobs() == 0  # not yet: it may still be on its way
        job.queued_at = utcnow() - timedelta(seconds=app.config["JOB_REQUEUE_AFTER_SECONDS"] + 1)
        db.session.commit()
        assert worker.recover_stuck_jobs() == 1
        assert [task.args for task in real.pending()] == [(job.id,)]
        job.queued_at = utcnow() - timedelta(seconds=app.config["JOB_REQUEUE_AFTER_SECONDS"] + 1)
        db.session.commit()
        assert worker.recover_stuck_jobs() == 0 and real.pending_count() == 1  # never twice
    finally:
        real.storage.flush_all()


def unreachable_queue(monkeypatch):
    """A real Redis client aimed at a port where nothing listens."""
    from huey import RedisHuey
    from redis import ConnectionPool

    away = RedisHuey(
        "tsunagu-away",
        connection_pool=ConnectionPool.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1),
    )
    monkeypatch.setattr(queue, "huey", away)
    monkeypatch.setattr("app.videos.tasks.transcode", away.task()(lambda job_id: None))
    return away


def test_an_upload_while_the_queue_is_unreachable_is_refused_plainly_and_leaves_no_job(
    app, admin_client, db, clips, monkeypatch
):
    unreachable_queue(monkeypatch)
    response = upload(admin_client, clips["normal"])
    assert response.status_code == 422
    assert "タスクキュー" in response.get_data(
        as_text=True
    ) and "何も保存されていません" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IngestJob)) == 0
    assert db.session.scalar(select(func.count()).select_from(Video)) == 0
    assert not (service.media_root() / "sources").exists()


def test_a_queue_lost_between_check_and_enqueue_fails_the_job_and_a_reupload_resumes_it(
    app, admin_client, db, clips, monkeypatch, held
):
    app.config["VIDEO_PUBLISH_AS_IS"] = False
    unreachable_queue(monkeypatch)
    monkeypatch.setattr(queue, "ping", lambda: 0)  # it answered the check, then went away
    response = upload(admin_client, clips["normal"])
    assert response.status_code == 422 and "タスクキュー" in response.get_data(as_text=True)
    job = db.session.scalar(select(IngestJob))
    assert (job.state, job.error_code) == (
        "failed",
        service.QUEUE_UNAVAILABLE,
    )  # not a stuck "queued"

    monkeypatch.undo()
    calls: list[int] = []
    monkeypatch.setattr("app.videos.tasks.transcode", calls.append)
    assert upload(admin_client, clips["normal"]).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Video)) == 1
    assert [j.id for j in db.session.scalars(select(IngestJob))] == [job.id] and calls == [job.id]
    assert db.session.get(IngestJob, job.id).state == "queued"


def test_a_full_disk_refuses_the_upload_before_anything_is_stored(app, admin_client, db, clips):
    app.config["MEDIA_MIN_FREE_MB"] = service.free_mb() + 10_000
    response = upload(admin_client, clips["normal"])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "保存領域がほぼいっぱい" in page and "MB 以上" in page
    assert db.session.scalar(select(func.count()).select_from(IngestJob)) == 0
    assert not [p for p in service.media_root().rglob("*") if p.is_file()]


def test_a_full_disk_fails_the_conversion_before_ffmpeg_with_a_plain_message(
    app, admin_client, db, queued_job
):
    app.config["MEDIA_MIN_FREE_MB"] = service.free_mb() + 10_000
    job = service.run_job(queued_job.id)
    assert (job.state, job.error_code, job.progress) == ("failed", media.DISK_FULL, 0.0)
    page = admin_client.get(f"/videos/admin/jobs/{job.id}").get_data(as_text=True)
    assert "保存領域がほぼいっぱい" in page and "ffmpeg" not in page.split("<main")[-1].lower()
    assert "変換し直す" in page or "もう一度変換" in page or 'id="job-retry"' in page


def test_ffmpeg_running_out_of_space_is_reported_as_a_full_disk(clips):
    command = [
        "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-i",
        str(clips["normal"]),
        "-c",
        "copy",
        "-f",
        "mpegts",
        "-y",
        "/dev/full",
    ]
    with pytest.raises(media.MediaRefused) as refused:
        media.run(command, 2.0)
    assert refused.value.code == media.DISK_FULL


@pytest.mark.parametrize("state", ["queued", "running", "failed"])
def test_the_admin_can_start_any_job_that_is_not_done_again(
    app, admin_client, db, queued_job, held, state
):
    job = queued_job
    if state == "running":
        hold(db, job, worker.worker_identity())  # even a live holder: the admin decides
    elif state == "failed":
        job.state, job.error_code = "failed", "transcode"
        db.session.commit()
    page = admin_client.get(f"/videos/admin/jobs/{job.id}").get_data(as_text=True)
    assert 'id="job-retry"' in page
    response = admin_client.post(f"/videos/admin/jobs/{job.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        db.session.get(IngestJob, job.id).state == "queued"
        and held[-1] == job.id
        and len(held) == 2
    )
    service.run_job(held[-1])
    assert 'id="job-retry"' not in admin_client.get(f"/videos/admin/jobs/{job.id}").get_data(
        as_text=True
    )


def test_a_stalled_job_says_so_on_its_page(app, admin_client, db, queued_job):
    hold(db, queued_job, "elsewhere:1:x", heartbeat_age=app.config["JOB_LEASE_SECONDS"] + 5)
    status = admin_client.get(f"/videos/admin/jobs/{queued_job.id}/status").get_json()
    assert status["stalled"] is True and status["retryable"] is True
    assert "自動でやり直されます" in status["message"]


# --- the health check -----------------------------------------------------------------------


def test_health_reports_database_queue_and_worker(app, client, db, monkeypatch, tmp_path):
    from huey import SqliteHuey

    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"  # immediate mode

    monkeypatch.setattr(
        queue, "huey", SqliteHuey("tsunagu-health", filename=str(tmp_path / "tasks.sqlite3"))
    )
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "fail"
    assert body["database"]["ok"] and body["queue"] == {
        "ok": True,
        "backend": "sqlite",
        "pending": 0,
    }
    assert body["worker"] == {"ok": False, "live": 0}

    worker.Heartbeat(app).tick()  # what a running worker does every WORKER_HEARTBEAT_SECONDS
    assert db.session.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 1
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["worker"] == {"ok": True, "live": 1}

    stale = utcnow() - timedelta(seconds=3 * app.config["WORKER_HEARTBEAT_SECONDS"] + 1)
    db.session.execute(WorkerHeartbeat.__table__.update().values(seen_at=stale))
    db.session.commit()
    assert client.get("/healthz").status_code == 503  # the worker went silent

    worker.Heartbeat(app).tick()
    unreachable_queue(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["queue"]["ok"] is False
