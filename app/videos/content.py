"""The ``videos/`` content folder: ``videos/<id>/video.yaml`` beside its media and captions.

Registers the "videos" content kind, so that ``flask --app app content check`` validates
every video folder (schema, missing media or caption files, missing Japanese title, captions
that do not parse) and ``content sync`` ingests them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from app.content import registry
from app.content.registry import Problem, SyncResult
from app.content.yamlfile import LineDict, LineList, YamlError, load_file
from app.videos.media import MEDIA_EXTENSIONS, CaptionError, convert_captions

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
KNOWN_KEYS = {
    "id",
    "title",
    "description",
    "source",
    "captions",
    "chapters",
    "completion_threshold",
    # written by the role-play renderer (flask videos render); informative only
    "rendered_from",
    "script_sha256",
    "renderer",
    "pronunciation_sha256",
    "version",
    "duration",
    "script",
}
CAPTION_LANGUAGES = ("ja", "en")
RESERVED_SLUGS = frozenset({"admin", "media", "quality"})  # pages under /videos/


@dataclass
class VideoSpec:
    """What a ``video.yaml`` (or a bare media file) says about a video."""

    slug: str
    title_ja: str
    title_en: str | None = None
    description_ja: str | None = None
    description_en: str | None = None
    source: Path | None = None
    captions: dict[str, Path] = field(default_factory=dict)
    chapters: list[dict] = field(default_factory=list)
    completion_threshold: float | None = None
    content_path: str | None = None


def _text(
    value, line: int, what: str, path: Path, problems: list[Problem], required_ja: bool
) -> tuple[str | None, str | None]:
    """A {ja: …, en: …} text (a plain string counts as Japanese)."""
    if value is None:
        if required_ja:
            problems.append(
                Problem(
                    path,
                    line,
                    _("%(what)s: the Japanese text (ja) is missing", what=what),
                    _('Write %(what)s: {ja: "…"}', what=what),
                )
            )
        return None, None
    if isinstance(value, str):
        value = {"ja": value}
    if not isinstance(value, dict):
        problems.append(
            Problem(
                path, line, _('%(what)s must be a mapping such as {ja: "…", en: "…"}', what=what)
            )
        )
        return None, None
    ja, en = value.get("ja"), value.get("en")
    if required_ja and not (isinstance(ja, str) and ja.strip()):
        problems.append(
            Problem(
                path,
                line,
                _("%(what)s: the Japanese text (ja) is missing", what=what),
                _("Japanese is required; English is optional."),
            )
        )
    for key in value:
        if key not in CAPTION_LANGUAGES:
            problems.append(
                Problem(
                    path,
                    line,
                    _("%(what)s: unknown language %(lang)r", what=what, lang=key),
                    _("Use ja and en."),
                )
            )
    return (ja.strip() if isinstance(ja, str) and ja.strip() else None), (
        en.strip() if isinstance(en, str) and en.strip() else None
    )


def parse_timestamp(value) -> float | None:
    """``83``, ``"1:23"`` or ``"0:01:23.5"`` → seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str) and re.fullmatch(r"(\d+:){0,2}\d+(\.\d+)?", value.strip()):
        seconds = 0.0
        for part in value.strip().split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    return None


def _default_source(folder: Path) -> Path | None:
    preferred = folder / "source.mp4"
    if preferred.exists():
        return preferred
    media = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in MEDIA_EXTENSIONS and p.is_file()
    )
    return media[0] if media else None


