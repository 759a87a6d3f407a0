"""The shipped starter videos: rendered from the current scripts, browser-ready, 2–5 minutes, captions to Japanese practice."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from app.rendering.captions import LINE_WIDTH, MAX_CPS, MAX_LINES, counted, width
from app.rendering.render import is_up_to_date, settings_label
from app.rendering.script import file_sha256, parse
from app.videos.media import parse_captions

ROOT = Path(__file__).resolve().parents[2]
STARTERS = ["tax-desk-roleplay", "water-desk-roleplay", "after-referral"]


@pytest.mark.parametrize("video_id", STARTERS)
def test_starter_video_matches_its_script(video_id):
    folder = ROOT / "videos" / video_id
    script, problems = parse(folder / "script.yaml")
    assert script is not None, [str(p) for p in problems]
    # The script, the pronunciation dictionary and the renderer must all match the render.
    dictionary = file_sha256(ROOT / "videos" / "pronunciation.yaml")
    assert is_up_to_date(
        folder, file_sha256(folder / "script.yaml"), settings_label(1280, 720, 25), dictionary
    ), f"videos/{video_id} is stale: run flask --app app videos render {video_id}"
    metadata = yaml.safe_load((folder / "video.yaml").read_text(encoding="utf-8"))
    assert metadata["id"] == video_id and metadata["title"]["ja"] and metadata["description"]["ja"]
    assert [c["title"]["ja"] for c in metadata["chapters"]] == [s.title for s in script.scenes]

    info = json.loads(
        subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_format",
                "-show_streams",
                "-of",
                "json",
                str(folder / "source.mp4"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (
        video["codec_name"],
        video["profile"],
        video["pix_fmt"],
        video["width"],
        video["height"],
    ) == ("h264", "High", "yuv420p", 1280, 720)
    assert audio["codec_name"] == "aac"
    assert 120 <= float(info["format"]["duration"]) <= 300  # two to five minutes
    assert (folder / "source.mp4").stat().st_size < 6 * 1024 * 1024

    # Captions to Japanese practice: every spoken line captioned, ≤ 2 lines of ≤ 20 characters,
    # ≤ 6 characters a second (punctuation and speaker tags not counted).
    cues = parse_captions((folder / "captions.ja.vtt").read_text(encoding="utf-8"), srt=False)
    spoken = sum(
        len(s.lines) + ((1 + len(s.key_points)) if s.key_points else 0) for s in script.scenes
    )
    assert len(cues) >= spoken
    for cue in cues:
        lines = re.sub(r"<[^>]+>", "", cue.text).split("\n")
        assert len(lines) <= MAX_LINES and all(width(line) <= LINE_WIDTH for line in lines), cue
        assert counted("".join(lines)) / (cue.end - cue.start) <= MAX_CPS + 0.05, cue
