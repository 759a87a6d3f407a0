"""The ffmpeg side of video lessons: probing a source, the one-pass transcode, captions.

Everything here works on files only (no database), so that the command the portal runs can be
rebuilt and timed on its own (``benchmarks/bench_video_ingest.py``).
"""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
from flask_babel import lazy_gettext as _l

# Refusal codes; the service turns them into translated messages.
TOO_LARGE = "too_large"
TOO_LONG = "too_long"
NOT_A_VIDEO = "not_a_video"
CORRUPT = "corrupt"
NO_VIDEO_STREAM = "no_video_stream"
FFMPEG_MISSING = "ffmpeg_missing"
DISK_FULL = (
    "disk_full"  # MEDIA_ROOT has less than MEDIA_MIN_FREE_MB free, or ffmpeg ran out of space
)

# Container signatures: a file that starts like media but does not probe is corrupt, anything
# else that does not probe is simply not a video.
_MEDIA_MAGIC = (
    (4, b"ftyp"),  # MP4 / MOV / 3GP
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska / WebM
    (0, b"RIFF"),  # AVI / WAV
    (0, b"OggS"),
    (0, b"FLV"),
    (0, b"\x00\x00\x01\xba"),  # MPEG-PS
    (0, b"\x47"),  # MPEG-TS sync byte (checked with the extension below)
    (0, b"\x30\x26\xb2\x75"),  # ASF / WMV
)
MEDIA_EXTENSIONS = {
    ".mp4",
    ".m4v",
    ".mov",
    ".mkv",
    ".webm",
    ".avi",
    ".mpg",
    ".mpeg",
    ".ts",
    ".wmv",
    ".flv",
    ".3gp",
    ".ogv",
}
# Still-image and text "video" codecs ffprobe reports for files that are not moving pictures.
_NOT_MOVING = {
    "png",
    "bmp",
    "gif",
    "webp",
    "tiff",
    "ansi",
    "bintext",
    "xbin",
    "idf",
    "tty",
    "apng",
    "jpegls",
}
_IMAGE_FORMATS = {
    "image2",
    "png_pipe",
    "jpeg_pipe",
    "bmp_pipe",
    "gif",
    "webp_pipe",
    "tiff_pipe",
    "tty",
    "svg_pipe",
}


class MediaRefused(Exception):
    """A source the portal will not ingest, with a code from the constants above."""

    def __init__(self, code: str, detail: str = "", **values):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.values = values