def load_spec(
    yaml_path: Path, *, check_captions: bool = True
) -> tuple[VideoSpec | None, list[Problem]]:
    """Read and validate ``videos/<id>/video.yaml``; the spec is None when there are errors."""
    problems: list[Problem] = []
    folder = yaml_path.parent
    try:
        data = load_file(yaml_path)
    except YamlError as exc:
        return None, [Problem(yaml_path, exc.line, _("not valid YAML: %(error)s", error=str(exc)))]
    if not isinstance(data, LineDict):
        return None, [
            Problem(
                yaml_path, 1, _("video.yaml must be a mapping of keys such as id, title, captions")
            )
        ]
    slug = folder.name
    if not SLUG_RE.match(slug):
        problems.append(
            Problem(
                folder,
                None,
                _("folder name %(slug)r is not a valid id", slug=slug),
                _("Use lower-case letters, digits and hyphens."),
            )
        )
    elif slug in RESERVED_SLUGS:
        problems.append(
            Problem(
                folder,
                None,
                _("%(slug)r is a reserved name", slug=slug),
                _("Choose another folder name."),
            )
        )
    if "id" in data and data["id"] != slug:
        problems.append(
            Problem(
                yaml_path,
                data.line_of("id"),
                _("id %(id)r differs from the folder name %(slug)r", id=data["id"], slug=slug),
                _("The folder name is the id."),
            )
        )
    for key in data:
        if key not in KNOWN_KEYS:
            problems.append(
                Problem(
                    yaml_path,
                    data.line_of(key),
                    _("unknown key %(key)r", key=key),
                    _("Known keys: %(keys)s", keys=", ".join(sorted(KNOWN_KEYS))),
                    "warning",
                )
            )
    title_ja, title_en = _text(
        data.get("title"), data.line_of("title"), "title", yaml_path, problems, True
    )
    description_ja, description_en = (
        _text(
            data.get("description"),
            data.line_of("description"),
            "description",
            yaml_path,
            problems,
            False,
        )
        if "description" in data
        else (None, None)
    )

    source = None
    if "source" in data:
        if not isinstance(data["source"], str) or not data["source"].strip():
            problems.append(
                Problem(
                    yaml_path,
                    data.line_of("source"),
                    _("source must be a file name such as source.mp4"),
                )
            )
        else:
            source = folder / data["source"].strip()
            if not source.is_file() or folder.resolve() not in source.resolve().parents:
                problems.append(
                    Problem(
                        yaml_path,
                        data.line_of("source"),
                        _("the media file %(name)r is missing", name=data["source"]),
                        _("Put it in the same folder as video.yaml."),
                    )
                )
                source = None
    else:
        source = _default_source(folder)
        if source is None:
            problems.append(
                Problem(
                    yaml_path,
                    data.line,
                    _("no media file: expected source.mp4 (or name it with source:)"),
                    _("Render the script or copy the media into the folder."),
                )
            )

    captions: dict[str, Path] = {}
    raw_captions = data.get("captions")
    caption_lines: dict[str, int] = {}
    if raw_captions is None:
        for lang in CAPTION_LANGUAGES:  # the renderer's naming convention
            for suffix in (".vtt", ".srt"):
                candidate = folder / f"captions.{lang}{suffix}"
                if candidate.exists() and lang not in captions:
                    captions[lang], caption_lines[lang] = candidate, data.line
    elif isinstance(raw_captions, str):  # a single file: the Japanese captions
        captions["ja"], caption_lines["ja"] = folder / raw_captions, data.line_of("captions")
    elif isinstance(raw_captions, LineDict):
        for lang, name in raw_captions.items():
            line = raw_captions.line_of(lang)
            if lang not in CAPTION_LANGUAGES:
                problems.append(
                    Problem(
                        yaml_path,
                        line,
                        _("captions: unknown language %(lang)r", lang=lang),
                        _("Use ja and en."),
                    )
                )
            elif not isinstance(name, str):
                problems.append(
                    Problem(yaml_path, line, _("captions.%(lang)s must be a file name", lang=lang))
                )
            else:
                captions[lang], caption_lines[lang] = folder / name, line
    elif isinstance(raw_captions, LineList):
        for index, item in enumerate(raw_captions):
            line = raw_captions.line_of(index)
            if (
                not isinstance(item, dict)
                or item.get("lang") not in CAPTION_LANGUAGES
                or not isinstance(item.get("file"), str)
            ):
                problems.append(
                    Problem(yaml_path, line, _("each caption entry needs lang (ja or en) and file"))
                )
            else:
                captions[item["lang"]], caption_lines[item["lang"]] = folder / item["file"], line
    else:
        problems.append(
            Problem(
                yaml_path,
                data.line_of("captions"),
                _("captions must be a mapping such as {ja: captions.ja.vtt}"),
            )
        )
    if "ja" not in captions:
        problems.append(
            Problem(
                yaml_path,
                data.line_of("captions"),
                _("Japanese captions are required"),
                _("Add captions: {ja: captions.ja.vtt} (WebVTT or SRT)."),
            )
        )
    for lang, path in captions.items():
        line = caption_lines[lang]
        if path.suffix.lower() not in (".vtt", ".srt"):
            problems.append(
                Problem(
                    yaml_path,
                    line,
                    _(
                        "captions.%(lang)s: %(name)s is neither WebVTT (.vtt) nor SRT (.srt)",
                        lang=lang,
                        name=path.name,
                    ),
                )
            )
        elif not path.is_file():
            problems.append(
                Problem(
                    yaml_path,
                    line,
                    _("captions.%(lang)s: the file %(name)r is missing", lang=lang, name=path.name),
                )
            )
        elif check_captions:
            try:
                convert_captions(path)
            except CaptionError as exc:
                problems.append(
                    Problem(path, exc.line, _("captions do not parse: %(error)s", error=str(exc)))
                )

    chapters = []
    raw_chapters = data.get("chapters") or []
    if not isinstance(raw_chapters, list):
        problems.append(
            Problem(
                yaml_path,
                data.line_of("chapters"),
                _('chapters must be a list of {at: "0:00", title: {ja: …}}'),
            )
        )
        raw_chapters = []
    for index, item in enumerate(raw_chapters):
        line = (
            raw_chapters.line_of(index)
            if isinstance(raw_chapters, LineList)
            else data.line_of("chapters")
        )
        if not isinstance(item, dict):
            problems.append(
                Problem(yaml_path, line, _('a chapter must be {at: "0:00", title: {ja: …}}'))
            )
            continue
        at = parse_timestamp(
            item.get("at", item.get("start"))
        )  # the renderer writes start: seconds
        if at is None:
            problems.append(Problem(yaml_path, line, _("chapter: at must be a time such as 1:23")))
            continue
        ja, en = _text(item.get("title"), line, "chapter title", yaml_path, problems, True)
        chapters.append({"at": at, "ja": ja, "en": en})

    threshold = data.get("completion_threshold")
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 < threshold <= 1
    ):
        problems.append(
            Problem(
                yaml_path,
                data.line_of("completion_threshold"),
                _("completion_threshold must be a number above 0 and at most 1, such as 0.9"),
            )
        )
        threshold = None

    if any(p.severity == "error" for p in problems):
        return None, problems
    spec = VideoSpec(
        slug=slug,
        title_ja=title_ja or slug,
        title_en=title_en,
        description_ja=description_ja,
        description_en=description_en,
        source=source,
        captions=captions,
        chapters=sorted(chapters, key=lambda c: c["at"]),
        completion_threshold=float(threshold) if threshold is not None else None,
        content_path=f"videos/{slug}",
    )
    return spec, problems


