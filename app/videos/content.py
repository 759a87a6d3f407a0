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
from flask_babel import lazy_gettext as _l

from app.content import registry
from app.content.registry import Problem, SyncResult
from app.content.spec import (
    Anything,
    Context,
    Enum,
    Field,
    ListOf,
    MapOf,
    Number,
    OneOf,
    Spec,
    Str,
    Text,
    Type,
    check_mapping,
    own_label,
    subject,
)
from app.content.yamlfile import LineDict, LineList
from app.videos.media import MEDIA_EXTENSIONS, CaptionError, convert_captions

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
#: written by the role-play renderer (flask videos render); informative only
RENDERER_KEYS = (
    "rendered_from",
    "script_sha256",
    "renderer",
    "pronunciation_sha256",
    "version",
    "duration",
    "script",
)
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


class Timestamp(Type):
    """``83``, ``"1:23"`` or ``"0:01:23.5"``."""

    def check(self, ctx, value, line, where, key) -> bool:
        if parse_timestamp(value) is not None:
            return True
        ctx.error(
            line,
            _(
                "%(what)s must be a time such as 1:23, not %(value)r",
                what=subject(where, key),
                value=value,
            ),
            _('Write `%(key)s: "1:23"` (minutes:seconds) or seconds.', key=key),
        )
        return False


def _check_folder(ctx: Context, data: LineDict, where: str) -> None:
    """The folder name is the video's id (and not a page of the portal)."""
    folder, slug = ctx.path.parent, ctx.path.parent.name
    if not SLUG_RE.match(slug):
        ctx.problems.append(
            Problem(
                folder,
                None,
                _("folder name %(slug)r is not a valid id", slug=slug),
                _("Use lower-case letters, digits and hyphens."),
            )
        )
    elif slug in RESERVED_SLUGS:
        ctx.problems.append(
            Problem(
                folder,
                None,
                _("%(slug)r is a reserved name", slug=slug),
                _("Choose another folder name."),
            )
        )
    if "id" in data and data["id"] != slug:
        ctx.error(
            data.line_of("id"),
            _("id %(id)r differs from the folder name %(slug)r", id=data["id"], slug=slug),
            _("The folder name is the id."),
        )


def _check_source(ctx: Context, data: LineDict, where: str) -> None:
    """The media file named by ``source:`` (or found by convention) is in the folder."""
    folder = ctx.path.parent
    name = ctx.value(data, "source")
    if name is not None:
        source = folder / name.strip()
        if not source.is_file() or folder.resolve() not in source.resolve().parents:
            ctx.error(
                data.line_of("source"),
                _("the media file %(name)r is missing", name=name),
                _("Put it in the same folder as video.yaml."),
            )
            source = None
    elif "source" in data:
        source = None  # reported by its type
    else:
        source = _default_source(folder)
        if source is None:
            ctx.error(
                data.line,
                _("no media file: expected source.mp4 (or name it with source:)"),
                _("Render the script or copy the media into the folder."),
            )
    ctx.source["source"] = source


def _caption_files(ctx: Context, data: LineDict) -> dict[str, tuple[Path, int]]:
    """Each language's caption file and the line that names it."""
    folder, value = ctx.path.parent, ctx.value(data, "captions")
    if "captions" not in data:
        found: dict[str, tuple[Path, int]] = {}
        for lang in CAPTION_LANGUAGES:  # the renderer's naming convention
            for suffix in (".vtt", ".srt"):
                candidate = folder / f"captions.{lang}{suffix}"
                if candidate.exists() and lang not in found:
                    found[lang] = (candidate, data.line)
        return found
    if isinstance(value, str):  # a single file: the Japanese captions
        return {"ja": (folder / value, data.line_of("captions"))}
    if isinstance(value, LineDict):
        return {
            lang: (folder / name, value.line_of(lang))
            for lang, name in value.items()
            if ctx.ok(value, lang)
        }
    if isinstance(value, LineList):
        return {
            item["lang"]: (folder / item["file"], value.line_of(index))
            for index, item in enumerate(value)
            if ctx.ok(value, index)
        }
    return {}


