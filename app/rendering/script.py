"""Role-play scripts (``videos/<id>/script.yaml``): the model, parsing and validation.

Parsing and validation are one pass: :func:`parse` returns the script (when it is usable)
and every problem found, each with the line it is on, so that ``flask content check`` and the
renderer report the same ``file:line`` messages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.content.registry import Problem
from app.content.spec import (
    Anything,
    Context,
    Enum,
    Field,
    ListOf,
    MapOf,
    Number,
    OneOf,
    Ref,
    Spec,
    Str,
    Text,
    check_mapping,
    nested_label,
    own_label,
    unknown_keys,
)
from app.content.yamlfile import LineDict
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

DEFAULT_ENGINE = "open_jtalk"  # the speech engines themselves are in engines.py
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


# --- the format ---------------------------------------------------------------------------------

#: an engine's or a voice's name: one word of letters, digits, _ and -
WORD = Str(
    re.compile(r"^[A-Za-z0-9_-]+$"),
    _l("Use a name such as kokoro or jm_kumo."),
    message=_l("%(what)s must be a name such as kokoro, not %(value)r"),
)


def _cast_keys(ctx: Context) -> list[str]:
    cast = ctx.data.get("cast")
    return [str(key) for key in cast] if isinstance(cast, dict) else []


def _plain(text) -> str:
    """The Japanese of a checked text, on one line."""
    value = text.get("ja") if isinstance(text, dict) else text
    return " ".join(value.split()) if isinstance(value, str) else ""


def _english(text) -> str:
    value = text.get("en") if isinstance(text, dict) else None
    return " ".join(value.split()) if isinstance(value, str) else ""


def _check_folder(ctx: Context, data: LineDict, where: str) -> None:
    folder = ctx.path.parent.name
    script_id = data.get("id")
    if not isinstance(script_id, str) or not script_id:
        ctx.error(
            data.line_of("id") if "id" in data else 1,
            _("`id` is missing"),
            _("Use the folder name: `id: %(id)s`.", id=folder),
        )
    elif script_id != folder:
        ctx.error(
            data.line_of("id"),
            _("id %(id)r differs from the folder name %(folder)r", id=script_id, folder=folder),
            _("The folder name is the video's id."),
        )


def _check_long_line(ctx: Context, line: LineDict, where: str) -> None:
    text = _plain(ctx.value(line, "text"))
    if len(text) > LONG_LINE:
        ctx.warning(
            line.line_of("text"),
            _("%(where)s: %(n)d characters will not fit on one card", where=where, n=len(text)),
            _("Split it into lines of at most %(n)d characters.", n=LONG_LINE),
        )


def _check_key_point_count(ctx: Context, scene: LineDict, where: str) -> None:
    points = ctx.value(scene, "key_points") or []
    if len(points) > 4:
        ctx.warning(
            scene.line_of("key_points"),
            _("%(where)s: %(n)d key points will not fit on one card", where=where, n=len(points)),
            _("Keep it to 4 or fewer."),
        )


VOICE = Spec(
    {
        "engine": Field(WORD, default=DEFAULT_ENGINE),
        "name": Field(WORD, default=""),
        "fallback": Field(WORD, default=""),
        "file": Field(Str(), default="mei_normal"),
        "pitch": Field(Number(*PITCH_RANGE), default=0.0),
        "speed": Field(Number(*SPEED_RANGE), default=1.0),
        "alpha": Field(Number(*ALPHA_RANGE)),
        "volume": Field(Number(*VOLUME_RANGE), default=0.0),
    },
    shape=_l("Write {engine: …, name: …} or {file: mei_normal, pitch: …, speed: …}."),
)
CAST_MEMBER = Spec(
    {
        "name": Field(Text(plain=True), required=True),
        "role": Field(Text(plain=True)),
        "voice": Field(VOICE),
        "colour": Field(Enum(COLOURS)),
        "figure": Field(Anything()),  # checked with the look (scenery.cast_look)
        "image": Field(Anything()),
    },
    shape=_l("Give the cast member a name, a role and a voice."),
)
SPOKEN_LINE = Spec(
    {
        "speaker": Field(Ref(_cast_keys, _l("cast member"), type=Str()), required=True),
        "text": Field(Text(plain=True), required=True),
        "caption": Field(Text(plain=True)),
        "pause": Field(Number(*PAUSE_RANGE), default=DEFAULT_PAUSE),
        "reading": Field(Text(plain=True)),
    },
    checks=(_check_long_line,),
    shape=_l("Write {speaker: <cast key>, text: …}."),
)
KEY_POINT = OneOf(
    text=Str(),
    mapping=Spec({"text": Field(Str(), required=True), "reading": Field(Text(plain=True))}),
    shape=_l("a short sentence, or {text: …, reading: …}"),
)
SCENE = Spec(
    {
        "title": Field(Text(plain=True)),
        "setting": Field(Text(plain=True), required=True),
        "lines": Field(ListOf(SPOKEN_LINE, label=nested_label(_l("line"))), required=True),
        "key_points": Field(ListOf(KEY_POINT, min_items=0, label=nested_label(_l("key point")))),
        "backdrop": Field(Anything()),  # checked with the scenery (scenery.scene_backdrop)
        "present": Field(Anything()),
    },
    checks=(_check_key_point_count,),
    shape=_l("Give the scene a setting and lines."),
)
#: ``videos/<id>/script.yaml`` (documented in videos/README.md)
SCRIPT = Spec(
    {
        "id": Field(Anything()),
        "title": Field(Text(plain=True), required=True),
        "description": Field(Text(plain=True)),
        "narrator": Field(Ref(_cast_keys, _l("cast member"), type=Str())),
        "cast": Field(MapOf(CAST_MEMBER, key=Str(), label=own_label(_l("cast"))), required=True),
        "scenes": Field(ListOf(SCENE, label=own_label(_l("scene"))), required=True),
        "credits": Field(ListOf(Str(), min_items=0, label=own_label(_l("credit line")))),
    },
    checks=(_check_folder,),
)


class _Report:
    """What the scenery checks report into (they predate the format engine)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def error(self, line, message, hint=""):
        self.ctx.error(line or None, message, hint)

    def warn(self, line, message, hint=""):
        self.ctx.warning(line or None, message, hint)

    def unknown_keys(self, mapping, allowed, where):
        unknown_keys(self.ctx, mapping, allowed, where)


