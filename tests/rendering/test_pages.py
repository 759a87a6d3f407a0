"""The content admin's scripts page, the Render button, job progress, and the CLI."""

from __future__ import annotations

import sys
import types

import yaml

from app.core.models import AuditEvent
from app.core.permissions import Role
from app.rendering import service
from app.rendering.models import RenderJob, RenderStatus
from app.rendering.render import RenderResult
from tests.factories import login, make_employee
from tests.rendering.conftest import TWO_LINES, write_script


def test_only_content_admins_see_the_scripts_page(client, small_render):
    write_script(small_render)
    login(client, make_employee())
    assert client.get("/content/scripts").status_code == 403
    assert client.post("/content/scripts/two-lines/render").status_code == 403


def test_render_button_renders_and_reports_progress(client, db, small_render):
    path = write_script(small_render)
    write_script(small_render, "id: broken\ntitle: {ja: 壊れた台本}\n", "broken")
    admin = make_employee(roles=[Role.CONTENT_ADMIN])
    login(client, admin)
    page = client.get("/content/scripts").get_data(as_text=True)
    assert "二行の確認" in page and "まだ作成していません" in page
    assert "script.yaml:1: 台本 の `cast` がありません" in page

    response = client.post("/content/scripts/two-lines/render", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "動画は最新です" in page and "もう一度作成" in page
    job = db.session.scalars(db.select(RenderJob)).one()
    assert (job.status, job.percent, job.requested_by_id) == ("done", 100, admin.id)
    assert job.duration_seconds > 10
    assert (path.parent / "source.mp4").stat().st_size > 0
    assert (
        yaml.safe_load((path.parent / "video.yaml").read_text(encoding="utf-8"))["id"]
        == "two-lines"
    )
    assert client.get(f"/content/scripts/jobs/{job.id}").get_json() == {
        "status": "done",
        "status_label": "作成済み",
        "percent": 100,
        "finished": True,
        "message": job.message,
    }
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "render_job")
    ).all()
    assert sorted(actions) == ["render_finished", "render_requested"]

    # Unchanged: nothing is rendered; changed: rendered again.
    before = (path.parent / "source.mp4").stat().st_mtime_ns
    client.post("/content/scripts/two-lines/render")
    assert (
        db.session.scalars(db.select(RenderJob).order_by(RenderJob.id.desc())).first().status
        == "skipped"
    )
    assert (path.parent / "source.mp4").stat().st_mtime_ns == before
    path.write_text(TWO_LINES.replace("pause: 0.5", "pause: 0.8"), encoding="utf-8")
    assert "台本が変更されています" in client.get("/content/scripts").get_data(as_text=True)
    client.post("/content/scripts/two-lines/render")
    assert (
        db.session.scalars(db.select(RenderJob).order_by(RenderJob.id.desc())).first().status
        == "done"
    )


def test_a_failed_render_is_recorded_with_its_message(client, db, small_render, monkeypatch):
    write_script(small_render)
    login(client, make_employee(roles=[Role.CONTENT_ADMIN]))
    client.application.config["RENDER_FONT"] = str(small_render / "missing.ttc")
    page = client.post("/content/scripts/two-lines/render", follow_redirects=True).get_data(
        as_text=True
    )
    job = db.session.scalars(db.select(RenderJob)).one()
    assert job.status == "failed" and "fonts-noto-cjk" in job.message
    assert "fonts-noto-cjk" in page
    assert not (small_render / "videos" / "two-lines" / "video.yaml").exists()


def test_unknown_scripts_are_not_found(client, small_render):
    login(client, make_employee(roles=[Role.CONTENT_ADMIN]))
    assert client.post("/content/scripts/no-such/render").status_code == 404
    assert client.post("/content/scripts/..%2Fetc/render").status_code == 404
    assert client.get("/content/scripts/jobs/999").status_code == 404