def _check_captions(ctx: Context, data: LineDict, where: str) -> None:
    """Japanese captions exist, and every caption file is WebVTT or SRT and parses."""
    captions = _caption_files(ctx, data)
    if "ja" not in captions:
        ctx.error(
            data.line_of("captions"),
            _("Japanese captions are required"),
            _("Add captions: {ja: captions.ja.vtt} (WebVTT or SRT)."),
        )
    for lang, (path, line) in captions.items():
        if path.suffix.lower() not in (".vtt", ".srt"):
            ctx.error(
                line,
                _(
                    "captions.%(lang)s: %(name)s is neither WebVTT (.vtt) nor SRT (.srt)",
                    lang=lang,
                    name=path.name,
                ),
            )
        elif not path.is_file():
            ctx.error(
                line,
                _("captions.%(lang)s: the file %(name)r is missing", lang=lang, name=path.name),
            )
        elif ctx.source["check_captions"]:
            try:
                convert_captions(path)
            except CaptionError as exc:
                ctx.problems.append(
                    Problem(path, exc.line, _("captions do not parse: %(error)s", error=str(exc)))
                )
    ctx.source["captions"] = {lang: path for lang, (path, _line) in captions.items()}


CAPTION_ENTRY = Spec(
    {
        "lang": Field(Enum(CAPTION_LANGUAGES), required=True),
        "file": Field(Str(), required=True),
    },
    shape=_l("Write {lang: ja, file: captions.ja.vtt}."),
)
CHAPTER = Spec(
    {
        "at": Field(Timestamp(), required=lambda ctx, chapter: "start" not in chapter),
        "start": Field(Timestamp()),  # the renderer writes start: <seconds>
        "title": Field(Text(plain=True), required=True),
    },
    shape=_l('Write {at: "0:00", title: {ja: "…"}}.'),
)
#: ``videos/<id>/video.yaml`` (documented in videos/README.md)
VIDEO = Spec(
    {
        "id": Field(Anything()),
        "title": Field(Text(plain=True), required=True),
        "description": Field(Text(plain=True)),
        "source": Field(Str()),
        "captions": Field(
            OneOf(
                text=Str(),
                mapping=MapOf(Str(), key=Enum(CAPTION_LANGUAGES)),
                items=ListOf(CAPTION_ENTRY),
                shape=_l("a mapping such as {ja: captions.ja.vtt}"),
            )
        ),
        "chapters": Field(ListOf(CHAPTER, min_items=0, label=own_label(_l("chapter")))),
        "completion_threshold": Field(Number(above=0, maximum=1)),
        # written by the role-play renderer (flask videos render); informative only
        **{key: Field(Anything()) for key in RENDERER_KEYS},
    },
    checks=(_check_folder, _check_source, _check_captions),
    unknown="warning",
)


def load_spec(
    yaml_path: Path, *, check_captions: bool = True
) -> tuple[VideoSpec | None, list[Problem]]:
    """Read and validate ``videos/<id>/video.yaml``; the spec is None when there are errors."""
    ctx = Context(yaml_path, yaml_path.parent.parent.parent)
    ctx.source = {"check_captions": check_captions}
    data = ctx.load(_('Start the file with `title: {ja: "…"}` (the folder name is the id).'))
    if data is None:
        return None, ctx.problems
    check_mapping(ctx, data, VIDEO, _("the video"))
    if ctx.failed:
        return None, ctx.problems
    slug = yaml_path.parent.name
    title, description = ctx.value(data, "title"), ctx.value(data, "description")
    threshold = ctx.value(data, "completion_threshold")
    return VideoSpec(
        slug=slug,
        title_ja=_language(title, "ja") or slug,
        title_en=_language(title, "en"),
        description_ja=_language(description, "ja"),
        description_en=_language(description, "en"),
        source=ctx.source["source"],
        captions=ctx.source["captions"],
        chapters=sorted(
            (_chapter(chapter) for chapter in ctx.value(data, "chapters") or []),
            key=lambda c: c["at"],
        ),
        completion_threshold=float(threshold) if threshold is not None else None,
        content_path=f"videos/{slug}",
    ), ctx.problems


def _language(text, lang: str) -> str | None:
    """One language of a checked text (a plain string is Japanese)."""
    value = {"ja": text} if isinstance(text, str) else (text or {})
    found = value.get(lang)
    return found.strip() if isinstance(found, str) and found.strip() else None


def _chapter(chapter: LineDict) -> dict:
    title = chapter["title"]
    return {
        "at": parse_timestamp(chapter.get("at", chapter.get("start"))),
        "ja": _language(title, "ja"),
        "en": _language(title, "en"),
    }


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
    from app.videos.models import JobState

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
        failed = outcome.jobs and outcome.jobs[-1].state == JobState.FAILED
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
