"""Turning a script into ``source.mp4``, ``captions.ja.vtt`` and ``video.yaml``.

The timeline is built in samples of the synthesised audio: each line lasts exactly as long as
its speech plus its pause, and its caption cue spans the measured speech. Cards are stills,
shown from the frame nearest to their start. Encoding uses fixed settings and no metadata or
timestamps, so the same script and settings give the same bytes; an unchanged script is
skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import gettext as _

from app.content.registry import Problem
from app.rendering import cards, engines, tools, tts
from app.rendering.script import Script, Voice, parse

RENDERER_VERSION = "2"
SOURCE_NAME = "source.mp4"
CAPTIONS_NAME = "captions.ja.vtt"
METADATA_NAME = "video.yaml"
SCRIPT_NAME = "script.yaml"

TITLE_SECONDS = 4.0
SETTING_SECONDS = 2.5
END_SECONDS = 7.0
KEY_POINT_PAUSE = 1.2  # after the last key point
KEY_POINT_GAP = 0.4  # between key points
KEY_POINT_HEADING = "ここがポイント"

Progress = Callable[[float, str], None]


class ScriptInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems if p.severity == "error"))


class RenderFailed(RuntimeError):
    pass


@dataclass
class Cue:
    start: float
    end: float
    speaker: str
    text: str


@dataclass
class Segment:
    card: Path
    samples: int  # duration in audio samples
    audio: Path | None = None  # the speech at the start of the segment, or silence


@dataclass
class RenderResult:
    status: str  # "rendered" or "skipped"
    folder: Path
    script_id: str
    duration: float = 0.0
    cues: list[Cue] = field(default_factory=list)
    chapters: list[dict] = field(default_factory=list)
    speech: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of each spoken line


def settings_label(width: int, height: int, fps: int) -> str:
    return f"tsunagu-render/{RENDERER_VERSION} {width}x{height} {fps}fps"


def credit_lines(script: Script) -> list[str]:
    # Each speech engine credits itself and its voices (engines.py).
    return [*script.credits, *engines.credit_lines(script), "登場する人物・事例はすべて架空のものです。"]


def is_up_to_date(folder: Path, sha256: str, label: str | None) -> bool:
    """True when the folder holds a complete render of this script (and, given a label, these settings)."""
    metadata = folder / METADATA_NAME
    if not (metadata.exists() and (folder / SOURCE_NAME).exists() and (folder / CAPTIONS_NAME).exists()):
        return False
    try:
        data = yaml.safe_load(metadata.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, OSError):
        return False
    return data.get("script_sha256") == sha256 and (label is None or data.get("renderer") == label)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _caption_width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def webvtt(cues: list[Cue]) -> str:
    out = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        lines = cards.wrap(cue.text, _caption_width, 28)
        speaker = cue.speaker.replace(">", "").replace("&", "＆")
        body = "\n".join(lines)
        out += [str(number), f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}", f"<v {speaker}>{body}" if speaker else body, ""]
    return "\n".join(out)


def _silence(path: Path, samples: int) -> Path:
    with wave.open(str(path), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(tts.SAMPLE_RATE)
        clip.writeframes(b"\0\0" * samples)
    return path


def _write_audio(segments: list[Segment], out: Path) -> None:
    """One mono 16-bit track: each segment's speech padded with silence to its length."""
    with wave.open(str(out), "wb") as track:
        track.setnchannels(1)
        track.setsampwidth(2)
        track.setframerate(tts.SAMPLE_RATE)
        for segment in segments:
            written = 0
            if segment.audio is not None:
                with wave.open(str(segment.audio), "rb") as clip:
                    frames = clip.readframes(min(clip.getnframes(), segment.samples))
                track.writeframes(frames)
                written = len(frames) // 2
            track.writeframes(b"\0\0" * (segment.samples - written))


