"""The shipped starter videos: rendered from the current scripts, browser-ready, 2–4 minutes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from app.rendering.render import is_up_to_date
from app.rendering.script import file_sha256, parse

ROOT = Path(__file__).resolve().parents[2]
STARTERS = ["tax-desk-roleplay", "water-desk-roleplay", "after-referral"]


@pytest.mark.parametrize("video_id", STARTERS)
def test_starter_video_matches_its_script(video_id):
    folder = ROOT / "videos" / video_id
    script, problems = parse(folder / "script.yaml")
    assert script is not None, [str(p) for p in problems]
    # The script must match; the renderer's version may be older until the starters are
    # rendered again (scene frames came with renderer 3): `videos render --all` does that.
    assert is_up_to_date(folder, file_sha256(folder / "script.yaml"), None), (
        f"videos/{video_id} is stale: run flask --app app videos render {video_id}"
    )
    metadata = yaml.safe_load((folder / "video.yaml").read_text(encoding="utf-8"))
    assert metadata["id"] == video_id and metadata["title"]["ja"] and metadata["description"]["ja"]
    assert [c["title"]["ja"] for c in metadata["chapters"]] == [s.title for s in script.scenes]

    info = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(folder / "source.mp4")],
        capture_output=True, text=True, check=True,
    ).stdout)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["profile"], video["pix_fmt"], video["width"], video["height"]) == ("h264", "High", "yuv420p", 1280, 720)
    assert audio["codec_name"] == "aac"
    assert 120 <= float(info["format"]["duration"]) <= 240
    assert (folder / "source.mp4").stat().st_size < 6 * 1024 * 1024

    captions = (folder / "captions.ja.vtt").read_text(encoding="utf-8")
    spoken = sum(len(s.lines) + ((1 + len(s.key_points)) if s.key_points else 0) for s in script.scenes)
    assert captions.startswith("WEBVTT") and captions.count(" --> ") == spoken
