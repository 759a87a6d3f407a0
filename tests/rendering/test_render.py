"""Rendering a two-line script: timing, captions, audio, determinism and skipping."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import wave
from pathlib import Path

import pytest
import yaml

from app.rendering import render as render_module
from app.rendering import tts
from app.rendering.render import END_SECONDS, SETTING_SECONDS, TITLE_SECONDS, render
from app.rendering.scenery import SETTINGS
from app.rendering.script import parse
from tests.rendering.conftest import write_script


def probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    assert text.startswith("WEBVTT\n")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        cues.append((seconds(start), seconds(end), "\n".join(lines[2:])))
    return cues


def test_output_is_browser_ready_h264_aac(rendered):
    info = probe(rendered.folder / "source.mp4")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (video["width"], video["height"]) == (320, 180)
    assert audio["codec_name"] == "aac"
    assert "encoder" not in info["format"].get("tags", {})  # no metadata, no timestamps
    head = (rendered.folder / "source.mp4").read_bytes()[:4096]
    assert (
        head.index(b"moov") < head.index(b"mdat") if b"mdat" in head else b"moov" in head
    )  # +faststart


def test_duration_is_speech_plus_pauses(rendered, tmp_path):
    script, _problems = parse(rendered.folder / "script.yaml")
    speech = 0.0
    for scene in script.scenes:
        for n, line in enumerate(scene.lines):
            # Measured again, independently of the renderer's own bookkeeping.
            clip = tts.synthesise(
                line.text, script.cast[line.speaker].voice, tmp_path / f"line{n}.wav"
            )
            with wave.open(str(clip.path)) as check:
                speech += check.getnframes() / check.getframerate()
            speech += line.pause
    expected = TITLE_SECONDS + SETTING_SECONDS + speech + END_SECONDS
    measured = float(probe(rendered.folder / "source.mp4")["format"]["duration"])
    assert abs(measured - expected) <= 0.5
    assert abs(rendered.duration - expected) <= 0.05


def _speech_intervals(path: Path, total: float) -> list[tuple[float, float]]:
    log = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-map",
            "0:a",
            "-af",
            "silencedetect=noise=-45dB:d=0.25",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    starts = [float(x) for x in re.findall(r"silence_start: ([\d.]+)", log)]
    ends = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", log)]
    silences = list(zip(starts, ends + [total] * (len(starts) - len(ends)), strict=True))
    sounding, cursor = [], 0.0
    for start, end in silences:
        if start > cursor:
            sounding.append((cursor, start))
        cursor = end
    if cursor < total:
        sounding.append((cursor, total))
    return sounding


def test_each_caption_overlaps_its_spoken_line(rendered):
    cues = parse_vtt((rendered.folder / "captions.ja.vtt").read_text(encoding="utf-8"))
    assert [c[2] for c in cues] == [
        "<v 山田>こんにちは。ご用件をお聞かせください。",
        "<v 佐藤 キヨ>督促状が届いたんです。",
    ]
    total = float(probe(rendered.folder / "source.mp4")["format"]["duration"])
    sounding = _speech_intervals(rendered.folder / "source.mp4", total)
    assert len(sounding) >= 2
    for start, end, _text in cues:
        overlap = sum(max(0.0, min(end, b) - max(start, a)) for a, b in sounding)
        assert overlap >= 0.6 * (end - start), (start, end, sounding)
    # Each cue starts with its speech and stays up at least as long, into the pause at most.
    for (start, end, _text), (said_from, said_to), line in zip(
        cues, rendered.speech, (0.5, 1.0), strict=True
    ):
        assert round(start, 2) == round(said_from, 2)
        assert said_to - 0.002 <= end <= said_to + line + 0.002
    assert cues[0][1] <= cues[1][0]


def test_audio_is_not_silent(rendered):
    log = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(rendered.folder / "source.mp4"),
            "-map",
            "0:a",
            "-af",
            "volumedetect",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    mean = float(re.search(r"mean_volume: (-?[\d.]+) dB", log).group(1))
    peak = float(re.search(r"max_volume: (-?[\d.]+) dB", log).group(1))
    assert mean > -50 and peak > -20


def test_metadata_for_the_video_pipeline(rendered):
    data = yaml.safe_load((rendered.folder / "video.yaml").read_text(encoding="utf-8"))
    assert data["id"] == "two-lines"
    assert data["title"] == {"ja": "二行の確認", "en": "Two lines"}
    # The script's description, then what the pictures show, scene by scene.
    assert data["description"]["ja"] == (
        "試験用の短い台本です。\n\n映像の説明：\n場面1「窓口で」："
        + SETTINGS["tax-counter"].alt
        + "登場する人：山田（税務課 職員）は茶色の髪で、青の服を着ています。首から職員証を下げています。"
        "佐藤 キヨ（住民）は黒髪で、緑の服を着ています。"
    )
    assert data["source"] == "source.mp4" and data["captions"] == {"ja": "captions.ja.vtt"}
    assert data["chapters"] == [{"start": TITLE_SECONDS, "title": {"ja": "窓口で"}}]
    assert data["rendered_from"] == "script.yaml"
    assert (
        data["script_sha256"]
        == hashlib.sha256((rendered.folder / "script.yaml").read_bytes()).hexdigest()
    )


def test_progress_is_reported_through_every_phase(rendered):
    phases = [p for _f, p in rendered.phases]
    assert {"speech", "cards", "encode", "done"} <= set(phases)
    fractions = [f for f, _p in rendered.phases]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_same_script_gives_the_same_bytes_and_unchanged_is_skipped(tmp_path):
    path = write_script(tmp_path)
    first = render(path, width=320, height=180, fps=10)
    digest = hashlib.sha256((path.parent / "source.mp4").read_bytes()).hexdigest()
    captions = (path.parent / "captions.ja.vtt").read_bytes()
    assert first.status == "rendered"

    assert render(path, width=320, height=180, fps=10).status == "skipped"

    again = render(path, width=320, height=180, fps=10, force=True)
    assert again.status == "rendered"
    assert hashlib.sha256((path.parent / "source.mp4").read_bytes()).hexdigest() == digest
    assert (path.parent / "captions.ja.vtt").read_bytes() == captions

    # Other settings make another video; a changed script is rendered again.
    assert not render_module.is_up_to_date(
        path.parent, first_sha(path), render_module.settings_label(256, 144, 10)
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace("pause: 1.0", "pause: 2.0"), encoding="utf-8"
    )
    changed = render(path, width=320, height=180, fps=10)
    assert changed.status == "rendered"
    assert changed.duration == pytest.approx(first.duration + 1.0, abs=0.01)


def first_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_key_points_are_read_by_the_narrator(tmp_path):
    text = (
        write_script.__defaults__[0].replace(
            "cast:\n",
            "narrator: ナレーション\ncast:\n  ナレーション:\n    name: ナレーション\n    voice: {file: mei_normal}\n",
            1,
        )
        + "    key_points: [手続きだけで終わらせない]\n"
    )
    path = write_script(tmp_path, text)
    result = render(path, width=320, height=180, fps=10)
    assert [c.text for c in result.cues[-2:]] == ["【ここがポイント】", "手続きだけで終わらせない"]
    assert {c.speaker for c in result.cues[-2:]} == {"ナレーション"}
    assert result.cues[-2].end <= result.cues[-1].start


def test_odd_sizes_are_refused(tmp_path):
    with pytest.raises(render_module.RenderFailed):
        render(write_script(tmp_path), width=321, height=180, fps=10)
