"""Ingest: folders and bare files, dedup by content hash, versions, failures and retry, the CLI."""

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.models import AuditEvent
from app.videos import media, service
from app.videos.cli import videos_cli
from app.videos.models import IngestJob, Video
from tests.videos.conftest import make_video_folder


def streams(path: Path) -> dict:
    out = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
            capture_output=True,
            check=True,
        ).stdout
    )
    return {s["codec_type"]: s for s in out["streams"]}


def test_folder_ingest_publishes_renditions_poster_and_captions(app, db, published):
    video = published
    assert video.slug == "tax-desk-roleplay"
    assert video.title_ja == "納税相談の窓口で" and video.title_en == "At the tax desk"
    assert video.version == 1 and video.duration == pytest.approx(2.0, abs=0.1)
    assert video.completion_threshold == 0.8
    assert [c["ja"] for c in video.chapters] == ["窓口で", "声をかける"]
    assert video.caption_languages == ["ja", "en"]
    folder = service.version_dir(video)
    assert sorted(p.name for p in folder.iterdir()) == ["360.mp4", "720.mp4", "poster.jpg"]
    assert streams(folder / "720.mp4")["video"]["codec_name"] == "h264"
    en = service.caption_path(video.slug, "en").read_text(encoding="utf-8")
    assert en.startswith("WEBVTT") and "00:00:01.000 --> 00:00:02.000" in en and "&amp;" in en
    job = video.jobs[-1]
    assert (job.state, job.progress, job.attempts) == ("done", 100.0, 1)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "video.published")
        )
        == 1
    )
    # nothing temporary is left beside the published version
    assert not [p for p in service.video_dir(video.slug).iterdir() if p.name.startswith(".")]


def test_no_audio_source_gets_a_silent_track(app, db, clips):
    video = service.ingest_path(clips["silent"], wait=True)
    assert video.is_published
    for name in ("720.mp4", "360.mp4"):
        found = streams(service.version_dir(video) / name)
        assert found["audio"]["codec_name"] == "aac"
        assert float(found["audio"]["duration"]) == pytest.approx(2.0, abs=0.15)


def test_portrait_source_keeps_its_shape_with_even_sizes(app, db, clips):
    app.config["VIDEO_RENDITIONS"] = {"720": 120, "360": 90}
    video = service.ingest_path(clips["portrait"], wait=True)
    big = streams(service.version_dir(video) / "720.mp4")["video"]
    small = streams(service.version_dir(video) / "360.mp4")["video"]
    assert (big["width"], big["height"]) == (120, 214)
    assert (small["width"], small["height"]) == (90, 160)
    assert big.get("sample_aspect_ratio", "1:1") in ("1:1", "0:1")


def test_identical_source_is_not_ingested_twice(app, db, published, clips):
    again = service.ingest_path(
        Path(app.config["CONTENT_ROOT"]) / "videos" / "tax-desk-roleplay", wait=True
    )
    assert again.id == published.id and again.last_ingest == "unchanged" and again.version == 1
    bare = service.ingest_path(clips["normal"], wait=True)  # the same bytes as a bare file
    assert bare.id == published.id
    assert db.session.scalar(select(func.count()).select_from(IngestJob)) == 1
    assert db.session.scalar(select(func.count()).select_from(Video)) == 1


def test_metadata_changes_apply_without_transcoding(app, db, published):
    folder = Path(app.config["CONTENT_ROOT"]) / "videos" / "tax-desk-roleplay"
    yaml_path = folder / "video.yaml"
    yaml_path.write_text(
        yaml_path.read_text(encoding="utf-8").replace("納税相談の窓口で", "納税窓口で"),
        encoding="utf-8",
    )
    video = service.ingest_path(folder, wait=True)
    assert (video.title_ja, video.last_ingest, video.version) == ("納税窓口で", "updated", 1)
    assert len(video.jobs) == 1


def test_a_new_source_publishes_a_new_version_only_when_done(app, db, published, clips):
    folder = Path(app.config["CONTENT_ROOT"]) / "videos" / "tax-desk-roleplay"
    (folder / "source.mp4").write_bytes(clips["other"].read_bytes())
    video = service.ingest_path(folder, wait=True)
    assert video.version == 2 and video.duration == pytest.approx(3.0, abs=0.1)
    assert (
        service.video_dir(video.slug) / "v1" / "720.mp4"
    ).exists()  # pages still open keep playing
    assert len(video.jobs) == 2