# --- parsing ------------------------------------------------------------------------------------


def parse(path: Path, known_voices: set[str] | None = None) -> tuple[Script | None, list[Problem]]:
    """Read and validate one script. The script is None when an error makes it unusable.

    ``known_voices`` lists the voice names that can be found; a cast member whose voice is
    not among them is an error (None skips that check).
    """
    ctx = Context(path)
    try:
        data = ctx.load(_("Start the file with `id: <folder name>` and `title:`."))
    except OSError as exc:
        ctx.error(None, _("cannot read the file: %(reason)s", reason=exc.strerror))
        return None, ctx.problems
    if data is None:
        return None, ctx.problems
    check_mapping(ctx, data, SCRIPT, _("the script"))
    cast = _cast(ctx, data, known_voices)
    raw_scenes = ctx.value(data, "scenes") or []
    scenes = [
        _scene(ctx, raw, raw_scenes.line_of(i), _("%(noun)s %(n)d", noun=_("scene"), n=i + 1), cast)
        for i, raw in enumerate(raw_scenes)
        if ctx.ok(raw_scenes, i)
    ]
    if ctx.failed:
        return None, ctx.problems
    title, description = ctx.value(data, "title"), ctx.value(data, "description")
    narrator = ctx.value(data, "narrator")
    script = Script(
        id=data["id"],
        title={k: v for k, v in (("ja", _plain(title)), ("en", _english(title))) if v},
        description={
            k: v for k, v in (("ja", _plain(description)), ("en", _english(description))) if v
        },
        cast=cast,
        scenes=scenes,
        narrator=str(narrator) if narrator is not None else None,
        credits=[c.strip() for c in ctx.value(data, "credits") or []],
        path=path,
        sha256=file_sha256(path),
    )
    return script, ctx.problems


