"""Publishing a source as it is: one that already fits 「標準」 goes live at ingest by stream copy
(+faststart), with its poster and captions; only 「軽量」 is left for the worker. Anything else
takes the full transcode."""

from __future__ import annotations

import dataclasses
import struct
import subprocess
from pathlib import Path

import pytest

from app.core.permissions import Role
from app.videos import media, service
from app.videos.cli import videos_cli
from tests.factories import login, make_employee
from tests.videos.conftest import make_clip, make_video_folder
from tests.videos.test_delivery import get, media_url
from tests.videos.test_ingest import streams

ROOT = Path(__file__).resolve().parents[2]
TOP = {"short_side": 720, "max_kbps": 5000}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sources")
    return {
        "conforming": make_clip(folder / "conforming.mp4", size="640x360", seconds=3),
        "silent": make_clip(folder / "silent.mp4", size="640x360", seconds=3, audio=False),
        "vp9": make_clip(
            folder / "vp9.webm",
            seconds=3,
            video_args=("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"),
            audio_args=("-c:a", "libopus"),
        ),
        "full_hd": make_clip(folder / "full_hd.mp4", size="1920x1080", seconds=1),
        "mpeg4": make_clip(folder / "mpeg4.mp4", seconds=3, video_args=("-c:v", "mpeg4")),
        "yuv444": make_clip(
            folder / "yuv444.mp4",
            video_args=("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"),
        ),
        "mp3": make_clip(folder / "mp3.mp4", audio_args=("-c:a", "libmp3lame")),
    }


@pytest.fixture
def held(monkeypatch) -> list[int]:
    """The task queue holds its jobs (as before the worker got to them)."""
    queue: list[int] = []
    monkeypatch.setattr("app.videos.tasks.transcode", queue.append)
    return queue