def _concat_list(segments: list[Segment], fps: int, out: Path) -> int:
    """The ffmpeg concat list of stills; boundaries fall on the frame nearest each start."""
    lines = ["ffconcat version 1.0"]
    elapsed = 0
    previous_frame = 0
    for segment in segments:
        elapsed += segment.samples
        frame = round(elapsed * fps / tts.SAMPLE_RATE)
        frames = frame - previous_frame
        previous_frame = frame
        if frames <= 0:
            continue
        lines += [f"file '{segment.card.name}'", f"duration {frames / fps:.6f}"]
    lines.append(f"file '{segments[-1].card.name}'")  # the last still must be listed twice
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return previous_frame


def encode_command(concat: Path, audio: Path, out: Path, fps: int, total_frames: int, total: float) -> list[str]:
    return [
        tools.ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-progress", "pipe:1", "-nostats",
        "-f", "concat", "-safe", "0", "-i", str(concat), "-i", str(audio),
        "-map", "0:v:0", "-map", "1:a:0",
        "-vf", f"format=yuv420p,fps={fps}", "-t", f"{max(total_frames / fps, total):.6f}",
        "-c:v", "libx264", "-profile:v", "high", "-preset", "veryfast", "-tune", "stillimage",
        "-crf", "28", "-g", str(fps * 10), "-threads", "2",
        "-c:a", "aac", "-b:a", "64k", "-ar", str(tts.SAMPLE_RATE), "-ac", "1",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart",
        str(out),
    ]


def _run_ffmpeg(args: list[str], total: float, report: Progress, start: float, span: float) -> None:
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, text=True) as process:
            assert process.stdout is not None
            for raw in process.stdout:
                key, _sep, value = raw.strip().partition("=")
                if key == "out_time_us" and value.isdigit() and total > 0:
                    report(start + span * min(1.0, int(value) / 1e6 / total), "encode")
            code = process.wait()
        if code != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace").strip()[-800:]
            raise RenderFailed(_("ffmpeg could not encode the video: %(error)s", error=tail or code))


