"""Offline speech synthesis with Open JTalk (the ``open_jtalk`` program and an HTS voice)."""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from app.rendering import tools
from app.rendering.script import Voice

SAMPLE_RATE = 48000  # the rate of the Mei voice; every clip is checked against it


class SynthesisFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Speech:
    path: Path
    samples: int
    rate: int

    @property
    def seconds(self) -> float:
        return self.samples / self.rate


def command(voice: Voice, out: Path, text_file: Path) -> list[str]:
    args = [
        tools.open_jtalk(),
        "-x",
        str(tools.dictionary()),
        "-m",
        str(tools.voice(voice.file)),
        "-ow",
        str(out),
        "-s",
        str(SAMPLE_RATE),
        "-r",
        f"{voice.speed:g}",
        "-fm",
        f"{voice.pitch:g}",
        "-g",
        f"{voice.volume:g}",
    ]
    if voice.alpha is not None:
        args += ["-a", f"{voice.alpha:g}"]
    return [*args, str(text_file)]


def synthesise(text: str, voice: Voice, out: Path) -> Speech:
    """Speak ``text`` into the WAV file ``out``; the duration is measured from its samples."""
    text_file = out.with_suffix(".txt")
    text_file.write_text(text + "\n", encoding="utf-8")
    result = subprocess.run(
        command(voice, out, text_file), capture_output=True, timeout=120, check=False
    )
    if result.returncode != 0 or not out.exists():
        tail = result.stderr.decode("utf-8", "replace").strip()[-400:]
        raise SynthesisFailed(
            _(
                "Open JTalk could not speak the line %(text)s: %(error)s",
                text=text[:40],
                error=tail or result.returncode,
            )
        )
    with wave.open(str(out), "rb") as clip:
        if (
            clip.getnchannels() != 1
            or clip.getsampwidth() != 2
            or clip.getframerate() != SAMPLE_RATE
        ):
            raise SynthesisFailed(
                _(
                    "Open JTalk produced audio in an unexpected format (%(rate)d Hz).",
                    rate=clip.getframerate(),
                )
            )
        return Speech(out, clip.getnframes(), clip.getframerate())