def packet_hashes(path: Path, stream: str) -> list[str]:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            stream,
            "-show_entries",
            "packet=data_hash",
            "-show_data_hash",
            "MD5",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return out.split()


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order."""
    kinds = []
    with path.open("rb") as fh:
        while header := fh.read(8):
            size, kind = struct.unpack(">I4s", header)
            kinds.append(kind.decode("latin-1"))
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0] - 8
            elif size == 0:
                break
            fh.seek(size - 8, 1)
    return kinds


# --- the decision ---------------------------------------------------------------------------


def test_a_conforming_source_meets_the_top_rendition_spec(sources):
    info = media.probe(sources["conforming"])
    assert (info.video_codec, info.video_profile, info.pixel_format, info.audio_codec) == (
        "h264",
        "Constrained Baseline",
        "yuv420p",
        "aac",
    )
    assert info.frame_rate == 25 and (info.width, info.height) == (640, 360)
    assert media.top_rendition_mismatches(info, **TOP) == []
    assert media.meets_top_rendition_spec(info, **TOP)
    assert media.meets_top_rendition_spec(
        media.probe(sources["silent"]), **TOP
    )  # gets a silent AAC track


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("vp9", "video codec vp9"),
        ("full_hd", "size 1920x1080"),
        ("mpeg4", "video codec mpeg4"),
        ("yuv444", "pixel format yuv444p"),
        ("mp3", "audio codec mp3"),
    ],
)
def test_a_source_that_does_not_fit_says_why(sources, name, reason):
    reasons = media.top_rendition_mismatches(media.probe(sources[name]), **TOP)
    assert reason in reasons
    assert not media.meets_top_rendition_spec(media.probe(sources[name]), **TOP)
    if name == "vp9":
        assert any(r.startswith("container matroska") for r in reasons)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"frame_rate": 120.0}, "frame rate 120"),
        ({"frame_rate": 0.0}, "frame rate 0"),
        ({"bit_rate": 12_000_000}, "bit rate 12000 kb/s"),
        ({"rotation": 90}, "non-square pixels or rotation"),
        ({"square_pixels": False}, "non-square pixels or rotation"),
        ({"width": 641}, "size 641x360"),
        ({"video_profile": "High 10"}, "H.264 profile High 10"),
    ],
)
def test_frame_rate_bit_rate_shape_and_profile_count(sources, change, reason):
    info = dataclasses.replace(media.probe(sources["conforming"]), **change)
    assert media.top_rendition_mismatches(info, **TOP) == [reason]


def test_the_shipped_starter_videos_fit_the_top_rendition():
    # They are made by our own renderer: were that to change, `make run` would be slow again.
    found = sorted(ROOT.glob("videos/*/source.mp4"))
    assert found
    for source in found:
        assert media.top_rendition_mismatches(media.probe(source), **TOP) == [], source


# --- the fast path --------------------------------------------------------------------------


def test_conforming_source_is_published_by_stream_copy_before_the_worker_runs(
    app, db, client, sources, held
):
    root = Path(app.config["CONTENT_ROOT"])
    folder = make_video_folder(root, "tax-desk-roleplay", sources["conforming"])
    video = service.ingest_path(folder)

    job = video.jobs[-1]
    assert held == [job.id]  # 「軽量」 is still in the queue
    assert video.is_published and video.version == 1 and (video.width, video.height) == (640, 360)
    assert (job.state, job.published_version, job.stream_copied, job.attempts) == (
        "queued",
        1,
        True,
        0,
    )
    published = service.version_dir(video)
    assert sorted(p.name for p in published.iterdir()) == ["720.mp4", "poster.jpg"]
    assert service.caption_path(video.slug, "ja").read_text(encoding="utf-8").startswith("WEBVTT")

    copy, source = published / "720.mp4", folder / "source.mp4"
    # Copied, not re-encoded: every packet is byte for byte the source's, with the same codec parameters.
    assert (
        packet_hashes(copy, "v:0") == packet_hashes(source, "v:0")
        and len(packet_hashes(copy, "v:0")) == 75
    )
    assert packet_hashes(copy, "a:0") == packet_hashes(source, "a:0")
    for kind in ("video", "audio"):
        before, after = streams(source)[kind], streams(copy)[kind]
        for key in (
            "codec_name",
            "profile",
            "bit_rate",
            "width",
            "height",
            "pix_fmt",
            "level",
            "sample_rate",
            "channels",
        ):
            assert after.get(key) == before.get(key), (kind, key)
    # +faststart: the index comes before the media data (ffmpeg wrote the source the other way round).
    assert top_level_boxes(source).index("mdat") < top_level_boxes(source).index("moov")
    assert top_level_boxes(copy).index("moov") < top_level_boxes(copy).index("mdat")

    # Watchable now, with 「標準」 only.
    login(client, make_employee())
    response = client.get(f"/videos/{video.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        'id="quality-pending"' in page
        and 'id="quality-form"' not in page
        and "data-src-360" not in page
    )
    assert get(client, media_url(video, "720.mp4")).status_code == 200
    ranged = get(client, media_url(video, "720.mp4"), headers={"Range": "bytes=0-1023"})
    assert ranged.status_code == 206 and len(ranged.get_data()) == 1024
    assert get(client, media_url(video, "poster.jpg")).status_code == 200
    assert get(client, media_url(video, "360.mp4")).status_code == 404

    # The worker's turn: 「軽量」 is added to the same version, and offered.
    job = service.run_job(held[0])
    assert (job.state, job.progress, job.attempts) == ("done", 100.0, 1)
    db.session.refresh(video)
    assert video.version == 1
    assert sorted(p.name for p in published.iterdir()) == ["360.mp4", "720.mp4", "poster.jpg"]
    small = streams(published / "360.mp4")["video"]
    assert (small["codec_name"], small["width"], small["height"]) == (
        "h264",
        640,
        360,
    )  # never upscaled
    assert get(client, media_url(video, "360.mp4")).status_code == 200
    page = client.get(f"/videos/{video.slug}").get_data(as_text=True)
    assert (
        'id="quality-form"' in page
        and "data-src-360" in page
        and 'id="quality-pending"' not in page
    )


def test_a_learner_who_prefers_light_gets_standard_until_light_exists(
    app, db, client, sources, held
):
    video = service.ingest_path(sources["conforming"])
    learner = make_employee()
    service.set_quality(learner.id, "360")
    login(client, learner)
    page = client.get(f"/videos/{video.slug}").get_data(as_text=True)
    assert f'src="/videos/media/{video.slug}/v1/720.mp4"' in page
    service.run_job(held[0])
    page = client.get(f"/videos/{video.slug}").get_data(as_text=True)
    assert f'src="/videos/media/{video.slug}/v1/360.mp4"' in page


def test_a_silent_source_gets_the_silent_track_with_its_picture_copied(app, db, sources, held):
    video = service.ingest_path(sources["silent"])
    copy = service.version_dir(video) / "720.mp4"
    assert video.jobs[-1].stream_copied
    assert packet_hashes(copy, "v:0") == packet_hashes(sources["silent"], "v:0")
    audio = streams(copy)["audio"]
    assert audio["codec_name"] == "aac" and float(audio["duration"]) == pytest.approx(3.0, abs=0.15)


@pytest.mark.parametrize("name", ["vp9", "full_hd", "mpeg4"])
def test_a_source_that_does_not_fit_is_transcoded_not_copied(app, db, client, sources, held, name):
    video = service.ingest_path(sources[name])
    job = video.jobs[-1]
    assert not video.is_published and job.published_version is None and held == [job.id]
    login(client, make_employee())
    assert client.get(f"/videos/{video.slug}").status_code == 503  # 「準備中」

    job = service.run_job(held[0])
    db.session.refresh(video)
    assert job.state == "done" and not job.stream_copied and video.is_published
    top = streams(service.version_dir(video) / "720.mp4")
    assert (top["video"]["codec_name"], top["audio"]["codec_name"]) == ("h264", "aac")
    assert top["video"]["height"] == min(720, streams(sources[name])["video"]["height"])
    assert packet_hashes(service.version_dir(video) / "720.mp4", "v:0") != packet_hashes(
        sources[name], "v:0"
    )


def test_the_fast_path_can_be_turned_off(app, db, sources, held):
    app.config["VIDEO_PUBLISH_AS_IS"] = False
    video = service.ingest_path(sources["conforming"])
    assert not video.is_published and not video.jobs[-1].stream_copied


def test_job_status_says_published_while_light_is_pending(app, db, client, sources, held):
    video = service.ingest_path(sources["conforming"], actor_id=None)
    job = video.jobs[-1]
    login(client, make_employee(roles=[Role.CONTENT_ADMIN]))
    status = client.get(f"/videos/admin/jobs/{job.id}/status").get_json()
    assert status["state"] == "queued" and status["published"] is True
    assert status["watch_url"] == f"/videos/{video.slug}"
    assert "公開" in status["message"] and "360p" in status["message"]
    assert "元の映像と音声のまま" in client.get(f"/videos/admin/jobs/{job.id}").get_data(
        as_text=True
    )
    assert "軽量版は変換待ち" in client.get("/videos/admin").get_data(as_text=True)
    service.run_job(held[0])
    status = client.get(f"/videos/admin/jobs/{job.id}/status").get_json()
    assert (status["state"], status["progress"]) == ("done", 100.0)


def test_a_failed_light_version_leaves_the_lesson_watchable_and_can_be_retried(
    app, db, sources, held
):
    video = service.ingest_path(sources["conforming"])
    app.config["VIDEO_X264_PRESET"] = "no-such-preset"
    job = service.run_job(held[0])
    assert job.state == "failed" and job.error_code == "transcode"
    db.session.refresh(video)
    assert video.is_published and service.available_qualities(video) == ["720"]
    assert not [p for p in service.video_dir(video.slug).iterdir() if p.name.startswith(".")]

    app.config["VIDEO_X264_PRESET"] = "ultrafast"
    assert service.retry_job(job.id).state == "queued" and held[-1] == job.id
    job = service.run_job(held[-1])
    assert job.state == "done" and job.attempts == 2
    db.session.refresh(video)
    assert video.version == 1 and service.available_qualities(video) == ["720", "360"]


def test_a_newer_source_makes_the_pending_light_version_moot(app, db, sources, held):
    root = Path(app.config["CONTENT_ROOT"])
    folder = make_video_folder(root, "tax-desk-roleplay", sources["conforming"])
    service.ingest_path(folder)
    (folder / "source.mp4").write_bytes(sources["silent"].read_bytes())
    video = service.ingest_path(folder)
    assert video.version == 2 and len(held) == 2
    first = service.run_job(held[0])  # for version 1, which nobody is sent any more
    assert first.state == "done"
    assert sorted(p.name for p in (service.video_dir(video.slug) / "v1").iterdir()) == [
        "720.mp4",
        "poster.jpg",
    ]
    assert service.run_job(held[1]).state == "done"
    assert service.available_qualities(video) == ["720", "360"]


def test_cli_queued_ingest_says_the_video_is_published(app, db, sources, held):
    result = app.test_cli_runner().invoke(
        videos_cli, ["ingest", "--queue", str(sources["conforming"])]
    )
    assert result.exit_code == 0, result.output
    assert "そのまま公開しました" in result.output
