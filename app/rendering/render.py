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
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import gettext as _

from app.content.registry import Problem
from app.rendering import captions, engines, frontend, pronunciation, scenery, scenes, tools, tts
from app.rendering.script import DEFAULT_ENGINE, KEY_POINT_HEADING, Script, Voice, parse

RENDERER_VERSION = "3"
SOURCE_NAME = "source.mp4"
CAPTIONS_NAME = "captions.ja.vtt"
METADATA_NAME = "video.yaml"
SCRIPT_NAME = "script.yaml"

TITLE_SECONDS = 4.0
SETTING_SECONDS = 2.5
END_SECONDS = 7.0

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
    lines: tuple[str, ...] = ()  # as shown: at most two (see captions.py)
    source_line: int = 0  # the script line it was said on


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
    speech: list[tuple[float, float]] = field(
        default_factory=list
    )  # (start, end) of each spoken line
    spoken: list[str] = field(default_factory=list)  # what the voice was given for each line


def settings_label(width: int, height: int, fps: int) -> str:
    return f"tsunagu-render/{RENDERER_VERSION} {width}x{height} {fps}fps"


def credit_lines(script: Script) -> list[str]:
    # Each speech engine credits itself and its voices (engines.py).
    return [
        *script.credits,
        *engines.credit_lines(script),
        "登場する人物・事例はすべて架空のものです。",
    ]


def rendered_metadata(folder: Path) -> dict | None:
    """The rendered ``video.yaml`` of a complete render in ``folder``, else None."""
    metadata = folder / METADATA_NAME
    if not (
        metadata.exists() and (folder / SOURCE_NAME).exists() and (folder / CAPTIONS_NAME).exists()
    ):
        return None
    try:
        data = yaml.safe_load(metadata.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, OSError):
        return None
    return data if isinstance(data, dict) else None


def is_up_to_date(
    folder: Path, sha256: str, label: str | None, pronunciation_sha256: str | None = None
) -> bool:
    """True when the folder holds a complete render of this script (and, given a label, these
    settings; given the dictionary's digest, this pronunciation dictionary). A render made
    before the dictionary existed records no digest and is not judged by it."""
    data = rendered_metadata(folder)
    if data is None:
        return False
    recorded = data.get("pronunciation_sha256")
    return (
        data.get("script_sha256") == sha256
        and (label is None or data.get("renderer") == label)
        and (pronunciation_sha256 is None or recorded is None or recorded == pronunciation_sha256)
    )


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def webvtt(cues: list[Cue]) -> str:
    out = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        lines = cue.lines or (cue.text,)
        speaker = cue.speaker.replace(">", "").replace("&", "＆")
        body = "\n".join(lines)
        out += [
            str(number),
            f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}",
            f"<v {speaker}>{body}" if speaker else body,
            "",
        ]
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


