"""The ``courses/`` content kind: Markdown files with YAML front matter.

The format is documented in ``courses/README.md``. Validation reports ``file:line`` problems;
sync loads valid files idempotently and gives a course a new content version whenever its file
changed. The kinds of item a course may list, and the convention each reference is checked
against (``videos/<id>/video.yaml``, ``scenarios/<id>.yaml`` …), come from the learning-item
registry (``app/content/items.py``), so a course can be validated before its items are loaded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import markdown
import nh3

from app.content import items as item_kinds
from app.content.registry import ContentKind, Problem, SyncResult
from app.content.yamlfile import LineDict, LineList, YamlError, load_text
from app.core.permissions import Role
from app.courses import timing

COMPLETION_RULES = ("all", "quizzes")
TOP_LEVEL_KEYS = {
    "id",
    "title",
    "summary",
    "order",
    "items",
    "completion",
    "required_for",
    "due_on",
    "due_within_days",
    "recertify_every",
    "objectives",
    "max_minutes",
    "checklist",
}
REQUIRED_FOR_KEYS = {"all_staff", "departments", "positions", "roles"}
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
READING_MARK_RE = re.compile(r"^<!--\s*reading:\s*([^\s>]+)\s*-->\s*$")
HEADING_RE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
#: ``{{ office_extension }}`` in a course's text shows the portal's setting of that name, so
#: the city changes a number in one place (the settings) and every reading follows.
SETTING_TOKEN_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]*)\s*\}\}")
SETTING_TOKENS = {
    "office_extension": "REFERRAL_OFFICE_EXTENSION",
    "office_hours": "REFERRAL_OFFICE_HOURS",
    "after_hours": "REFERRAL_AFTER_HOURS",
    "emergency_numbers": "REFERRAL_EMERGENCY_NUMBERS",
}

HINT_FORMAT = "see courses/README.md"


@dataclass
class Reading:
    slug: str
    line: int
    title: str
    markdown: str


@dataclass
class ParsedCourse:
    path: Path
    slug: str
    meta: LineDict
    meta_first_line: int  # file line of the first YAML line
    intro: str
    readings: dict[str, Reading] = field(default_factory=dict)
    raw: bytes = b""
    body_line: int = 0  # file line of the first line after the front matter

    def body_lines(self) -> list[tuple[int, str]]:
        lines = self.raw.decode("utf-8-sig").splitlines()
        return [(number, lines[number - 1]) for number in range(self.body_line, len(lines) + 1)]


class CourseFileError(ValueError):
    def __init__(self, message: str, line: int | None, hint: str = ""):
        super().__init__(message)
        self.line = line
        self.hint = hint


def find(root: Path) -> list[Path]:
    folder = root / "courses"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")


HTML_HEADING_RE = re.compile(r"<(/?)h([1-6])\b")


def render_markdown(text: str, top_level: int = 2) -> str:
    """Markdown to HTML, sanitised: content authors may not inject scripts or styles.

    Headings are shifted so the highest one is ``<h{top_level}>``: the page has its own h1.
    """
    html = nh3.clean(markdown.markdown(text, extensions=["tables", "sane_lists"]))
    levels = [int(m.group(2)) for m in HTML_HEADING_RE.finditer(html)]
    if levels:
        shift = top_level - min(levels)
        html = HTML_HEADING_RE.sub(
            lambda m: f"<{m.group(1)}h{min(max(int(m.group(2)) + shift, 1), 6)}", html
        )
    return html


def parse_file(path: Path) -> ParsedCourse:
    """Split front matter and body; raise CourseFileError with the file line on a defect."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CourseFileError("the file is not UTF-8 text", None, "save it as UTF-8") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise CourseFileError(
            "the file must start with front matter (a line with ---)", 1, HINT_FORMAT
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise CourseFileError(
            "the front matter is not closed with a line with ---", 1, HINT_FORMAT
        ) from None
    try:
        meta = load_text("\n".join(lines[1:end]))
    except YamlError as exc:
        raise CourseFileError(
            f"YAML: {exc}", exc.line + 1 if exc.line else 1, "check indentation and quotes"
        ) from None
    if not isinstance(meta, dict):
        raise CourseFileError(
            "the front matter must be a mapping (key: value lines)", 2, HINT_FORMAT
        )
    _shift_lines(meta, 1)

    intro_lines: list[str] = []
    readings: dict[str, Reading] = {}
    current: Reading | None = None
    body_lines: list[str] = []
    for index in range(end + 1, len(lines)):
        line_no = index + 1
        mark = READING_MARK_RE.match(lines[index].strip())
        if mark:
            if current is not None:
                current.markdown = "\n".join(body_lines).strip()
            slug = mark.group(1)
            if slug in readings:
                raise CourseFileError(
                    f"reading {slug!r} appears twice", line_no, "give each reading its own id"
                )
            current = Reading(slug=slug, line=line_no, title="", markdown="")
            readings[slug] = current
            body_lines = []
            continue
        if current is None:
            intro_lines.append(lines[index])
        elif (
            not current.title
            and not any(x.strip() for x in body_lines)
            and HEADING_RE.match(lines[index])
        ):
            current.title = HEADING_RE.match(lines[index]).group(1)
        else:
            body_lines.append(lines[index])
    if current is not None:
        current.markdown = "\n".join(body_lines).strip()
    return ParsedCourse(
        path=path,
        slug=path.stem,
        meta=meta,
        meta_first_line=2,
        intro="\n".join(intro_lines).strip(),
        readings=readings,
        raw=raw,
        body_line=end + 2,
    )


