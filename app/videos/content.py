"""The ``videos/`` content folder: ``videos/<id>/video.yaml`` beside its media and captions.

Registers the "videos" content kind, so that ``flask --app app content check`` validates
every video folder (schema, missing media or caption files, missing Japanese title, captions
that do not parse) and ``content sync`` ingests them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.content import registry
from app.content.registry import Problem, SyncResult
from app.content.yamlfile import LineDict, LineList, YamlError, load_file
from app.videos.media import MEDIA_EXTENSIONS, CaptionError, convert_captions

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
KNOWN_KEYS = {"id", "title", "description", "source", "captions", "chapters", "completion_threshold", "version", "duration", "script"}
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


def _text(value, line: int, what: str, path: Path, problems: list[Problem], required_ja: bool) -> tuple[str | None, str | None]:
    """A {ja: …, en: …} text (a plain string counts as Japanese)."""
    if value is None:
        if required_ja:
            problems.append(Problem(path, line, f"{what}: the Japanese text (ja) is missing", f'write {what}: {{ja: "…"}}'))
        return None, None
    if isinstance(value, str):
        value = {"ja": value}
    if not isinstance(value, dict):
        problems.append(Problem(path, line, f"{what} must be a mapping such as {{ja: \"…\", en: \"…\"}}"))
        return None, None
    ja, en = value.get("ja"), value.get("en")
    if required_ja and not (isinstance(ja, str) and ja.strip()):
        problems.append(Problem(path, line, f"{what}: the Japanese text (ja) is missing", "Japanese is required; English is optional"))
    for key in value:
        if key not in CAPTION_LANGUAGES:
            problems.append(Problem(path, line, f"{what}: unknown language {key!r}", "use ja and en"))
    return (ja.strip() if isinstance(ja, str) and ja.strip() else None), (en.strip() if isinstance(en, str) and en.strip() else None)


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
    media = sorted(p for p in folder.iterdir() if p.suffix.lower() in MEDIA_EXTENSIONS and p.is_file())
    return media[0] if media else None


def load_spec(yaml_path: Path, *, check_captions: bool = True) -> tuple[VideoSpec | None, list[Problem]]:
    """Read and validate ``videos/<id>/video.yaml``; the spec is None when there are errors."""
    problems: list[Problem] = []
    folder = yaml_path.parent
    try:
        data = load_file(yaml_path)
    except YamlError as exc:
        return None, [Problem(yaml_path, exc.line, f"not valid YAML: {exc}")]
    if not isinstance(data, LineDict):
        return None, [Problem(yaml_path, 1, "video.yaml must be a mapping of keys such as id, title, captions")]
    slug = folder.name
    if not SLUG_RE.match(slug):
        problems.append(Problem(folder, None, f"folder name {slug!r} is not a valid id", "lower-case letters, digits and hyphens"))
    elif slug in RESERVED_SLUGS:
        problems.append(Problem(folder, None, f"{slug!r} is a reserved name", "choose another folder name"))
    if "id" in data and data["id"] != slug:
        problems.append(Problem(yaml_path, data.line_of("id"), f"id {data['id']!r} differs from the folder name {slug!r}", "the folder name is the id"))
    for key in data:
        if key not in KNOWN_KEYS:
            problems.append(Problem(yaml_path, data.line_of(key), f"unknown key {key!r}", "known keys: " + ", ".join(sorted(KNOWN_KEYS)), "warning"))
    title_ja, title_en = _text(data.get("title"), data.line_of("title"), "title", yaml_path, problems, True)
    description_ja, description_en = _text(data.get("description"), data.line_of("description"), "description", yaml_path, problems, False) if "description" in data else (None, None)

    source = None
    if "source" in data:
        if not isinstance(data["source"], str) or not data["source"].strip():
            problems.append(Problem(yaml_path, data.line_of("source"), "source must be a file name such as source.mp4"))
        else:
            source = folder / data["source"].strip()
            if not source.is_file() or folder.resolve() not in source.resolve().parents:
                problems.append(Problem(yaml_path, data.line_of("source"), f"the media file {data['source']!r} is missing", "put it in the same folder as video.yaml"))
                source = None
    else:
        source = _default_source(folder)
        if source is None:
            problems.append(Problem(yaml_path, data.line, "no media file: expected source.mp4 (or name it with source:)", "render the script or copy the media into the folder"))

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
                problems.append(Problem(yaml_path, line, f"captions: unknown language {lang!r}", "use ja and en"))
            elif not isinstance(name, str):
                problems.append(Problem(yaml_path, line, f"captions.{lang} must be a file name"))
            else:
                captions[lang], caption_lines[lang] = folder / name, line
    elif isinstance(raw_captions, LineList):
        for index, item in enumerate(raw_captions):
            line = raw_captions.line_of(index)
            if not isinstance(item, dict) or item.get("lang") not in CAPTION_LANGUAGES or not isinstance(item.get("file"), str):
                problems.append(Problem(yaml_path, line, "each caption entry needs lang (ja or en) and file"))
            else:
                captions[item["lang"]], caption_lines[item["lang"]] = folder / item["file"], line
    else:
        problems.append(Problem(yaml_path, data.line_of("captions"), "captions must be a mapping such as {ja: captions.ja.vtt}"))
    if "ja" not in captions:
        problems.append(Problem(yaml_path, data.line_of("captions"), "Japanese captions are required", "add captions: {ja: captions.ja.vtt} (WebVTT or SRT)"))
    for lang, path in captions.items():
        line = caption_lines[lang]
        if path.suffix.lower() not in (".vtt", ".srt"):
            problems.append(Problem(yaml_path, line, f"captions.{lang}: {path.name} is neither WebVTT (.vtt) nor SRT (.srt)"))
        elif not path.is_file():
            problems.append(Problem(yaml_path, line, f"captions.{lang}: the file {path.name!r} is missing"))
        elif check_captions:
            try:
                convert_captions(path)
            except CaptionError as exc:
                problems.append(Problem(path, exc.line, f"captions do not parse: {exc}"))

    chapters = []
    raw_chapters = data.get("chapters") or []
    if not isinstance(raw_chapters, list):
        problems.append(Problem(yaml_path, data.line_of("chapters"), "chapters must be a list of {at: \"0:00\", title: {ja: …}}"))
        raw_chapters = []
    for index, item in enumerate(raw_chapters):
        line = raw_chapters.line_of(index) if isinstance(raw_chapters, LineList) else data.line_of("chapters")
        if not isinstance(item, dict):
            problems.append(Problem(yaml_path, line, "a chapter must be {at: \"0:00\", title: {ja: …}}"))
            continue
        at = parse_timestamp(item.get("at"))
        if at is None:
            problems.append(Problem(yaml_path, line, "chapter: at must be a time such as 1:23"))
            continue
        ja, en = _text(item.get("title"), line, "chapter title", yaml_path, problems, True)
        chapters.append({"at": at, "ja": ja, "en": en})

    threshold = data.get("completion_threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold <= 1):
        problems.append(Problem(yaml_path, data.line_of("completion_threshold"), "completion_threshold must be a number above 0 and at most 1, such as 0.9"))
        threshold = None

    if any(p.severity == "error" for p in problems):
        return None, problems
    spec = VideoSpec(
        slug=slug, title_ja=title_ja or slug, title_en=title_en, description_ja=description_ja,
        description_en=description_en, source=source, captions=captions,
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
            result.messages.append(f"{path.parent.name}: conversion failed (job {outcome.jobs[-1].id}); see flask videos list")
        elif outcome.last_ingest == "new":
            result.created += 1
        elif outcome.last_ingest == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    return result


registry.register(registry.ContentKind("videos", find, check, sync, order=10))