def encode_command(
    concat: Path, audio: Path, out: Path, fps: int, total_frames: int, total: float
) -> list[str]:
    return [
        tools.ffmpeg(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-progress",
        "pipe:1",
        "-nostats",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(concat),
        "-i",
        str(audio),
        "-map",
        "0:v:0",
        "-map",
        "1:a:0",
        "-vf",
        f"format=yuv420p,fps={fps}",
        "-t",
        f"{max(total_frames / fps, total):.6f}",
        "-c:v",
        "libx264",
        "-profile:v",
        "high",
        "-preset",
        "veryfast",
        "-tune",
        "stillimage",
        "-crf",
        "28",
        "-g",
        str(fps * 10),
        "-threads",
        "2",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-ar",
        str(tts.SAMPLE_RATE),
        "-ac",
        "1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-movflags",
        "+faststart",
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
            raise RenderFailed(
                _("ffmpeg could not encode the video: %(error)s", error=tail or code)
            )


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
    script, dictionary = _checked_script(script_path)

    folder = script_path.parent
    label = settings_label(width, height, fps)
    if art := scenery.assets_digest(script):
        label += f" art:{art}"  # the city's images: replacing one renders again
    if not force and is_up_to_date(folder, script.sha256, label, dictionary.sha256):
        report(1.0, "skipped")
        return RenderResult("skipped", folder, script.id)

    report(0.0, "speech")
    result = RenderResult("rendered", folder, script.id)
    with tempfile.TemporaryDirectory(prefix="tsunagu-render-") as tmp:
        work = Path(tmp)
        track = _Track(
            work, script, dictionary, scenes.ScenePainter(width, height, script), result, report
        )
        track.title_card()
        for s_index, scene in enumerate(script.scenes, start=1):
            track.scene(s_index, scene)
        track.end_card()
        report(0.62, "cards")

        audio = work / "audio.wav"
        _write_audio(track.segments, audio)
        concat = work / "cards.ffconcat"
        total_frames = _concat_list(track.segments, fps, concat)
        result.duration = track.elapsed / track.rate
        out = work / SOURCE_NAME
        _run_ffmpeg(
            encode_command(concat, audio, out, fps, total_frames, result.duration),
            result.duration,
            report,
            0.62,
            0.36,
        )

        captions_file = work / CAPTIONS_NAME
        captions_file.write_text(webvtt(result.cues), encoding="utf-8")
        metadata = work / METADATA_NAME
        metadata.write_text(
            video_yaml(script, result.chapters, label, dictionary.sha256), encoding="utf-8"
        )
        # The metadata goes last: a folder whose video.yaml names this script is complete.
        for name in (SOURCE_NAME, CAPTIONS_NAME, METADATA_NAME):
            shutil.copyfile(work / name, folder / (name + ".part"))
            os.replace(folder / (name + ".part"), folder / name)
    report(1.0, "done")
    return result


def _checked_script(script_path: Path) -> tuple[Script, pronunciation.Dictionary]:
    """The script and its pronunciation dictionary, once the tools and both files pass."""
    tools.open_jtalk()
    tools.dictionary()
    script, problems = parse(script_path, set(tools.installed_voices()))
    if script is None:
        raise ScriptInvalid(problems)
    dictionary, dictionary_problems = pronunciation.load(pronunciation.beside(script_path))
    problems += dictionary_problems + engines.check(script, script_path)
    if dictionary is None or any(p.severity == "error" for p in problems):
        raise ScriptInvalid(problems)
    tools.check_all({m.voice.file for m in script.cast.values()})
    engines.require(script)
    return script, dictionary


class _Track:
    """The cards and speech of one video, made in order: each card is shown for its segment."""

    def __init__(
        self,
        work: Path,
        script: Script,
        dictionary: pronunciation.Dictionary,
        painter: scenes.ScenePainter,
        result: RenderResult,
        report: Progress,
    ):
        self.work, self.script, self.dictionary = work, script, dictionary
        self.painter, self.result, self.report = painter, result, report
        self.engine = frontend.open_jtalk()
        self.voice_dictionary = dictionary.for_engine(self.engine)
        self.rate = tts.SAMPLE_RATE
        self.segments: list[Segment] = []
        self.elapsed = 0  # samples
        self.spoken_total = sum(len(script.utterances(scene)) for scene in script.scenes)
        self.spoken_done = 0

    def next_card(self) -> Path:
        return self.work / f"card{len(self.segments):04d}.png"

    def add(self, card: Path, samples: int, audio: Path | None = None) -> None:
        self.segments.append(Segment(card, samples, audio))
        self.elapsed += samples

    def speak(self, text: str, voice: Voice) -> tts.Speech:
        speech = engines.speak(text, voice, self.work / f"speech{len(self.segments):04d}.wav")
        self.spoken_done += 1
        self.report(0.6 * self.spoken_done / max(1, self.spoken_total), "speech")
        return speech

    def title_card(self) -> None:
        kicker = f"{_city_name()} 職員研修 ロールプレイ動画"
        title = self.script.title
        card = self.painter.title(
            self.work / "card0000.png", title.get("ja", ""), title.get("en", ""), kicker
        )
        self.add(card, round(TITLE_SECONDS * self.rate))

    def end_card(self) -> None:
        card = self.painter.end(
            self.next_card(), "ご視聴ありがとうございました", credit_lines(self.script)
        )
        self.add(card, round(END_SECONDS * self.rate))

    def scene(self, s_index: int, scene) -> None:
        self.result.chapters.append(
            {"start": round(self.elapsed / self.rate, 3), "title": {"ja": scene.title}}
        )
        card = self.painter.scene_opening(self.next_card(), scene, f"場面 {s_index}")
        self.add(card, round(SETTING_SECONDS * self.rate))
        points_card = None
        if scene.key_points:
            points_card = self.painter.key_points(
                self.work / f"points{s_index:02d}.png", KEY_POINT_HEADING, scene.key_points
            )
        frames: dict[str, Path] = {}  # one frame per speaker: the words are in the captions only
        for line in self.script.utterances(scene):
            speech = self.line(line)
            if line.key_point:
                card = points_card
            else:
                if line.speaker not in frames:
                    frames[line.speaker] = self.painter.scene_line(
                        self.next_card(), scene, line.speaker
                    )
                card = frames[line.speaker]
            self.add(card, speech.samples + round(line.pause * self.rate), speech.path)
        if scene.key_points and not self.script.narrator:
            seconds = 3.0 + 0.15 * sum(len(p) for p in scene.key_points)
            self.add(points_card, round(seconds * self.rate))

    def line(self, line) -> tts.Speech:
        """Speak one line and time its captions from where the track stands."""
        member = self.script.cast[line.speaker]
        # Open JTalk gets only the terms it misreads (the rest keep its accent); another
        # engine gets every term of the dictionary.
        said_with = (
            self.voice_dictionary
            if engines.engine_for(member.voice).name == DEFAULT_ENGINE
            else self.dictionary
        )
        result = self.result
        result.spoken.append(said_with.spoken(line.text, line.reading))
        speech = self.speak(result.spoken[-1], member.voice)
        start = self.elapsed / self.rate
        for cue in captions.cues_for(
            line.caption,
            self.engine,
            self.dictionary,
            start,
            speech.seconds,
            speech.seconds + line.pause,
        ):
            result.cues.append(
                Cue(cue.start, cue.end, member.name, cue.text, cue.lines, line.source_line)
            )
        result.speech.append((start, start + speech.seconds))
        return speech


def _city_name() -> str:
    from flask import current_app, has_app_context

    return current_app.config.get("CITY_NAME", "あわら市") if has_app_context() else "あわら市"


def video_yaml(
    script: Script, chapters: list[dict], label: str, pronunciation_sha256: str = ""
) -> str:
    data: dict = {"id": script.id, "title": dict(script.title)}
    description = dict(script.description)
    # What the pictures show, for viewers who do not see them (the words are in the captions).
    pictures = "\n".join(["映像の説明：", *scenery.scene_descriptions(script)])
    description["ja"] = description["ja"] + "\n\n" + pictures if description.get("ja") else pictures
    data["description"] = description
    data.update(
        {
            "source": SOURCE_NAME,
            "captions": {"ja": CAPTIONS_NAME},
            "chapters": chapters,
            "rendered_from": SCRIPT_NAME,
            "script_sha256": script.sha256,
            "renderer": label,
            "pronunciation_sha256": pronunciation_sha256,
        }
    )
    header = f"# Rendered from {SCRIPT_NAME} by `flask --app app videos render`: edit the script, not this file.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