def _cast(ctx: Context, data: LineDict, known_voices: set[str] | None) -> dict[str, CastMember]:
    cast: dict[str, CastMember] = {}
    raw_cast = ctx.value(data, "cast") or {}
    for index, (key, member) in enumerate(raw_cast.items()):
        if not ctx.ok(raw_cast, key):
            continue
        where = _("%(noun)s `%(id)s`", noun=_("cast"), id=key)
        name, role = _plain(ctx.value(member, "name")), _plain(ctx.value(member, "role"))
        voice = _voice(ctx, member, raw_cast.line_of(key), where, known_voices)
        colour = ctx.value(member, "colour", COLOURS[index % len(COLOURS)])
        look = scenery.cast_look(
            member, str(key), name, role, colour, where, ctx.path, _Report(ctx)
        )
        cast[str(key)] = CastMember(str(key), name, role, voice, colour, look)
    return cast


def _voice(ctx: Context, member: LineDict, line: int, where: str, known: set[str] | None) -> Voice:
    raw = ctx.value(member, "voice", LineDict())
    values = {key: ctx.value(raw, key, field.default) for key, field in VOICE.fields.items()}
    if known is not None and values["file"] not in known:
        ctx.error(
            raw.line_of("file") if "file" in raw else line,
            _("%(where)s: voice %(file)r is not installed", where=where, file=values["file"]),
            _(
                "Installed: %(voices)s.",
                voices=", ".join(sorted(known)) or _("none (pip install pyopenjtalk-plus)"),
            ),
        )
    if "engine" in raw:
        voice_line = raw.line_of("engine")
    else:
        voice_line = member.line_of("voice") if "voice" in member else line
    return Voice(
        file=values["file"].strip(),
        pitch=float(values["pitch"]),
        speed=float(values["speed"]),
        alpha=float(values["alpha"]) if values["alpha"] is not None else None,
        volume=float(values["volume"]),
        engine=values["engine"],
        name=values["name"],
        fallback=values["fallback"],
        line=voice_line,
    )


def _scene(ctx: Context, raw: LineDict, line: int, where: str, cast: dict) -> Scene:
    setting = _plain(ctx.value(raw, "setting"))
    raw_lines = ctx.value(raw, "lines") or []
    lines = [
        _spoken(ctx, item, raw_lines.line_of(i))
        for i, item in enumerate(raw_lines)
        if ctx.ok(raw_lines, i) and ctx.ok(item, "speaker") and ctx.ok(item, "text")
    ]
    raw_points = ctx.value(raw, "key_points") or []
    points = [
        (point if isinstance(point, str) else point["text"], point, raw_points.line_of(i))
        for i, point in enumerate(raw_points)
        if ctx.ok(raw_points, i)
    ]
    report = _Report(ctx)
    return Scene(
        _plain(ctx.value(raw, "title")) or setting,
        setting,
        tuple(lines),
        tuple(" ".join(text.split()) for text, _point, _line in points),
        line,
        tuple(
            _plain(ctx.value(p, "reading")) if isinstance(p, dict) else "" for _t, p, _l in points
        ),
        tuple(point_line or line for _text, _point, point_line in points),
        scenery.scene_backdrop(raw, setting, where, ctx.path, report),
        scenery.scene_present(raw, where, cast, report),
    )


def _spoken(ctx: Context, item: LineDict, line: int) -> Line:
    text = _plain(item["text"])
    caption = _plain(ctx.value(item, "caption"))
    return Line(
        str(item["speaker"]),
        text,
        caption or text,
        float(ctx.value(item, "pause", DEFAULT_PAUSE)),
        line,
        _plain(ctx.value(item, "reading")),
        caption_line=item.line_of("caption" if caption else "text"),
    )


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