def _shift_lines(node, offset: int) -> None:
    """Make YAML line numbers file line numbers (the front matter starts on line 2)."""
    if isinstance(node, LineDict):
        node.line += offset
        node.key_lines = {k: v + offset for k, v in node.key_lines.items()}
        for value in node.values():
            _shift_lines(value, offset)
    elif isinstance(node, LineList):
        node.line += offset
        node.item_lines = [v + offset for v in node.item_lines]
        for value in node:
            _shift_lines(value, offset)


def _text(value, lang: str = "ja") -> str | None:
    if isinstance(value, str):
        return value if lang == "ja" else None
    if isinstance(value, dict):
        text = value.get(lang)
        return str(text) if text is not None else None
    return None


def item_kind(item) -> str | None:
    if not isinstance(item, dict):
        return None
    kinds = [k for k in item_kinds.kinds() if k in item]
    return kinds[0] if len(kinds) == 1 else None


def reference_path(root: Path, kind: str, slug: str) -> list[Path]:
    """Where a referenced item's file lives by convention (any one of them is enough)."""
    found = item_kinds.get(kind)
    return found.files(root, slug) if found is not None else []


def check(paths: list[Path], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        problems += check_file(path, root)
    return problems


def check_file(path: Path, root: Path) -> list[Problem]:
    problems: list[Problem] = []

    def error(line, message, hint=""):
        problems.append(Problem(path, line, message, hint))

    def warning(line, message, hint=""):
        problems.append(Problem(path, line, message, hint, severity="warning"))

    if not SLUG_RE.match(path.stem):
        error(
            None,
            f"the file name {path.name!r} is not a valid course id",
            "use lower-case letters, digits and - (e.g. all-staff-tsunagu.md)",
        )
    try:
        course = parse_file(path)
    except CourseFileError as exc:
        error(exc.line, str(exc), exc.hint)
        return problems
    meta = course.meta

    for key in meta:
        if key not in TOP_LEVEL_KEYS:
            error(
                meta.line_of(key),
                f"unknown key {key!r}",
                "known keys: " + ", ".join(sorted(TOP_LEVEL_KEYS)),
            )
    if "id" in meta and meta["id"] != path.stem:
        error(
            meta.line_of("id"),
            f"id {meta['id']!r} differs from the file name {path.stem!r}",
            "the file stem is the course id",
        )

    title = meta.get("title")
    if not _text(title, "ja"):
        error(meta.line_of("title"), "title.ja is required", 'title: {ja: "…", en: "…"}')
    if "summary" in meta and not _text(meta["summary"], "ja"):
        error(
            meta.line_of("summary"),
            "summary.ja is required when summary is given",
            'summary: {ja: "…"}',
        )
    if "order" in meta and (not isinstance(meta["order"], int) or isinstance(meta["order"], bool)):
        error(meta.line_of("order"), "order must be a whole number")

    items = meta.get("items")
    used_readings: set[str] = set()
    kinds_present: set[str] = set()
    known = item_kinds.kinds()
    if not isinstance(items, list) or not items:
        error(
            meta.line_of("items"),
            "items must be a non-empty list",
            " / ".join(f"- {k}: <id>" for k in known),
        )
    else:
        seen: dict[tuple[str, str], int] = {}
        for index, item in enumerate(items):
            line = items.line_of(index)
            kind = item_kind(item)
            if kind is None:
                error(
                    line,
                    "each item needs exactly one of: " + ", ".join(known),
                    "e.g. - video: tax-desk-roleplay",
                )
                continue
            for key in item:
                if key not in (kind, "title", "optional"):
                    error(
                        item.line_of(key),
                        f"unknown item key {key!r}",
                        "an item has its kind, optional title and optional",
                    )
            slug = item[kind]
            if not isinstance(slug, str) or not SLUG_RE.match(slug):
                error(
                    line,
                    f"{kind} id {slug!r} is not a valid id",
                    "lower-case letters, digits and -",
                )
                continue
            if (kind, slug) in seen:
                error(line, f"{kind} {slug!r} is listed twice (first on line {seen[(kind, slug)]})")
            seen[(kind, slug)] = line
            kinds_present.add(kind)
            if "optional" in item and not isinstance(item["optional"], bool):
                error(item.line_of("optional"), "optional must be true or false")
            if "title" in item and not _text(item["title"], "ja"):
                error(item.line_of("title"), "title.ja is required when an item has a title")
            if known[kind].in_course:
                used_readings.add(slug)
                if slug not in course.readings:
                    error(
                        line,
                        f"{kind} {slug!r} has no section in the body",
                        f"add a line <!-- reading: {slug} --> followed by its text",
                    )
                elif not course.readings[slug].markdown:
                    error(course.readings[slug].line, f"{kind} {slug!r} is empty")
            elif (problem := known[kind].validate(root, slug)) is not None:
                error(line, *problem)
    checklist = meta.get("checklist")
    if checklist is not None:
        if not isinstance(checklist, str) or checklist not in course.readings:
            error(
                meta.line_of("checklist"),
                f"checklist {checklist!r} names no reading section of this file",
                "checklist: <reading id>, with a section <!-- reading: <id> --> in the body",
            )
        else:
            used_readings.add(checklist)
    for slug, reading in course.readings.items():
        if slug not in used_readings:
            warning(
                reading.line, f"reading {slug!r} is not listed in items, so learners never see it"
            )

    completion = meta.get("completion", "all")
    if completion not in COMPLETION_RULES:
        error(
            meta.line_of("completion"),
            f"completion must be one of {', '.join(COMPLETION_RULES)}",
            "all: every item; quizzes: the course's quizzes passed",
        )
    elif completion == "quizzes" and items and not any(known[k].assessment for k in kinds_present):
        error(
            meta.line_of("completion"),
            "completion: quizzes needs at least one assessed item ("
            + ", ".join(k for k in known if known[k].assessment)
            + ")",
        )

    rule = meta.get("required_for")
    if rule is not None:
        if not isinstance(rule, dict):
            error(
                meta.line_of("required_for"),
                "required_for must be a mapping",
                'all_staff: true / departments: ["1040"] / positions: [課長] / roles: [department_head]',
            )
        else:
            for key in rule:
                if key not in REQUIRED_FOR_KEYS:
                    error(
                        rule.line_of(key),
                        f"unknown required_for key {key!r}",
                        "known: " + ", ".join(sorted(REQUIRED_FOR_KEYS)),
                    )
            if "all_staff" in rule and not isinstance(rule["all_staff"], bool):
                error(rule.line_of("all_staff"), "all_staff must be true or false")
            for key in ("departments", "positions", "roles"):
                if key in rule and (
                    not isinstance(rule[key], list)
                    or not all(
                        isinstance(v, str | int) and not isinstance(v, bool) for v in rule[key]
                    )
                ):
                    error(rule.line_of(key), f"{key} must be a list", f'{key}: ["…", "…"]')
            for index, value in (
                enumerate(rule.get("roles") or []) if isinstance(rule.get("roles"), list) else []
            ):
                if str(value) not in {str(r) for r in Role}:
                    error(
                        rule["roles"].line_of(index),
                        f"unknown role {value!r}",
                        "roles: " + ", ".join(str(r) for r in Role),
                    )

    if "due_on" in meta and "due_within_days" in meta:
        error(meta.line_of("due_within_days"), "give either due_on or due_within_days, not both")
    if "due_on" in meta and not isinstance(meta["due_on"], date):
        error(meta.line_of("due_on"), "due_on must be a date", "due_on: 2026-09-30")
    if "due_within_days" in meta and (
        not isinstance(meta["due_within_days"], int)
        or isinstance(meta["due_within_days"], bool)
        or meta["due_within_days"] < 1
    ):
        error(
            meta.line_of("due_within_days"),
            "due_within_days must be a whole number of days (1 or more)",
        )
    if "recertify_every" in meta and (
        not isinstance(meta["recertify_every"], int)
        or isinstance(meta["recertify_every"], bool)
        or meta["recertify_every"] < 1
    ):
        error(
            meta.line_of("recertify_every"),
            "recertify_every must be a whole number of months (1 or more)",
        )
    _check_objectives(meta, rule, error)
    _check_setting_tokens(course, error)
    if "max_minutes" in meta:
        limit = meta["max_minutes"]
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            error(
                meta.line_of("max_minutes"),
                "max_minutes must be a whole number of minutes (1 or more)",
            )
        elif not any(p.severity == "error" for p in problems):
            spent = expected_time(course, root)
            detail = breakdown(spent)
            if spent.minutes > limit:
                error(
                    meta.line_of("max_minutes"),
                    f"the expected time is about {spent.minutes} min, over max_minutes: {limit}",
                    f"shorten or drop items, or mark some optional ({detail})",
                )
            elif not spent.complete:
                warning(
                    meta.line_of("max_minutes"),
                    f"the expected time (at least {spent.minutes} min) is not known for every item",
                    f"render or add the videos' media ({detail})",
                )
    return problems


def _check_objectives(meta: LineDict, rule, error) -> None:
    objectives = meta.get("objectives")
    required = isinstance(rule, dict) and bool(
        rule.get("all_staff") is True
        or any(rule.get(k) for k in ("departments", "positions", "roles"))
    )
    if objectives is None:
        if required:
            error(
                meta.line_of("required_for"),
                "a course required for anyone needs objectives (what the learner will be able to do)",
                'objectives:\n  - {ja: "…", en: "…"}',
            )
        return
    if not isinstance(objectives, list) or not objectives:
        error(
            meta.line_of("objectives"),
            "objectives must be a non-empty list",
            '- {ja: "…", en: "…"}',
        )
        return
    for index, objective in enumerate(objectives):
        if not _text(objective, "ja"):
            error(
                objectives.line_of(index),
                "each objective needs Japanese text",
                '- {ja: "…", en: "…"}',
            )
        elif isinstance(objective, dict) and set(objective) - {"ja", "en"}:
            error(
                objectives.line_of(index), "an objective has only ja and en", '- {ja: "…", en: "…"}'
            )


def _check_setting_tokens(course: ParsedCourse, error) -> None:
    for number, line in course.body_lines():
        for token in SETTING_TOKEN_RE.findall(line):
            if token not in SETTING_TOKENS:
                error(
                    number,
                    f"unknown setting {{{{ {token} }}}}",
                    "known: " + ", ".join(sorted(SETTING_TOKENS)),
                )


def fill_settings(markup: str | None, config) -> str:
    """Put the portal's settings (the office's extension, hours …) into rendered course text."""
    if not markup:
        return markup or ""
    from markupsafe import escape

    def value(match):
        key = SETTING_TOKENS.get(match.group(1))
        return str(escape(str(config.get(key, "")))) if key else match.group(0)

    return SETTING_TOKEN_RE.sub(value, markup)


# --- expected time ------------------------------------------------------------------------------


def expected_time(
    course: ParsedCourse, root: Path, measured: dict[str, dict[str, float]] | None = None
) -> timing.CourseTime:
    """The course's expected time from its files (and, when synced, what the portal measured)."""
    known = item_kinds.kinds()
    items = []
    for item in course.meta.get("items") or []:
        kind = item_kind(item)
        if kind is None or not isinstance(item.get(kind), str):
            continue
        slug = item[kind]
        in_file = known[kind].in_course and slug in course.readings
        reading_html = render_markdown(course.readings[slug].markdown) if in_file else None
        seconds, basis = timing.item_time(
            root, kind, slug, reading_html=reading_html, measured=measured
        )
        items.append(timing.ItemTime(kind, slug, seconds, basis, bool(item.get("optional", False))))
    return timing.CourseTime(tuple(items))


def breakdown(spent: timing.CourseTime) -> str:
    parts = []
    for item in spent.items:
        basis = "" if item.basis == timing.BASIS_COMPUTED else f" [{item.basis}]"
        optional = " (optional, not counted)" if item.optional else ""
        parts.append(
            f"{item.kind} {item.slug} {timing.format_seconds(item.seconds)}{basis}{optional}"
        )
    return ", ".join(parts)


def summarize(paths: list[Path], root: Path) -> list[str]:
    """One line per course for ``content check``: its expected time and the items' share."""
    from flask_babel import gettext as _

    lines = []
    for path in paths:
        try:
            course = parse_file(path)
        except CourseFileError:
            continue
        spent = expected_time(course, root)
        if spent.complete:
            text = _("expected time about %(minutes)d min", minutes=spent.minutes)
        else:
            text = _(
                "expected time at least %(minutes)d min (not every item is known)",
                minutes=spent.minutes,
            )
        limit = course.meta.get("max_minutes")
        if isinstance(limit, int) and not isinstance(limit, bool):
            text += " " + _("(max %(limit)d)", limit=limit)
        lines.append(f"{path}: {text} — {breakdown(spent)}")
    return lines


def course_record(
    course: ParsedCourse, root: Path, measured: dict[str, dict[str, float]] | None = None
) -> dict:
    """The values a Course row holds for a parsed, valid file."""
    meta = course.meta
    known = item_kinds.kinds()
    items = []
    spent = expected_time(course, root, measured)
    for item, item_time in zip(meta["items"], spent.items, strict=True):
        kind = item_kind(item)
        slug = item[kind]
        entry = {"kind": kind, "slug": slug, "optional": bool(item.get("optional", False))}
        if known[kind].in_course:
            reading = course.readings[slug]
            entry["title_ja"] = _text(item.get("title"), "ja") or reading.title or slug
            entry["title_en"] = _text(item.get("title"), "en")
            entry["html"] = render_markdown(reading.markdown)
        else:
            ja, en = known[kind].title(root, slug)
            entry["title_ja"] = _text(item.get("title"), "ja") or ja or slug
            entry["title_en"] = _text(item.get("title"), "en") or en
        entry["seconds"] = round(item_time.seconds, 1) if item_time.seconds is not None else None
        entry["basis"] = item_time.basis
        items.append(entry)
    rule = meta.get("required_for") or {}
    checklist = None
    if meta.get("checklist"):
        reading = course.readings[meta["checklist"]]
        checklist = {
            "slug": reading.slug,
            "title_ja": reading.title or reading.slug,
            "html": render_markdown(reading.markdown),
        }
    return {
        "title_ja": _text(meta["title"], "ja"),
        "title_en": _text(meta["title"], "en"),
        "summary_ja": _text(meta.get("summary"), "ja"),
        "summary_en": _text(meta.get("summary"), "en"),
        "intro_html": render_markdown(course.intro) if course.intro else None,
        "items": items,
        "completion": meta.get("completion", "all"),
        "required_for": {
            "all_staff": bool(rule.get("all_staff", False)),
            "departments": [str(v) for v in rule.get("departments") or []],
            "positions": [str(v) for v in rule.get("positions") or []],
            "roles": [str(v) for v in rule.get("roles") or []],
        },
        "due_on": meta.get("due_on"),
        "due_within_days": meta.get("due_within_days"),
        "recertify_months": meta.get("recertify_every"),
        "sort_order": meta.get("order", 100),
        "objectives": [
            {"ja": _text(o, "ja"), "en": _text(o, "en")} for o in meta.get("objectives") or []
        ],
        "checklist": checklist,
    }


def sync(paths: list[Path], root: Path) -> SyncResult:
    from app.courses import service

    return service.sync_courses([(parse_file(p), p) for p in paths], root)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


# Courses refer to videos, scenarios and quizzes, so they are synced after them.
KIND = ContentKind(
    name="courses", find=find, check=check, sync=sync, order=200, summarize=summarize
)
