"""The content kinds of the rendering area, validated like any content file:

- "video-scripts": ``videos/*/script.yaml`` — the script, its glyphs, and the captions the
  renderer will make from it (lines, reading speed);
- "pronunciation": ``videos/pronunciation.yaml`` — the dictionary, and how each term is read;
- "captions": ``videos/*/captions.ja.vtt`` of folders without a script — lines and reading
  speed of captions made elsewhere (warnings: the file is what it is).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import gettext as _

from app.content.registry import ContentKind, Problem, yaml_with_keys
from app.rendering import captions, cards, engines, frontend, pronunciation, scenery, tools
from app.rendering.render import CAPTIONS_NAME, SCRIPT_NAME, is_up_to_date, rendered_metadata
from app.rendering.script import Script, parse, text_lines


def find(root: Path) -> list[Path]:
    return sorted((root / "videos").glob(f"*/{SCRIPT_NAME}"))


def _engine():
    """The speech engine's front end, or None (with the reason) when it is not installed."""
    try:
        return frontend.open_jtalk(), ""
    except tools.ToolMissing as exc:
        return None, str(exc)


def caption_problems(script: Script, dictionary: pronunciation.Dictionary, engine) -> list[Problem]:
    """Every cue the renderer would make that breaks the caption rules, at its script line.

    Speech is not synthesised here: its length is estimated from the morae (the render
    measures it). A line whose caption cannot be read at 6 characters a second even over its
    speech and pause together is an error: it needs a shorter ``caption:``.
    """
    problems: list[Problem] = []
    voice_dictionary = dictionary.for_engine(engine)
    every_cue: list[captions.CaptionCue] = []
    for scene in script.scenes:
        for line in script.utterances(scene):
            spoken = voice_dictionary.spoken(line.text, line.reading)
            speech = captions.estimate_seconds(
                engine.words(spoken), script.cast[line.speaker].voice.speed
            )
            window = speech + line.pause
            cues = captions.cues_for(line.caption, engine, dictionary, 0.0, speech, window)
            every_cue += cues
            for finding in captions.line_findings(cues, window):
                problems.append(_line_problem(script.path, line, finding, window))
    median = captions.median_cps(every_cue)
    if median > captions.MEDIAN_CPS:
        problems.append(
            Problem(
                script.path,
                None,
                _(
                    "captions: the median reading speed is %(cps).1f characters a second (at most %(limit)g)",
                    cps=median,
                    limit=captions.MEDIAN_CPS,
                ),
                _("give the longest lines a shorter caption:"),
                "warning",
            )
        )
    return problems


def _line_problem(path: Path, line, finding: captions.Finding, window: float) -> Problem:
    message = _("caption: %(finding)s", finding=finding.message)
    if finding.fits:
        return Problem(
            path,
            line.caption_source_line,
            message,
            _("a longer pause: gives the caption more time; or add a shorter caption:"),
            "warning",
        )
    most = int(captions.MAX_CPS * window)
    if line.key_point:
        hint = _("shorten the key point to about %(n)d characters", n=most)
    else:
        hint = _(
            "add caption: with a shorter text of at most %(n)d characters (the line is spoken too fast to read in full)",
            n=most,
        )
    return Problem(path, line.caption_source_line, message, hint)


def check_one(path: Path) -> list[Problem]:
    voices = tools.installed_voices()
    script, problems = parse(path, set(voices) if voices else None)
    if not voices:
        problems.append(
            Problem(
                path,
                None,
                _("no HTS voice is installed, so the voices were not checked"),
                "pip install pyopenjtalk-plus",
                "warning",
            )
        )
    if script is None:
        return problems
    dictionary, _dictionary_problems = pronunciation.load(pronunciation.beside(path))
    engine, missing = _engine()
    if engine is None:
        problems.append(
            Problem(
                path,
                None,
                _("captions not checked: %(reason)s", reason=missing),
                severity="warning",
            )
        )
    elif dictionary is not None:  # a broken dictionary is reported on its own file
        problems += caption_problems(script, dictionary, engine)
    problems += engines.check(script, path)
    try:
        font = tools.font()
    except tools.ToolMissing as exc:
        return [
            *problems,
            Problem(
                path, None, _("glyphs not checked: %(reason)s", reason=exc), severity="warning"
            ),
        ]
    lines = text_lines(path)
    for text in script.texts():
        for char in cards.missing_glyphs(text, font):
            problems.append(
                Problem(
                    path,
                    lines.get(char),
                    _(
                        "the font %(font)s has no glyph for %(char)s (U+%(code)s)",
                        font=font.name,
                        char=repr(char),
                        code=f"{ord(char):04X}",
                    ),
                    _("use another character: it would show as an empty box"),
                )
            )
    problems += _render_state(path, script, dictionary)
    return problems


