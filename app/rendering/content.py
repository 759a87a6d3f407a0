"""The content kind "video-scripts": ``videos/*/script.yaml``, validated like any content file."""

from __future__ import annotations

from pathlib import Path

from app.content.registry import ContentKind, Problem, register
from app.rendering import cards, engines, tools
from app.rendering.render import is_up_to_date
from app.rendering.script import parse, text_lines


def find(root: Path) -> list[Path]:
    return sorted((root / "videos").glob("*/script.yaml"))


def check_one(path: Path) -> list[Problem]:
    voices = tools.installed_voices()
    script, problems = parse(path, set(voices) if voices else None)
    if not voices:
        problems.append(Problem(path, None, "no HTS voice is installed, so the voices were not checked", "pip install pyopenjtalk-plus", "warning"))
    if script is None:
        return problems
    problems += engines.check(script, path)
    try:
        font = tools.font()
    except tools.ToolMissing as exc:
        return [*problems, Problem(path, None, f"glyphs not checked: {exc}", severity="warning")]
    lines = text_lines(path)
    for text in script.texts():
        for char in cards.missing_glyphs(text, font):
            problems.append(Problem(path, lines.get(char), f"the font {font.name} has no glyph for {char!r} (U+{ord(char):04X})", "use another character: it would show as an empty box"))
    if (path.parent / "video.yaml").exists() and not is_up_to_date(path.parent, script.sha256, None):
        problems.append(Problem(path, None, "the script changed since the video was rendered", f"flask --app app videos render {script.id}", "warning"))
    elif not (path.parent / "video.yaml").exists():
        problems.append(Problem(path, None, "the video has not been rendered yet", f"flask --app app videos render {script.id}", "warning"))
    return problems


def check(paths: list[Path], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        problems += check_one(path)
    return problems


# Rendering is an explicit step (a command or the admin button), not part of content sync:
# the rendered folder is then a video like any other.
KIND = register(ContentKind("video-scripts", find, check, sync=None, order=5))