class TranscodeFailed(Exception):
    def __init__(self, stderr_tail: str, returncode: int | None = None):
        super().__init__(stderr_tail)
        self.stderr_tail = stderr_tail
        self.returncode = returncode


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int  # as displayed (rotation and pixel aspect applied)
    height: int
    has_audio: bool
    video_codec: str
    format_name: str
    # What decides whether the source can be published as it is (see top_rendition_mismatches).
    video_profile: str = ""
    pixel_format: str = ""
    frame_rate: float = 0.0  # average frames per second
    audio_codec: str = ""  # of the first audio stream; "" without sound
    bit_rate: int = 0  # of the whole file, bits per second
    square_pixels: bool = True
    rotation: int = 0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _looks_like_media(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    for offset, magic in _MEDIA_MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return magic != b"\x47" or path.suffix.lower() in {".ts", ".mts", ".m2ts"}
    return False


def _rotation(stream: dict) -> int:
    rotate = stream.get("tags", {}).get("rotate")
    for side in stream.get("side_data_list", []) or []:
        if "rotation" in side:
            rotate = side["rotation"]
    try:
        return int(float(rotate or 0)) % 360
    except ValueError:
        return 0


def _ratio(text: str | None) -> float:
    if not text or ":" not in text:
        return 1.0
    num, _, den = text.partition(":")
    try:
        value = float(num) / float(den)
    except (ValueError, ZeroDivisionError):
        return 1.0
    return value if value > 0 else 1.0


def _frame_rate(stream: dict) -> float:
    for key in ("avg_frame_rate", "r_frame_rate"):
        num, _, den = (stream.get(key) or "0/0").partition("/")
        try:
            value = float(num) / float(den or 1)
        except (ValueError, ZeroDivisionError):
            continue
        if value > 0:
            return value
    return 0.0


def _bit_rate(fmt: dict, size: int, duration: float) -> int:
    try:
        return int(fmt.get("bit_rate") or 0) or int(size * 8 / duration)
    except ValueError:
        return int(size * 8 / duration)


def probe(path: Path, *, max_bytes: int | None = None, max_seconds: float | None = None) -> Probe:
    """Probe ``path`` with ffprobe; raise :class:`MediaRefused` for anything not ingestible."""
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise MediaRefused(TOO_LARGE, limit_mb=max(1, max_bytes // (1024 * 1024)))
    if size == 0:
        raise MediaRefused(NOT_A_VIDEO)
    try:
        info = ffmpeg.probe(str(path))
    except FileNotFoundError:
        raise MediaRefused(FFMPEG_MISSING) from None
    except ffmpeg.Error as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace")[-2000:]
        raise MediaRefused(CORRUPT if _looks_like_media(path) else NOT_A_VIDEO, detail) from None
    fmt = info.get("format", {})
    streams = info.get("streams", [])
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    format_name = fmt.get("format_name", "")
    if not videos:
        if audios:
            raise MediaRefused(NO_VIDEO_STREAM)
        raise MediaRefused(NOT_A_VIDEO)
    stream = videos[0]
    if stream.get("codec_name") in _NOT_MOVING or format_name in _IMAGE_FORMATS:
        raise MediaRefused(NOT_A_VIDEO)
    try:
        duration = float(fmt.get("duration") or stream.get("duration") or 0)
    except ValueError:
        duration = 0.0
    if not math.isfinite(duration) or duration <= 0:
        raise MediaRefused(CORRUPT if _looks_like_media(path) else NOT_A_VIDEO)
    if max_seconds is not None and duration > max_seconds:
        raise MediaRefused(TOO_LONG, limit_minutes=max(1, int(max_seconds // 60)))
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    if width <= 0 or height <= 0:
        raise MediaRefused(CORRUPT)
    pixel_aspect = _ratio(stream.get("sample_aspect_ratio"))
    width = round(width * pixel_aspect)
    rotation = _rotation(stream)
    if rotation in (90, 270):
        width, height = height, width
    return Probe(
        duration,
        width,
        height,
        bool(audios),
        stream.get("codec_name", ""),
        format_name,
        video_profile=stream.get("profile", ""),
        pixel_format=stream.get("pix_fmt", ""),
        frame_rate=_frame_rate(stream),
        audio_codec=audios[0].get("codec_name", "") if audios else "",
        bit_rate=_bit_rate(fmt, size, duration),
        square_pixels=pixel_aspect == 1.0,
        rotation=rotation,
    )


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def rendition_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Scale so the shorter side is ``short_side`` (never upscale), both sides even.

    Portrait sources keep their shape: a 1080x1920 phone video becomes 720x1280 at 「標準」.
    """
    scale = min(1.0, short_side / min(width, height))
    return _even(width * scale), _even(height * scale)


# --- publishing a source as it is -------------------------------------------------------------

# H.264 profiles every browser decodes (not High 10, 4:2:2 or 4:4:4).
BROWSER_H264_PROFILES = frozenset({"Constrained Baseline", "Baseline", "Main", "High"})
MAX_COPY_FRAME_RATE = 60.5  # 59.94 and 60 fps sources pass


def top_rendition_mismatches(info: Probe, *, short_side: int, max_kbps: int) -> list[str]:
    """Why the source described by ``info`` cannot be published as it is as the top rendition.

    An empty list means it can: its streams already are what the transcode would make of it —
    H.264 in a profile browsers play, 8-bit 4:2:0 (``yuv420p``), AAC sound (or no sound: it
    then gets the same silent AAC track as a transcode), no larger than the rendition
    (``short_side``, even sides, square pixels, no rotation), in an MP4/MOV container, at a
    steady frame rate, and at most ``max_kbps`` (so an over-sized camera file is still
    re-encoded for the network).
    """
    reasons = []
    if not {"mov", "mp4"} & set(info.format_name.split(",")):
        reasons.append(f"container {info.format_name or '?'}")
    if info.video_codec != "h264":
        reasons.append(f"video codec {info.video_codec or '?'}")
    elif info.video_profile not in BROWSER_H264_PROFILES:
        reasons.append(f"H.264 profile {info.video_profile or '?'}")
    if info.pixel_format != "yuv420p":
        reasons.append(f"pixel format {info.pixel_format or '?'}")
    if info.has_audio and info.audio_codec != "aac":
        reasons.append(f"audio codec {info.audio_codec or '?'}")
    if not info.square_pixels or info.rotation:
        reasons.append("non-square pixels or rotation")
    if rendition_size(info.width, info.height, short_side) != (info.width, info.height):
        reasons.append(f"size {info.width}x{info.height}")
    if not 1 <= info.frame_rate <= MAX_COPY_FRAME_RATE:
        reasons.append(f"frame rate {info.frame_rate:g}")
    if info.bit_rate > max_kbps * 1000:
        reasons.append(f"bit rate {info.bit_rate // 1000} kb/s")
    return reasons


def meets_top_rendition_spec(info: Probe, *, short_side: int, max_kbps: int) -> bool:
    """True when the source can be published as the top rendition by stream copy."""
    return not top_rendition_mismatches(info, short_side=short_side, max_kbps=max_kbps)


def poster_time(duration: float) -> float:
    return min(1.0, duration / 4)


def _silent_audio(duration: float):
    return ffmpeg.input(
        "anullsrc=channel_layout=stereo:sample_rate=48000", f="lavfi", t=f"{duration:.3f}"
    ).audio


# The sound every published file carries when it is encoded here.
_AAC = {"c:a": "aac", "b:a": "96k", "ac": 2, "ar": 48000}


def _compile(outputs, ffmpeg_bin: str) -> list[str]:
    command = ffmpeg.merge_outputs(*outputs).global_args(
        "-hide_banner", "-nostdin", "-progress", "pipe:1", "-nostats"
    )
    return command.overwrite_output().compile(cmd=ffmpeg_bin)


def build_copy_command(
    source: Path, target: Path, info: Probe, *, ffmpeg_bin: str = "ffmpeg"
) -> list[str]:
    """The source's first video and audio streams copied (no re-encode) into ``target``.

    ``+faststart`` moves the index (``moov``) before the media data, so the browser can start
    playing before the whole file arrived. A source without sound gets the transcode's silent
    AAC track (encoding silence takes no time).
    """
    stream = ffmpeg.input(str(source))
    if info.has_audio:
        audio, audio_args = stream["a:0"], {"c:a": "copy"}
    else:
        audio, audio_args = _silent_audio(info.duration), {**_AAC, "shortest": None}
    output = ffmpeg.output(
        stream["v:0"],
        audio,
        str(target),
        **{"c:v": "copy", **audio_args, "map_metadata": -1, "movflags": "+faststart", "f": "mp4"},
    )
    return _compile([output], ffmpeg_bin)


def build_poster_command(
    source: Path, target: Path, at: float, *, ffmpeg_bin: str = "ffmpeg"
) -> list[str]:
    """One JPEG frame at ``at`` seconds (decoding from the keyframe before it only)."""
    frame = ffmpeg.input(str(source), ss=f"{at:.3f}").video.filter("setsar", 1)
    return _compile(
        [ffmpeg.output(frame, str(target), vframes=1, **{"q:v": 3, "f": "image2", "update": 1})],
        ffmpeg_bin,
    )


# --- the transcode --------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one transcode makes: ``outputs`` maps a rendition name to (width, height); the
    poster is left out when the version already has one."""

    source: Path
    out_dir: Path
    duration: float
    has_audio: bool
    outputs: dict[str, tuple[int, int]]
    poster_at: float
    poster: bool = True


def plan(
    source: Path, out_dir: Path, info: Probe, renditions: dict[str, int], *, poster: bool = True
) -> Plan:
    outputs = {
        name: rendition_size(info.width, info.height, short) for name, short in renditions.items()
    }
    return Plan(
        source,
        out_dir,
        info.duration,
        info.has_audio,
        outputs,
        poster_at=poster_time(info.duration),
        poster=poster,
    )


def build_command(
    p: Plan, *, preset: str = "veryfast", crf: int = 23, ffmpeg_bin: str = "ffmpeg"
) -> list[str]:
    """The single ffmpeg pass: every rendition (H.264/AAC, +faststart) and the poster JPEG.

    A source without audio gets a silent AAC track, so that every published file has the
    same shape and players behave the same.
    """
    source = ffmpeg.input(str(p.source))
    video = source.video.filter_multi_output("split", len(p.outputs) + int(p.poster))
    audio_in = source.audio if p.has_audio else _silent_audio(p.duration)
    audio = audio_in.filter_multi_output("asplit", len(p.outputs))
    outputs = []
    for index, (name, (width, height)) in enumerate(p.outputs.items()):
        scaled = video[index].filter("scale", width, height).filter("setsar", 1)
        outputs.append(
            ffmpeg.output(
                scaled,
                audio[index],
                str(p.out_dir / f"{name}.mp4"),
                **{
                    "c:v": "libx264",
                    "preset": preset,
                    "crf": crf,
                    "profile:v": "high",
                    "pix_fmt": "yuv420p",
                    **_AAC,
                    "movflags": "+faststart",
                    "shortest": None,
                    "f": "mp4",
                },
            )
        )
    if p.poster:
        big = max(p.outputs.values())
        poster = (
            video[len(p.outputs)]
            .filter("select", f"gte(t,{p.poster_at:.3f})")
            .filter("scale", big[0], big[1])
            .filter("setsar", 1)
        )
        outputs.append(
            ffmpeg.output(
                poster,
                str(p.out_dir / "poster.jpg"),
                vframes=1,
                **{"q:v": 3, "f": "image2", "update": 1},
            )
        )
    return _compile(outputs, ffmpeg_bin)


_OUT_TIME = re.compile(r"^out_time_(?:us|ms)=(\d+)$")


def run(
    command: list[str],
    duration: float,
    on_progress: Callable[[float], None] | None = None,
    stderr_lines: int = 40,
    on_start: Callable[[int], None] | None = None,
) -> None:
    """Run ffmpeg, calling ``on_start(pid)`` once started and ``on_progress(fraction)`` from its
    ``-progress`` output; an exception from either stops ffmpeg.

    Raises :class:`TranscodeFailed` with the tail of stderr when ffmpeg fails, and
    :class:`MediaRefused` (``DISK_FULL``) when it failed because the disk is full.
    """
    tail: deque[str] = deque(maxlen=stderr_lines)
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise MediaRefused(FFMPEG_MISSING) from None

    def drain_stderr():
        for raw in process.stderr:
            tail.append(raw.decode("utf-8", "replace").rstrip())

    with process:
        reader = threading.Thread(target=drain_stderr, daemon=True)
        reader.start()
        try:
            if on_start:
                on_start(process.pid)
            for raw in process.stdout:
                line = raw.decode("ascii", "replace").strip()
                match = _OUT_TIME.match(line)
                if match and on_progress and duration > 0:
                    # ffmpeg writes microseconds under both names (out_time_ms is misnamed).
                    on_progress(min(1.0, int(match.group(1)) / 1_000_000 / duration))
                elif line == "progress=end" and on_progress:
                    on_progress(1.0)
        except BaseException:
            process.kill()
            raise
        returncode = process.wait()
        reader.join(5)
    text = "\n".join(tail)
    # ffmpeg may exit 0 when only writing the trailer failed: a full disk is never a success.
    if "No space left on device" in text:
        raise MediaRefused(DISK_FULL, text)
    if returncode != 0:
        raise TranscodeFailed(text, returncode)


# --- captions -------------------------------------------------------------------------------

_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(.*)$"
)


class CaptionError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    value = 0.0
    for part in parts:
        value = value * 60 + float(part)
    return value


def _stamp(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    line: int = 0  # the line of its timing in the file


def parse_captions(text: str, *, srt: bool) -> list[Cue]:
    """Parse WebVTT or SRT text into cues; raise :class:`CaptionError` with a line number."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    index = 0
    if not srt:
        if not lines or not lines[0].startswith("WEBVTT"):
            raise CaptionError(_l("a WebVTT file must start with WEBVTT"), 1)
        index = 1
    cues: list[Cue] = []
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if not srt and line.startswith(("NOTE", "STYLE", "REGION")):
            while index < len(lines) and lines[index].strip():
                index += 1
            continue
        block_start = index
        match = _TIMING.match(line)
        if not match and index + 1 < len(lines):
            index += 1  # a cue identifier (SRT's number)
            match = _TIMING.match(lines[index])
        if not match:
            raise CaptionError(
                _l("expected a cue timing such as 00:00:01.000 --> 00:00:03.000"), block_start + 1
            )
        start, end = _seconds(match.group(1)), _seconds(match.group(2))
        if end <= start:
            raise CaptionError(_l("a cue ends before it starts"), index + 1)
        timing_line = index + 1
        index += 1
        body = []
        while index < len(lines) and lines[index].strip():
            body.append(lines[index])
            index += 1
        cues.append(Cue(start, end, "\n".join(body), timing_line))
    if not cues:
        raise CaptionError(_l("the file has no cues"), 1)
    return cues


def _srt_text(text: str) -> str:
    """SRT cue text as WebVTT: keep <b>/<i>/<u>, drop <font>, escape stray "&" and "<"."""
    text = re.sub(r"</?font[^>]*>", "", text, flags=re.IGNORECASE)
    text = re.sub(r"&(?!(?:[a-zA-Z]+|#\d+);)", "&amp;", text)
    return re.sub(r"<(?!/?[biu]>)", "&lt;", text)


def to_webvtt(cues: list[Cue], *, escape: bool) -> str:
    out = ["WEBVTT", ""]
    for cue in cues:
        out.append(f"{_stamp(cue.start)} --> {_stamp(cue.end)}")
        out.append(_srt_text(cue.text) if escape else cue.text)
        out.append("")
    return "\n".join(out)


def convert_captions(path: Path) -> str:
    """Read a .vtt or .srt file and return WebVTT text (validated)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CaptionError(_l("the captions are not UTF-8 text")) from None
    srt = path.suffix.lower() == ".srt"
    cues = parse_captions(text, srt=srt)
    return to_webvtt(cues, escape=srt) if srt else text.lstrip("\ufeff")


def ffmpeg_available(ffmpeg_bin: str = "ffmpeg") -> bool:
    from shutil import which

    return which(ffmpeg_bin) is not None and which("ffprobe") is not None
