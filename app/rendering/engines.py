"""Speech engines: the registry the renderer looks a cast member's voice up in.

A voice in ``script.yaml`` names its engine (``engine: open_jtalk``, the default, or
``engine: kokoro`` with ``name: jm_kumo``). Every line reaches its engine through
:func:`speak`, which passes the text through :func:`prepare` first: the one place where text
is turned into what a voice should say, for every engine alike.

An engine that is not installed is an error when the script is rendered, unless the voice says
``fallback: open_jtalk``: then Open JTalk speaks it with the voice's ``file``, ``pitch``… (the
validator warns either way). A video spoken by a fallback is credited as such; render it again
with ``--force`` once the engine is installed.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from app.content.registry import Problem
from app.content.spec import did_you_mean
from app.rendering import kokoro, tools, tts
from app.rendering.script import DEFAULT_ENGINE, Script, Voice

# Credits of the HTS voices the renderer knows; any other voice is credited by its file name.
VOICE_CREDITS = {
    "mei": 'HTS voice "Mei" © 2009–2013 Nagoya Institute of Technology, Department of Computer Science (MMDAgent Project Team), CC BY 3.0 https://creativecommons.org/licenses/by/3.0/',
}
ENGINE_CREDIT = (
    "音声合成: Open JTalk / hts_engine API (名古屋工業大学), 辞書: NAIST Japanese Dictionary"
)


@dataclass(frozen=True)
class Engine:
    """A way of turning text into speech, as the renderer needs it."""

    name: str  # as written in script.yaml
    title: str  # as shown in messages
    require: Callable[[], None]  # raises tools.ToolMissing (with what to install) when absent
    synthesise: Callable[[str, Voice, Path], tts.Speech]  # 48 kHz mono 16-bit WAV, measured
    reading: Callable[[str], str]  # what the engine makes of a text (its g2p output)
    credits: Callable[[list[Voice]], list[str]]  # end-card lines for the voices it spoke
    voice_names: Callable[[], frozenset[str]] | None = None  # the names ``name:`` may take

    def installed(self) -> bool:
        try:
            self.require()
        except tools.ToolMissing:
            return False
        return True

    def identity(self, voice: Voice) -> str:
        """What makes two voices of this engine sound alike (for the same-voice warning)."""
        if self.voice_names is not None:
            return f"{self.name}:{voice.name}@{voice.speed:g}"
        return f"{self.name}:{voice.file}@{voice.pitch:g}/{voice.speed:g}/{voice.alpha}"


ENGINES: dict[str, Engine] = {}


def register(engine: Engine) -> Engine:
    ENGINES[engine.name] = engine
    return engine


def get(name: str) -> Engine:
    engine = ENGINES.get(name)
    if engine is None:
        raise tools.ToolMissing(
            _(
                "There is no speech engine called %(name)s (known: %(known)s).",
                name=name,
                known=", ".join(sorted(ENGINES)),
            )
        )
    return engine


def prepare(text: str) -> str:
    """The text a voice is given for ``text`` (the line's ``reading:`` already chosen)."""
    return text


def engine_for(voice: Voice) -> Engine:
    """The engine that speaks ``voice``: its own, or its fallback when its own is missing."""
    engine = get(voice.engine)
    if voice.fallback and not engine.installed() and voice.fallback in ENGINES:
        return ENGINES[voice.fallback]
    return engine


def speak(text: str, voice: Voice, out: Path) -> tts.Speech:
    """Speak one line into the WAV file ``out`` with the voice's engine."""
    return engine_for(voice).synthesise(prepare(text), voice, out)


def require(script: Script) -> None:
    """Raise :class:`tools.ToolMissing` before any work when a voice's engine cannot speak."""
    for voice in sorted(
        {m.voice for m in script.cast.values()}, key=lambda v: (v.engine, v.name, v.file)
    ):
        engine_for(voice).require()


def credit_lines(script: Script) -> list[str]:
    """Every engine's and voice's credit, for the voices this render speaks with."""
    used: dict[str, list[Voice]] = {}
    for member in script.cast.values():
        used.setdefault(engine_for(member.voice).name, []).append(member.voice)
    lines: list[str] = []
    for name in sorted(used, key=lambda n: (n != DEFAULT_ENGINE, n)):
        lines += ENGINES[name].credits(used[name])
    return list(dict.fromkeys(lines))


def check(script: Script, path: Path) -> list[Problem]:
    """The voices' engines: known, installed (or with a fallback), names valid, voices distinct."""
    problems: list[Problem] = []
    speakers: dict[str, str] = {}
    for key, member in script.cast.items():
        voice, where = member.voice, _("%(noun)s `%(id)s`", noun=_("cast"), id=key)
        engine = ENGINES.get(voice.engine)
        if engine is None:
            problems.append(
                Problem(
                    path,
                    voice.line,
                    _(
                        "%(where)s: unknown speech engine %(engine)r",
                        where=where,
                        engine=voice.engine,
                    ),
                    did_you_mean(voice.engine, ENGINES)
                    or _("Use one of: %(values)s.", values=", ".join(sorted(ENGINES))),
                )
            )
            continue
        problems += _check_fallback(path, where, voice)
        installed = engine.installed()
        if not installed:
            problems.append(_missing(path, where, voice, engine))
        problems += _check_name(path, where, voice, engine, installed)
        if installed or not voice.fallback:
            identity = engine.identity(voice)
            if identity in speakers:
                problems.append(
                    Problem(
                        path,
                        voice.line,
                        _(
                            "%(where)s speaks with the same voice as %(other)s",
                            where=where,
                            other=_("%(noun)s `%(id)s`", noun=_("cast"), id=speakers[identity]),
                        ),
                        _("Give each speaker a voice of their own."),
                        "warning",
                    )
                )
            speakers.setdefault(identity, key)
    return problems


def _check_fallback(path: Path, where: str, voice: Voice) -> list[Problem]:
    if voice.fallback and (voice.fallback not in ENGINES or voice.fallback == voice.engine):
        others = sorted(set(ENGINES) - {voice.engine})
        return [
            Problem(
                path,
                voice.line,
                _(
                    "%(where)s: fallback %(engine)r is not another speech engine",
                    where=where,
                    engine=voice.fallback,
                ),
                _("Use one of: %(values)s.", values=", ".join(others)),
            )
        ]
    return []


def _missing(path: Path, where: str, voice: Voice, engine: Engine) -> Problem:
    try:
        engine.require()
    except tools.ToolMissing as exc:
        reason = str(exc)
    if voice.fallback:
        return Problem(
            path,
            voice.line,
            _(
                "%(where)s: %(engine)s is not installed, so %(fallback)s will speak instead (%(reason)s)",
                where=where,
                engine=engine.title,
                fallback=voice.fallback,
                reason=reason,
            ),
            _("Install it and render again with --force."),
            "warning",
        )
    return Problem(
        path,
        voice.line,
        _(
            "%(where)s: %(engine)s is not installed, so the video cannot be rendered (%(reason)s)",
            where=where,
            engine=engine.title,
            reason=reason,
        ),
        _("Install it, or add `fallback: %(engine)s`.", engine=DEFAULT_ENGINE),
        "warning",
    )


def _check_name(
    path: Path, where: str, voice: Voice, engine: Engine, installed: bool
) -> list[Problem]:
    if engine.voice_names is None:
        if voice.name:
            return [
                Problem(
                    path,
                    voice.line,
                    _(
                        "%(where)s: %(engine)s has no voice names: name %(name)r is not used",
                        where=where,
                        engine=engine.title,
                        name=voice.name,
                    ),
                    _("Choose its voice with `file` (and pitch, speed, alpha)."),
                )
            ]
        return []
    if not voice.name:
        known = (
            ", ".join(sorted(engine.voice_names()))
            if installed
            else _("See the engine's documentation.")
        )
        return [
            Problem(
                path,
                voice.line,
                _("%(where)s: a %(engine)s voice needs a name", where=where, engine=engine.title),
                known,
            )
        ]
    if installed and voice.name not in engine.voice_names():
        return [
            Problem(
                path,
                voice.line,
                _(
                    "%(where)s: %(engine)s has no voice %(name)r",
                    where=where,
                    engine=engine.title,
                    name=voice.name,
                ),
                did_you_mean(voice.name, engine.voice_names())
                or _("Use one of: %(values)s.", values=", ".join(sorted(engine.voice_names()))),
            )
        ]
    if not voice.fallback and (voice.pitch or voice.alpha is not None):
        return [
            Problem(
                path,
                voice.line,
                _("%(where)s: pitch and alpha apply to Open JTalk voices only", where=where),
                _(
                    "Remove them, or add `fallback: %(engine)s` for which they are meant.",
                    engine=DEFAULT_ENGINE,
                ),
                "warning",
            )
        ]
    return []


# Open JTalk: the open_jtalk program with an HTS voice (tts.py).


def _open_jtalk_require() -> None:
    tools.open_jtalk()
    tools.dictionary()


def _voice_credit(name: str) -> str:
    for prefix, credit in VOICE_CREDITS.items():
        if name.startswith(prefix):
            return credit
    return f"HTS voice: {name}"


def _open_jtalk_credits(voices: list[Voice]) -> list[str]:
    return [
        ENGINE_CREDIT,
        *dict.fromkeys(_voice_credit(v) for v in sorted({v.file for v in voices})),
    ]


def _open_jtalk_reading(text: str) -> str:
    """The pronunciations Open JTalk's text analysis gives the words of ``text``."""
    with tempfile.TemporaryDirectory(prefix="tsunagu-reading-") as tmp:
        folder = Path(tmp)
        (folder / "text.txt").write_text(text + "\n", encoding="utf-8")
        args = tts.command(Voice(), folder / "speech.wav", folder / "text.txt")
        args[-1:-1] = ["-ot", str(folder / "trace.txt")]
        subprocess.run(args, capture_output=True, timeout=60, check=True)
        trace = (folder / "trace.txt").read_text(encoding="utf-8").split("\n\n")[0].splitlines()[1:]
    words = [line.split(",") for line in trace]
    return " ".join(fields[9] for fields in words if len(fields) > 9 and fields[1] != "記号")


register(
    Engine(
        DEFAULT_ENGINE,
        "Open JTalk",
        _open_jtalk_require,
        tts.synthesise,
        _open_jtalk_reading,
        _open_jtalk_credits,
    )
)
register(
    Engine(
        "kokoro",
        "Kokoro",
        kokoro.require,
        kokoro.synthesise,
        kokoro.reading,
        kokoro.credits,
        kokoro.voice_names,
    )
)