def test_cli_renders_by_id_then_skips(app, small_render):
    write_script(small_render)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["videos", "render", "two-lines"])
    assert result.exit_code == 0, result.output
    assert (
        "2" in result.output
        and (small_render / "videos" / "two-lines" / "captions.ja.vtt").exists()
    )
    again = runner.invoke(args=["videos", "render", "two-lines"])
    assert again.exit_code == 0
    assert "変更されていない" in again.output or "has not changed" in again.output
    missing = runner.invoke(args=["videos", "render", "no-such-script"])
    assert missing.exit_code != 0 and "no-such-script" in missing.output


def _fake_video_area(monkeypatch, ingest):
    package = types.ModuleType("app.videos")
    package.__path__ = []
    service_module = types.ModuleType("app.videos.service")
    service_module.ingest_path = ingest
    monkeypatch.setitem(sys.modules, "app.videos", package)
    monkeypatch.setitem(sys.modules, "app.videos.service", service_module)


def test_rendered_folder_is_handed_to_the_video_library(app, tmp_path, monkeypatch):
    calls = []

    def ingest_path(path, *, actor_id=None, wait=False):
        calls.append((path, actor_id))

    _fake_video_area(monkeypatch, ingest_path)
    result = RenderResult("rendered", tmp_path / "videos" / "two-lines", "two-lines")
    assert service.hand_off(result, 7) == "動画を作成し、動画ライブラリに取り込みました。"
    assert calls == [(tmp_path / "videos" / "two-lines", 7)]
    assert service.hand_off(RenderResult("skipped", result.folder, "two-lines"), 7).startswith(
        "前回の作成から"
    )
    assert len(calls) == 1

    def refusing(path, *, actor_id=None, wait=False):
        raise ValueError("video.yaml has errors")

    _fake_video_area(monkeypatch, refusing)
    assert "video.yaml has errors" in service.hand_off(result, 7)


def test_without_the_video_area_the_folder_is_reported_ready(app, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "app.videos.service", None)  # import fails
    result = RenderResult("rendered", tmp_path / "videos" / "two-lines", "two-lines")
    assert (
        service.hand_off(result, None)
        == "動画を videos/two-lines に作成しました。動画ライブラリに取り込めます。"
    )


def test_scripts_page_shows_the_folder_pattern_and_an_empty_state(client, small_render):
    login(client, make_employee(roles=[Role.CONTENT_ADMIN]))
    page = client.get("/content/scripts").get_data(as_text=True)
    assert "videos/（動画ID）/script.yaml の台本ごとに" in page
    assert "台本はまだありません。" in page


def test_a_render_left_running_by_a_dead_worker_is_marked_failed_with_a_plain_message(app, db):
    import subprocess
    from datetime import timedelta

    from app.core import worker
    from app.core.models import utcnow
    from app.rendering.models import RenderJob

    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = RenderJob(
        script_id="two-lines",
        status=RenderStatus.RUNNING,
        worker_id=f"{worker.host_name()}:{gone.pid}:x",
        heartbeat_at=utcnow(),
    )
    live = RenderJob(
        script_id="two-lines",
        status=RenderStatus.RUNNING,
        worker_id=worker.worker_identity(),
        heartbeat_at=utcnow(),
    )
    silent = RenderJob(
        script_id="two-lines",
        status=RenderStatus.RUNNING,
        worker_id="elsewhere:1:x",
        heartbeat_at=utcnow() - timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1),
    )
    db.session.add_all([dead, live, silent])
    db.session.commit()
    assert worker.recover_stuck_jobs() == 2
    assert (dead.status, silent.status, live.status) == (
        RenderStatus.FAILED,
        RenderStatus.FAILED,
        RenderStatus.RUNNING,
    )
    assert "もう一度作成してください" in dead.message


def test_a_render_requested_while_the_queue_is_away_fails_plainly(app, db, monkeypatch):
    from huey import RedisHuey
    from redis import ConnectionPool

    from app.core import queue
    from app.rendering import service

    away = RedisHuey(
        "tsunagu-away",
        connection_pool=ConnectionPool.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1),
    )
    monkeypatch.setattr(queue, "huey", away)
    monkeypatch.setattr("app.rendering.tasks.render_job_task", away.task()(lambda job_id: None))
    job = service.start_render("two-lines", None)
    assert job.status == "failed" and "タスクキュー" in job.message