def test_going_back_to_an_earlier_source_publishes_it_again(app, db, published, clips):
    folder = Path(app.config["CONTENT_ROOT"]) / "videos" / "tax-desk-roleplay"
    original = (folder / "source.mp4").read_bytes()
    (folder / "source.mp4").write_bytes(clips["other"].read_bytes())
    assert service.ingest_path(folder, wait=True).version == 2
    (folder / "source.mp4").write_bytes(original)
    video = service.ingest_path(folder, wait=True)
    assert video.version == 3 and video.duration == pytest.approx(2.0, abs=0.1)


def test_failure_keeps_the_published_version_records_stderr_and_can_be_retried(
    app, db, published, clips
):
    app.config["VIDEO_PUBLISH_AS_IS"] = (
        False  # the full transcode (the clip would be published as it is)
    )
    folder = Path(app.config["CONTENT_ROOT"]) / "videos" / "tax-desk-roleplay"
    (folder / "source.mp4").write_bytes(clips["other"].read_bytes())
    app.config["VIDEO_X264_PRESET"] = "no-such-preset"
    video = service.ingest_path(folder, wait=True)
    job = video.jobs[-1]
    assert job.state == "failed" and job.error_code == "transcode"
    assert "preset" in job.error_tail.lower()
    assert video.version == 1 and video.is_published  # the old version is still served
    assert sorted(p.name for p in service.video_dir(video.slug).iterdir() if p.is_dir()) == ["v1"]
    assert (Path(app.config["MEDIA_ROOT"]) / job.source_path).exists()  # the source is kept

    app.config["VIDEO_X264_PRESET"] = "ultrafast"
    job = service.retry_job(job.id)
    assert job.state == "done" and job.attempts == 2
    assert db.session.get(Video, video.id).version == 2


def test_a_job_is_converted_once_even_if_queued_twice(app, db, clips, monkeypatch):
    queued = []
    monkeypatch.setattr("app.videos.tasks.transcode", queued.append)  # hold it in the "queue"
    video = service.ingest_path(clips["normal"])
    job_id = video.jobs[-1].id
    assert service.run_job(job_id).state == "done"  # e.g. a synchronous ingest got there first
    assert service.run_job(queued[0]).attempts == 1  # the worker's copy finds it done
    assert db.session.get(Video, video.id).version == 1


def test_cli_retry_takes_over_a_job_left_running(app, db, clips, monkeypatch):
    monkeypatch.setattr("app.videos.tasks.transcode", lambda job_id: None)
    video = service.ingest_path(clips["normal"])
    job = video.jobs[-1]
    job.state = "running"  # as if the worker died mid-way
    db.session.commit()
    assert service.run_job(job.id).state == "running"  # not claimed without force
    result = app.test_cli_runner().invoke(videos_cli, ["retry", str(job.id)])
    assert result.exit_code == 0, result.output
    assert db.session.get(IngestJob, job.id).state == "done"


def test_refused_sources_leave_nothing(app, db, clips):
    for name in ("corrupt", "text", "sound"):
        with pytest.raises(media.MediaRefused):
            service.ingest_path(clips[name])
    assert db.session.scalar(select(func.count()).select_from(Video)) == 0
    root = Path(app.config["MEDIA_ROOT"])
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_length_limit_is_configurable(app, db, clips):
    app.config["VIDEO_MAX_MINUTES"] = 0.01
    with pytest.raises(media.MediaRefused) as caught:
        service.ingest_path(clips["normal"])
    assert caught.value.code == media.TOO_LONG


def test_queued_ingest_runs_through_the_task_queue(app, db, clips):
    # Tests run the queue in immediate mode: the task runs, through huey, before returning.
    from app.core.queue import huey

    assert huey.immediate
    video = service.ingest_path(clips["normal"])
    assert video.is_published and video.jobs[-1].state == "done"


def test_cli_ingest_shows_a_progress_bar_and_is_idempotent(app, db):
    from tests.videos.conftest import make_clip

    root = Path(app.config["CONTENT_ROOT"])
    clip = make_clip(root.parent / "cli.mp4", seconds=2)
    make_video_folder(root, "water-desk-roleplay", clip)
    runner = app.test_cli_runner()
    result = runner.invoke(videos_cli, ["ingest", str(root / "videos")])
    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert "water-desk-roleplay" in result.output and "100%" in result.output
    assert "公開しました" in result.output
    result = runner.invoke(videos_cli, ["ingest", str(root / "videos" / "water-desk-roleplay")])
    assert result.exit_code == 0 and "変更はありません" in result.output


def test_cli_ingest_refuses_with_a_clear_message(app, db, clips):
    result = app.test_cli_runner().invoke(videos_cli, ["ingest", str(clips["text"])])
    assert result.exit_code == 1
    assert "動画ではありません" in result.output


def test_cli_group_is_registered_for_other_areas(app):
    assert app.cli.commands["videos"] is videos_cli
    assert {"ingest", "list", "retry"} <= set(videos_cli.commands)
