"""Role-play scripts (``videos/<id>/script.yaml``): the model, parsing and validation.

Parsing and validation are one pass: :func:`parse` returns the script (when it is usable)
and every problem found, each with the line it is on, so that ``flask content check`` and the
renderer report the same ``file:line`` messages.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

from app.content.registry import Problem
from app.content.yamlfile import LineDict, LineList, YamlError, load_file
from app.rendering import scenery

# Limits that keep a card legible and a voice intelligible.
PITCH_RANGE = (-24.0, 24.0)  # half-tones (open_jtalk -fm)
SPEED_RANGE = (0.5, 2.0)  # speech rate (open_jtalk -r)
ALPHA_RANGE = (0.3, 0.8)  # all-pass constant (open_jtalk -a); the voice's own is about 0.55
VOLUME_RANGE = (-20.0, 20.0)  # dB (open_jtalk -g)
PAUSE_RANGE = (0.0, 10.0)  # seconds of silence after a line
LONG_LINE = 120  # characters: longer lines no longer fit a card at a readable size

DEFAULT_PAUSE = 0.6
KEY_POINT_PAUSE = 1.2  # after the last key point
KEY_POINT_GAP = 0.4  # between key points
KEY_POINT_HEADING = "ここがポイント"

TOP_KEYS = {"id", "title", "description", "narrator", "cast", "scenes", "credits"}
CAST_KEYS = {"name", "role", "voice", "colour", "figure", "image"}
VOICE_KEYS = {"engine", "name", "fallback", "file", "pitch", "speed", "alpha", "volume"}
DEFAULT_ENGINE = "open_jtalk"  # the speech engines themselves are in engines.py
SCENE_KEYS = {"title", "setting", "lines", "key_points", "backdrop", "present"}
LINE_KEYS = {"speaker", "text", "caption", "pause", "reading"}
POINT_KEYS = {"text", "reading"}
COLOURS = ("blue", "green", "orange", "purple", "teal", "grey")


@dataclass(frozen=True)
class Voice:
    file: str = "mei_normal"
    pitch: float = 0.0
    speed: float = 1.0
    alpha: float | None = None
    volume: float = 0.0
    engine: str = DEFAULT_ENGINE  # a name in the registry of app/rendering/engines.py
    name: str = ""  # the engine's own voice name (kokoro: jm_kumo …); Open JTalk uses file
    fallback: str = ""  # the engine to use when ``engine`` is not installed ("" = none: fail)
    line: int | None = field(default=None, compare=False)  # where the voice is, for messages


@dataclass(frozen=True)
class CastMember:
    key: str
    name: str
    role: str
    voice: Voice
    colour: str
    look: scenery.Look = scenery.Look()


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    caption: str
    pause: float
    source_line: int
    reading: str = (
        ""  # what the voice says when it differs from the text (119番 → いちいちきゅう番)
    )
    key_point: bool = False  # a key point (or their heading) read by the narrator
    caption_line: int = 0  # where its caption is written (caption: or text:)

    @property
    def caption_source_line(self) -> int:
        return self.caption_line or self.source_line

    @property
    def spoken(self) -> str:
        return self.reading or self.text


@dataclass(frozen=True)
class Scene:
    title: str
    setting: str
    lines: tuple[Line, ...]
    key_points: tuple[str, ...]
    source_line: int
    key_point_readings: tuple[str, ...] = ()  # the reading of each key point ("" for none)
    key_point_lines: tuple[int, ...] = ()
    backdrop: str = scenery.NEUTRAL  # a setting key (see scenery.SETTINGS)
    present: tuple[str, ...] = ()  # cast keys shown; empty: the speakers but the narrator


@dataclass
class Script:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    cast: dict[str, CastMember]
    scenes: list[Scene]
    narrator: str | None
    credits: list[str] = field(default_factory=list)
    path: Path | None = None
    sha256: str = ""

    def utterances(self, scene: Scene) -> list[Line]:
        """What is said in ``scene``, in order: its lines, then (with a narrator) the
        key-point heading and each key point, read by the narrator."""
        said = list(scene.lines)
        if scene.key_points and self.narrator:
            heading_line = scene.key_point_lines[0] if scene.key_point_lines else scene.source_line
            points = [(KEY_POINT_HEADING + "。", "【" + KEY_POINT_HEADING + "】", "", heading_line)]
            points += zip(
                scene.key_points,
                scene.key_points,
                scene.key_point_readings,
                scene.key_point_lines,
                strict=True,
            )
            for index, (text, caption, reading, line) in enumerate(points):
                pause = KEY_POINT_PAUSE if index == len(points) - 1 else KEY_POINT_GAP
                said.append(
                    Line(self.narrator, text, caption, pause, line, reading, key_point=True)
                )
        return said

    def texts(self) -> list[str]:
        """Every text that is drawn on a card (for the glyph check)."""
        out = [self.title.get("ja", ""), *self.credits]
        for member in self.cast.values():
            out += [member.name, member.role]
        for scene in self.scenes:
            out += [scene.title, scene.setting, *scene.key_points]
            out += [line.text for line in scene.lines]
        return [t for t in out if t]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Checker:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line or None, message, hint))

    def warn(self, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line or None, message, hint, severity="warning"))

    def unknown_keys(self, mapping: LineDict, allowed: set[str], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.error(
                    mapping.line_of(key),
                    f"unknown key {key!r} in {where}",
                    "allowed: " + ", ".join(sorted(allowed)),
                )

    def text(self, parent, key, where: str, required: bool = True) -> str:
        """A Japanese text: a plain string or a mapping with ``ja`` (``en`` optional)."""
        line = _line_of(parent, key)
        value = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(value, dict):
            value = value.get("ja")
            if value is None and required:
                self.error(line, f"{where}: the Japanese text (ja) is missing")
                return ""
        if value is None:
            if required:
                self.error(line, f"{where} is missing")
            return ""
        if not isinstance(value, str):
            self.error(line, f"{where} must be text, not {type(value).__name__}")
            return ""
        if required and not value.strip():
            self.error(line, f"{where} is empty")
        return " ".join(value.split())

    def both(self, parent: LineDict, key: str, where: str, required: bool = True) -> dict[str, str]:
        value = parent.get(key)
        ja = self.text(parent, key, where, required)
        result = {"ja": ja} if ja else {}
        if isinstance(value, dict):
            if isinstance(value.get("en"), str) and value["en"].strip():
                result["en"] = " ".join(value["en"].split())
            for lang in value:
                if lang not in ("ja", "en"):
                    self.error(
                        value.line_of(lang), f"{where}: unknown language {lang!r}", "use ja and en"
                    )
        return result

    def number(self, parent: LineDict, key: str, where: str, limits: tuple[float, float], default):
        if key not in parent:
            return default
        value = parent[key]
        line = parent.line_of(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.error(line, f"{where}: {key} must be a number, not {value!r}")
            return default
        low, high = limits
        if not low <= value <= high:
            self.error(
                line, f"{where}: {key} {value} is out of range", f"between {low:g} and {high:g}"
            )
            return default
        return float(value)

    def word(self, parent: LineDict, key: str, where: str, default: str) -> str:
        """A name such as an engine or a voice: one word of letters, digits, _ and -."""
        if key not in parent:
            return default
        value = parent[key]
        if (
            not isinstance(value, str)
            or not value.strip()
            or not value.strip().replace("_", "").replace("-", "").isalnum()
        ):
            self.error(
                parent.line_of(key),
                f"{where}: voice {key} must be a name such as {'kokoro' if key != 'name' else 'jm_kumo'}, not {value!r}",
            )
            return default
        return value.strip()


def _line_of(parent, key) -> int | None:
    if isinstance(parent, LineDict | LineList):
        return parent.line_of(key)
    return None


def parse(path: Path, known_voices: set[str] | None = None) -> tuple[Script | None, list[Problem]]:
    """Read and validate one script. The script is None when an error makes it unusable.

    ``known_voices`` lists the voice names that can be found; a cast member whose voice is
    not among them is an error (None skips that check).
    """
    check = _Checker(path)
    try:
        data = load_file(path)
    except YamlError as exc:
        check.error(exc.line, f"not valid YAML: {exc}")
        return None, check.problems
    except OSError as exc:
        check.error(None, f"cannot read the file: {exc.strerror}")
        return None, check.problems
    if not isinstance(data, LineDict):
        check.error(1, "a script is a mapping with id, title, cast and scenes")
        return None, check.problems
    check.unknown_keys(data, TOP_KEYS, "the script")

    script_id = data.get("id")
    folder = path.parent.name
    if not isinstance(script_id, str) or not script_id:
        check.error(
            data.line_of("id") if "id" in data else 1,
            "id is missing",
            f"use the folder name: id: {folder}",
        )
        script_id = folder
    elif script_id != folder:
        check.error(
            data.line_of("id"),
            f"id {script_id!r} differs from the folder name {folder!r}",
            "the folder name is the video's id",
        )

    title = check.both(data, "title", "title")
    description = check.both(data, "description", "description", required=False)

    cast: dict[str, CastMember] = {}
    raw_cast = data.get("cast")
    if not isinstance(raw_cast, LineDict) or not raw_cast:
        check.error(
            data.line_of("cast") if "cast" in data else 1,
            "cast is missing or empty",
            "list each speaker with a name and a voice",
        )
        raw_cast = LineDict()
    for index, (key, member) in enumerate(raw_cast.items()):
        where = f"cast {key!r}"
        line = raw_cast.line_of(key)
        if not isinstance(member, LineDict):
            check.error(line, f"{where} must be a mapping with name, role and voice")
            continue
        check.unknown_keys(member, CAST_KEYS, where)
        name = check.text(member, "name", f"{where}: name")
        role = check.text(member, "role", f"{where}: role", required=False)
        raw_voice = member.get("voice", LineDict())
        if not isinstance(raw_voice, LineDict):
            check.error(
                member.line_of("voice"),
                f"{where}: voice must be a mapping (engine, name, file, pitch, speed, alpha, volume)",
            )
            raw_voice = LineDict()
        check.unknown_keys(raw_voice, VOICE_KEYS, f"{where}: voice")
        voice_file = raw_voice.get("file", "mei_normal")
        if not isinstance(voice_file, str) or not voice_file.strip():
            check.error(
                raw_voice.line_of("file"), f"{where}: voice file must be a name such as mei_normal"
            )
            voice_file = "mei_normal"
        elif known_voices is not None and voice_file not in known_voices:
            check.error(
                raw_voice.line_of("file") if "file" in raw_voice else line,
                f"{where}: voice {voice_file!r} is not installed",
                "installed: "
                + (", ".join(sorted(known_voices)) or "none (pip install pyopenjtalk-plus)"),
            )
        voice = Voice(
            file=voice_file,
            pitch=check.number(raw_voice, "pitch", where, PITCH_RANGE, 0.0),
            speed=check.number(raw_voice, "speed", where, SPEED_RANGE, 1.0),
            alpha=check.number(raw_voice, "alpha", where, ALPHA_RANGE, None),
            volume=check.number(raw_voice, "volume", where, VOLUME_RANGE, 0.0),
            engine=check.word(raw_voice, "engine", where, DEFAULT_ENGINE),
            name=check.word(raw_voice, "name", where, ""),
            fallback=check.word(raw_voice, "fallback", where, ""),
            line=raw_voice.line_of("engine")
            if "engine" in raw_voice
            else member.line_of("voice")
            if "voice" in member
            else line,
        )
        colour = member.get("colour", COLOURS[index % len(COLOURS)])
        if colour not in COLOURS:
            check.error(
                member.line_of("colour"),
                f"{where}: unknown colour {colour!r}",
                "one of " + ", ".join(COLOURS),
            )
            colour = COLOURS[0]
        look = scenery.cast_look(member, str(key), name, role, colour, where, path, check)
        cast[str(key)] = CastMember(str(key), name, role, voice, colour, look)

    narrator = data.get("narrator")
    if narrator is not None and str(narrator) not in cast:
        check.error(data.line_of("narrator"), f"narrator {narrator!r} is not in the cast")
        narrator = None

    credits = []
    raw_credits = data.get("credits", LineList())
    if not isinstance(raw_credits, list):
        check.error(data.line_of("credits"), "credits must be a list of lines")
    else:
        for i, item in enumerate(raw_credits):
            if not isinstance(item, str) or not item.strip():
                check.error(raw_credits.line_of(i), "a credit line must be non-empty text")
            else:
                credits.append(item.strip())

    scenes: list[Scene] = []
    raw_scenes = data.get("scenes")
    if not isinstance(raw_scenes, LineList) or not raw_scenes:
        check.error(
            data.line_of("scenes") if "scenes" in data else 1,
            "scenes is missing or empty",
            "a script needs at least one scene with lines",
        )
        raw_scenes = LineList()
    for s_index, raw_scene in enumerate(raw_scenes):
        where = f"scene {s_index + 1}"
        s_line = raw_scenes.line_of(s_index)
        if not isinstance(raw_scene, LineDict):
            check.error(s_line, f"{where} must be a mapping with setting and lines")
            continue
        check.unknown_keys(raw_scene, SCENE_KEYS, where)
        setting = check.text(raw_scene, "setting", f"{where}: setting")
        scene_title = check.text(raw_scene, "title", f"{where}: title", required=False) or setting
        lines: list[Line] = []
        raw_lines = raw_scene.get("lines")
        if not isinstance(raw_lines, LineList) or not raw_lines:
            check.error(
                raw_scene.line_of("lines") if "lines" in raw_scene else s_line,
                f"{where}: lines are missing or empty",
            )
            raw_lines = LineList()
        for l_index, raw_line in enumerate(raw_lines):
            l_where = f"{where}, line {l_index + 1}"
            l_line = raw_lines.line_of(l_index)
            if not isinstance(raw_line, LineDict):
                check.error(l_line, f"{l_where} must be a mapping with speaker and text")
                continue
            check.unknown_keys(raw_line, LINE_KEYS, l_where)
            speaker = raw_line.get("speaker")
            if speaker is None:
                check.error(l_line, f"{l_where}: speaker is missing")
            elif str(speaker) not in cast:
                check.error(
                    raw_line.line_of("speaker"),
                    f"{l_where}: unknown speaker {speaker!r}",
                    "speakers in the cast: " + ", ".join(cast)
                    if cast
                    else "add the speaker to the cast",
                )
            text = check.text(raw_line, "text", f"{l_where}: text")
            if len(text) > LONG_LINE:
                check.warn(
                    raw_line.line_of("text"),
                    f"{l_where}: {len(text)} characters will not fit on one card",
                    f"split it into lines of at most {LONG_LINE}",
                )
            caption = (
                check.text(raw_line, "caption", f"{l_where}: caption", required=False)
                if "caption" in raw_line
                else ""
            )
            if "caption" in raw_line and not caption:
                check.error(
                    raw_line.line_of("caption"),
                    f"{l_where}: caption is empty",
                    "remove it to use the text",
                )
            pause = check.number(raw_line, "pause", l_where, PAUSE_RANGE, DEFAULT_PAUSE)
            reading = (
                check.text(raw_line, "reading", f"{l_where}: reading")
                if "reading" in raw_line
                else ""
            )
            if speaker is not None and str(speaker) in cast and text:
                caption_line = raw_line.line_of("caption" if caption else "text")
                lines.append(
                    Line(
                        str(speaker),
                        text,
                        caption or text,
                        pause,
                        l_line,
                        reading,
                        caption_line=caption_line,
                    )
                )
        points: list[str] = []
        raw_points = raw_scene.get("key_points", LineList())
        if not isinstance(raw_points, list):
            check.error(
                raw_scene.line_of("key_points"),
                f"{where}: key_points must be a list of short sentences",
            )
            raw_points = LineList()
        readings: list[str] = []
        point_lines: list[int] = []
        for p_index, point in enumerate(raw_points):
            p_line = _line_of(raw_points, p_index)
            reading = ""
            if isinstance(point, LineDict):
                check.unknown_keys(point, POINT_KEYS, f"{where}: key point {p_index + 1}")
                reading = (
                    check.text(point, "reading", f"{where}: key point {p_index + 1}: reading")
                    if "reading" in point
                    else ""
                )
                point = point.get("text")
            if not isinstance(point, str) or not point.strip():
                check.error(p_line, f"{where}: key point {p_index + 1} is empty")
            else:
                points.append(" ".join(point.split()))
                readings.append(reading)
                point_lines.append(p_line or s_line)
        if len(points) > 4:
            check.warn(
                raw_scene.line_of("key_points"),
                f"{where}: {len(points)} key points will not fit on one card",
                "keep it to 4 or fewer",
            )
        backdrop = scenery.scene_backdrop(raw_scene, setting, where, path, check)
        shown = scenery.scene_present(raw_scene, where, cast, check)
        scenes.append(
            Scene(
                scene_title,
                setting,
                tuple(lines),
                tuple(points),
                s_line,
                tuple(readings),
                tuple(point_lines),
                backdrop,
                shown,
            )
        )

    if any(p.severity == "error" for p in check.problems):
        return None, check.problems
    script = Script(
        id=script_id,
        title=title,
        description=description,
        cast=cast,
        scenes=scenes,
        narrator=str(narrator) if narrator is not None else None,
        credits=credits,
        path=path,
        sha256=file_sha256(path),
    )
    return script, check.problems


def text_lines(path: Path) -> dict[str, int]:
    """Map every drawn text to the first line it appears on (for glyph messages)."""
    found: dict[str, int] = {}
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return found
    for number, text in enumerate(raw, start=1):
        for char in text:
            found.setdefault(char, number)
    return found
