"""Real media made on the fly by ffmpeg (lavfi testsrc2 / sine), shared by the video tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip("ffmpeg is not installed (apt-get install ffmpeg)", allow_module_level=True)


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


X264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


def make_clip(
    path: Path,
    *,
    size="320x180",
    seconds=2,
    audio=True,
    rate=25,
    video_args=X264,
    audio_args=("-c:a", "aac"),
) -> Path:
    """testsrc2 picture and (unless ``audio`` is false) a sine tone, encoded as the args say."""
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    ffmpeg(*inputs, *video_args, *([*audio_args, "-shortest"] if audio else []), str(path))
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    normal = make_clip(folder / "normal.mp4")
    silent = make_clip(folder / "silent.mp4", audio=False)
    portrait = make_clip(folder / "portrait.mp4", size="180x320", audio=False)
    other = make_clip(folder / "other.mp4", size="320x180", seconds=3)
    corrupt = folder / "corrupt.mp4"
    corrupt.write_bytes(normal.read_bytes()[: len(normal.read_bytes()) // 3])  # moov atom lost
    text = folder / "notes.mp4"
    text.write_text("これは動画ではありません。\n" * 50, encoding="utf-8")
    sound = folder / "sound.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", str(sound))
    return {
        "normal": normal,
        "silent": silent,
        "portrait": portrait,
        "other": other,
        "corrupt": corrupt,
        "text": text,
        "sound": sound,
    }


JA_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n納税の相談ですね。\n\n00:00:01.000 --> 00:00:02.000\nどうぞおかけください。\n"
EN_SRT = "1\n00:00:00,000 --> 00:00:01,000\nA tax consultation & more <i>today</i>.\n\n2\n00:00:01,000 --> 00:00:02,000\nPlease sit down.\n"


def make_video_folder(
    root: Path, slug: str, clip: Path, *, yaml_text: str | None = None, captions=True
) -> Path:
    folder = root / "videos" / slug
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(clip, folder / "source.mp4")
    if captions:
        (folder / "captions.ja.vtt").write_text(JA_VTT, encoding="utf-8")
        (folder / "captions.en.srt").write_text(EN_SRT, encoding="utf-8")
    (folder / "video.yaml").write_text(
        yaml_text
        or (
            f"id: {slug}\n"
            'title: {ja: "納税相談の窓口で", en: "At the tax desk"}\n'
            'description: {ja: "滞納の背景に気づく"}\n'
            "source: source.mp4\n"
            "captions:\n  ja: captions.ja.vtt\n  en: captions.en.srt\n"
            'chapters:\n  - {at: "0:00", title: {ja: "窓口で"}}\n  - {at: "0:01", title: {ja: "声をかける"}}\n'
            "completion_threshold: 0.8\n"
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(autouse=True)
def video_settings(request, tmp_path):
    """Each test has its own MEDIA_ROOT; transcodes use the fastest x264 preset (the
    pipeline is otherwise the real one)."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.config["VIDEO_X264_PRESET"] = "ultrafast"
        app.config["MEDIA_ROOT"] = tmp_path / "media"
        app.config["CONTENT_ROOT"] = tmp_path / "content"
    yield


@pytest.fixture
def published(app, clips):
    """A published video with Japanese and English captions (2 s, 320x180, with sound)."""
    from app.videos import service

    root = Path(app.config["CONTENT_ROOT"])
    folder = make_video_folder(root, "tax-desk-roleplay", clips["normal"])
    video = service.ingest_path(folder, wait=True)
    assert video.is_published
    return video