def find(root: Path) -> list[Path]:
    folder = root / "videos"
    return sorted(folder.glob("*/video.yaml")) if folder.is_dir() else []


def check(paths: list[Path], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        problems += load_spec(path)[1]
    return problems


def sync(paths: list[Path], root: Path) -> SyncResult:
    """Ingest every video folder; an identical source is skipped by its content hash.

    Runs the transcodes here rather than on the queue: ``content sync`` is an operator's
    command and should leave every video published (or report why not) when it returns.
    """
    from app.videos import service
    from app.videos.media import MediaRefused

    result = SyncResult(kind="videos")
    for path in paths:
        try:
            outcome = service.ingest_path(path.parent, wait=True)
        except MediaRefused as exc:
            result.messages.append(f"{path.parent.name}: {service.refusal_message(exc)}")
            continue
        except service.IngestError as exc:
            result.messages.append(f"{path.parent.name}: {exc}")
            continue
        failed = outcome.jobs and outcome.jobs[-1].state == "failed"
        if failed:
            result.messages.append(
                _(
                    "%(slug)s: conversion failed (job %(job)d); see flask videos list",
                    slug=path.parent.name,
                    job=outcome.jobs[-1].id,
                )
            )
        elif outcome.last_ingest == "new":
            result.created += 1
        elif outcome.last_ingest == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    return result


KIND = registry.ContentKind("videos", find, check, sync, order=10)