def _render_state(
    path: Path, script: Script, dictionary: pronunciation.Dictionary | None
) -> list[Problem]:
    render_hint = f"flask --app app videos render {script.id}"
    if not (path.parent / "video.yaml").exists():
        return [
            Problem(path, None, _("the video has not been rendered yet"), render_hint, "warning")
        ]
    if not is_up_to_date(
        path.parent, script.sha256, None, dictionary.sha256 if dictionary else None
    ):
        return [
            Problem(
                path,
                None,
                _(
                    "the script or the pronunciation dictionary changed since the video was rendered"
                ),
                render_hint,
                "warning",
            )
        ]
    if "pronunciation_sha256" not in (rendered_metadata(path.parent) or {}):
        return [
            Problem(
                path,
                None,
                _(
                    "the video was rendered before the pronunciation dictionary and the caption rules"
                ),
                render_hint + " --force",
                "warning",
            )
        ]
    return []


def check(paths: list[Path], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        problems += check_one(path)
    return problems + scenery.check_folder(root / "videos" / scenery.ILLUSTRATIONS_DIR)


def find_dictionary(root: Path) -> list[Path]:
    path = pronunciation.path_for(root)
    return [path] if path.exists() else []


def check_dictionary(paths: list[Path], root: Path) -> list[Problem]:
    engine, _missing = _engine()
    problems: list[Problem] = []
    for path in paths:
        problems += pronunciation.check(path, engine)
    return problems


def find_captions(root: Path) -> list[Path]:
    """Japanese WebVTT captions that were not rendered from a script."""
    return sorted(
        p
        for p in (root / "videos").glob(f"*/{CAPTIONS_NAME}")
        if not (p.parent / SCRIPT_NAME).exists()
    )


def vtt_problems(path: Path) -> list[Problem]:
    """Warnings for every cue of a WebVTT file that breaks the caption rules, at its line."""
    from app.videos.media import CaptionError, parse_captions

    try:
        parsed = parse_captions(path.read_text(encoding="utf-8"), srt=False)
    except (CaptionError, OSError, UnicodeDecodeError):
        return []  # the video folder's own check reports a file that does not parse
    problems: list[Problem] = []
    cues = []
    for raw in parsed:
        cue = captions.CaptionCue(
            raw.start,
            raw.end,
            tuple(_plain(line) for line in raw.text.splitlines() if line.strip()),
        )
        cues.append(cue)
        for finding in captions.line_findings([cue], 0.0):
            problems.append(
                Problem(
                    path,
                    raw.line,
                    _("caption: %(finding)s", finding=finding.message),
                    _("shorten the cue or split it"),
                    "warning",
                )
            )
    median = captions.median_cps(cues)
    if median > captions.MEDIAN_CPS:
        problems.append(
            Problem(
                path,
                None,
                _(
                    "captions: the median reading speed is %(cps).1f characters a second (at most %(limit)g)",
                    cps=median,
                    limit=captions.MEDIAN_CPS,
                ),
                _("shorten the cues or show them longer"),
                "warning",
            )
        )
    return problems


def _plain(line: str) -> str:
    """A cue line without its WebVTT tags (<v Speaker>, <b> …)."""
    return (
        re.sub(r"<[^>]*>", "", line).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )


def check_captions(paths: list[Path], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        problems += vtt_problems(path)
    return problems


# Rendering is an explicit step (a command or the admin button), not part of content sync:
# the rendered folder is then a video like any other.
KIND = ContentKind(
    "video-scripts", find, check, sync=None, order=5, recognise=yaml_with_keys("cast", "scenes")
)
DICTIONARY_KIND = ContentKind(
    "pronunciation", find_dictionary, check_dictionary, sync=None, order=4, prose=False
)
CAPTIONS_KIND = ContentKind("captions", find_captions, check_captions, sync=None, order=11)
ALL_KINDS = (DICTIONARY_KIND, KIND, CAPTIONS_KIND)