def render(
    script_path: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    width: int | None = None,
    height: int | None = None,
    fps: int | None = None,
) -> RenderResult:
    """Render ``videos/<id>/script.yaml`` into its folder. Skips an unchanged script."""
    report = progress or (lambda fraction, phase: None)
    width = int(width or tools.setting("RENDER_WIDTH"))
    height = int(height or tools.setting("RENDER_HEIGHT"))
    fps = int(fps or tools.setting("RENDER_FPS"))
    if width % 2 or height % 2:
        raise RenderFailed(_("The width and height must be even numbers."))

    tools.open_jtalk()
    tools.dictionary()
    script, problems = parse(script_path, set(tools.installed_voices()))
    if script is None:
        raise ScriptInvalid(problems)
    problems += engines.check(script, script_path)
    if any(p.severity == "error" for p in problems):
        raise ScriptInvalid(problems)
    tools.check_all({m.voice.file for m in script.cast.values()})
    engines.require(script)

    folder = script_path.parent
    label = settings_label(width, height, fps)
    if not force and is_up_to_date(folder, script.sha256, label):
        report(1.0, "skipped")
        return RenderResult("skipped", folder, script.id)

    report(0.0, "speech")
    painter = cards.CardPainter(width, height)
    result = RenderResult("rendered", folder, script.id)
    rate = tts.SAMPLE_RATE
    with tempfile.TemporaryDirectory(prefix="tsunagu-render-") as tmp:
        work = Path(tmp)
        segments: list[Segment] = []
        elapsed = 0  # samples
        spoken_total = sum(len(scene.lines) + ((1 + len(scene.key_points)) if script.narrator else 0) for scene in script.scenes)
        spoken_done = 0

        def add(card: Path, samples: int, audio: Path | None = None) -> None:
            nonlocal elapsed
            segments.append(Segment(card, samples, audio))
            elapsed += samples

        def speak(text: str, voice: Voice) -> tts.Speech:
            nonlocal spoken_done
            speech = engines.speak(text, voice, work / f"speech{len(segments):04d}.wav")
            spoken_done += 1
            report(0.6 * spoken_done / max(1, spoken_total), "speech")
            return speech

        kicker = f"{_city_name()} 職員研修 ロールプレイ動画"
        add(painter.title(work / "card0000.png", script.title.get("ja", ""), script.title.get("en", ""), kicker), round(TITLE_SECONDS * rate))
        for s_index, scene in enumerate(script.scenes, start=1):
            result.chapters.append({"start": round(elapsed / rate, 3), "title": {"ja": scene.title}})
            card = painter.setting(work / f"card{len(segments):04d}.png", scene.title, scene.setting, f"場面 {s_index}")
            add(card, round(SETTING_SECONDS * rate))
            for line in scene.lines:
                member = script.cast[line.speaker]
                speech = speak(line.spoken, member.voice)
                card = painter.line(work / f"card{len(segments):04d}.png", scene.setting, member.name, member.role, member.colour, line.text)
                start = elapsed / rate
                result.cues.append(Cue(start, start + speech.seconds, member.name, line.caption))
                result.speech.append((start, start + speech.seconds))
                add(card, speech.samples + round(line.pause * rate), speech.path)
            if scene.key_points:
                card = painter.key_points(work / f"card{len(segments):04d}.png", KEY_POINT_HEADING, scene.key_points)
                if script.narrator:
                    # The heading and each point are spoken (and captioned) one by one.
                    narrator = script.cast[script.narrator]
                    pieces = [(KEY_POINT_HEADING + "。", "【" + KEY_POINT_HEADING + "】")]
                    pieces += list(zip(scene.key_point_readings, scene.key_points, strict=True))
                    for index, (reading, caption) in enumerate(pieces):
                        speech = speak(reading, narrator.voice)
                        start = elapsed / rate
                        result.cues.append(Cue(start, start + speech.seconds, narrator.name, caption))
                        result.speech.append((start, start + speech.seconds))
                        pause = KEY_POINT_PAUSE if index == len(pieces) - 1 else KEY_POINT_GAP
                        add(card, speech.samples + round(pause * rate), speech.path)
                else:
                    seconds = 3.0 + 0.15 * sum(len(p) for p in scene.key_points)
                    add(card, round(seconds * rate))
        add(painter.end(work / f"card{len(segments):04d}.png", "ご視聴ありがとうございました", credit_lines(script)), round(END_SECONDS * rate))
        report(0.62, "cards")

        audio = work / "audio.wav"
        _write_audio(segments, audio)
        concat = work / "cards.ffconcat"
        total_frames = _concat_list(segments, fps, concat)
        result.duration = elapsed / rate
        out = work / SOURCE_NAME
        _run_ffmpeg(encode_command(concat, audio, out, fps, total_frames, result.duration), result.duration, report, 0.62, 0.36)

        captions = work / CAPTIONS_NAME
        captions.write_text(webvtt(result.cues), encoding="utf-8")
        metadata = work / METADATA_NAME
        metadata.write_text(video_yaml(script, result.chapters, label), encoding="utf-8")
        # The metadata goes last: a folder whose video.yaml names this script is complete.
        for name in (SOURCE_NAME, CAPTIONS_NAME, METADATA_NAME):
            shutil.copyfile(work / name, folder / (name + ".part"))
            os.replace(folder / (name + ".part"), folder / name)
    report(1.0, "done")
    return result


def _city_name() -> str:
    from flask import current_app, has_app_context

    return current_app.config.get("CITY_NAME", "あわら市") if has_app_context() else "あわら市"


def video_yaml(script: Script, chapters: list[dict], label: str) -> str:
    data: dict = {"id": script.id, "title": dict(script.title)}
    if script.description:
        data["description"] = dict(script.description)
    data.update({
        "source": SOURCE_NAME,
        "captions": {"ja": CAPTIONS_NAME},
        "chapters": chapters,
        "rendered_from": SCRIPT_NAME,
        "script_sha256": script.sha256,
        "renderer": label,
    })
    header = f"# Rendered from {SCRIPT_NAME} by `flask --app app videos render`: edit the script, not this file.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
