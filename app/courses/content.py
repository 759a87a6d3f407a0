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
from pathlib import Path

import markdown
import nh3
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.content import items as item_kinds
from app.content.registry import ContentKind, Problem, SyncResult
from app.content.spec import (
    SLUG,
    Bool,
    Context,
    Date,
    Enum,
    Field,
    Int,
    ListOf,
    Ref,
    Spec,
    Str,
    Text,
    check_mapping,
    did_you_mean,
    file_id,
    nested_label,
    own_label,
)
from app.content.yamlfile import LineDict, LineList, YamlError, load_text
from app.core.permissions import Role
from app.courses import timing

COMPLETION_RULES = ("all", "quizzes")
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

HINT_FORMAT = _l("See courses/README.md.")


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
        raise CourseFileError(
            _("the file is not UTF-8 text"), None, _("Save it as UTF-8.")
        ) from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise CourseFileError(
            _("the file must start with front matter (a line with ---)"), 1, str(HINT_FORMAT)
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise CourseFileError(
            _("the front matter is not closed with a line with ---"), 1, str(HINT_FORMAT)
        ) from None
    try:
        meta = load_text("\n".join(lines[1:end]))
    except YamlError as exc:
        raise CourseFileError(
            _("YAML: %(problem)s", problem=exc),
            exc.line + 1 if exc.line else 1,
            _("Fix the YAML syntax (indentation, quotes, colons)."),
        ) from None
    if not isinstance(meta, dict):
        raise CourseFileError(
            _("the front matter must be a mapping (key: value lines)"), 2, str(HINT_FORMAT)
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
                    _("reading `%(id)s` appears twice", id=slug),
                    line_no,
                    _("Give each reading its own id."),
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
    """Every problem of one course file: its front matter against :func:`course_spec`, then
    what lives in its body (reading sections, settings tokens)."""
    ctx = Context(path, root)
    if not SLUG_RE.match(path.stem):
        ctx.error(
            None,
            _("the file name %(name)r is not a valid course id", name=path.name),
            _("Use lower-case letters, digits and hyphens (e.g. all-staff-tsunagu.md)."),
        )
    try:
        course = parse_file(path)
    except CourseFileError as exc:
        ctx.error(exc.line, str(exc), exc.hint)
        return ctx.problems
    ctx.source = course
    check_mapping(ctx, course.meta, course_spec(), _("the course"))
    return ctx.problems


# --- the format -------------------------------------------------------------------------------


def _readings(ctx: Context) -> list[str]:
    return list(ctx.source.readings)


def _reading_hint(slug: str) -> str:
    return _("Add a line <!-- reading: %(id)s --> followed by its text.", id=slug)


def _item_ref(kind: item_kinds.LearningItemKind) -> Ref:
    """A course's reference to an item of ``kind``: a reading section of the same file, or a
    file by the kind's convention (``videos/<id>/video.yaml`` …)."""
    if kind.in_course:
        return Ref(_readings, kind.name, type=SLUG, hint=_reading_hint)
    return Ref(
        lambda ctx: kind.slugs(ctx.root),
        kind.name,
        type=SLUG,
        exists=lambda ctx, slug: kind.validate(ctx.root, slug) is None,
        hint=lambda slug: _("Add %(file)s or fix the id.", file=kind.expected_file(slug)),
    )


def _check_one_kind(ctx: Context, item: LineDict, where: str) -> None:
    known = item_kinds.kinds()
    if len([k for k in item if k in known]) != 1:
        ctx.error(
            ctx.line(item),
            _("%(where)s needs exactly one of: %(kinds)s", where=where, kinds=", ".join(known)),
            _("For example `- video: tax-desk-roleplay`."),
        )


def _listed(ctx: Context) -> list[tuple[str, str, int]]:
    """The course's valid items as (kind, id, line)."""
    items = ctx.value(ctx.data, "items") or []
    found = []
    for index, item in enumerate(items):
        kind = item_kind(item)
        if kind is not None and ctx.ok(item, kind):
            found.append((kind, item[kind], items.line_of(index)))
    return found


def _check_listed_once(ctx: Context, meta: LineDict, where: str) -> None:
    seen: dict[tuple[str, str], int] = {}
    for kind, slug, line in _listed(ctx):
        if (kind, slug) in seen:
            ctx.error(
                line,
                _(
                    "%(kind)s `%(id)s` is listed twice (first on line %(line)d)",
                    kind=kind,
                    id=slug,
                    line=seen[(kind, slug)],
                ),
                _("Remove one of them."),
            )
        seen.setdefault((kind, slug), line)


def _check_readings(ctx: Context, meta: LineDict, where: str) -> None:
    """A listed reading has text; a reading nobody lists is never seen."""
    known = item_kinds.kinds()
    readings = ctx.source.readings
    used = {slug for kind, slug, _line in _listed(ctx) if known[kind].in_course}
    for slug in used:
        if slug in readings and not readings[slug].markdown:
            ctx.error(
                readings[slug].line,
                _("reading `%(id)s` is empty", id=slug),
                _("Write the reading's text under its heading."),
            )
    used.add(ctx.value(meta, "checklist"))
    for slug, reading in readings.items():
        if slug not in used:
            ctx.warning(
                reading.line,
                _("reading `%(id)s` is not listed in items, so learners never see it", id=slug),
                _("List it under `items:` as `- reading: %(id)s`, or remove it.", id=slug),
            )


def _check_assessed(ctx: Context, meta: LineDict, where: str) -> None:
    known = item_kinds.kinds()
    if ctx.value(meta, "completion") != "quizzes" or not ctx.ok(meta, "items"):
        return
    if not any(known[kind].assessment for kind, _slug, _line in _listed(ctx)):
        ctx.error(
            meta.line_of("completion"),
            _(
                "completion: quizzes needs at least one assessed item (%(kinds)s)",
                kinds=", ".join(k for k in known if known[k].assessment),
            ),
            _("List a quiz, or use `completion: all`."),
        )


def _check_due(ctx: Context, meta: LineDict, where: str) -> None:
    if "due_on" in meta and "due_within_days" in meta:
        ctx.error(
            meta.line_of("due_within_days"),
            _("give either `due_on` or `due_within_days`, not both"),
            _("`due_on` is one date for everyone; `due_within_days` counts from the assignment."),
        )


def _is_required(rule) -> bool:
    return isinstance(rule, dict) and bool(
        rule.get("all_staff") is True
        or any(rule.get(k) for k in ("departments", "positions", "roles"))
    )


def _check_objectives_given(ctx: Context, meta: LineDict, where: str) -> None:
    if "objectives" not in meta and _is_required(ctx.value(meta, "required_for")):
        ctx.error(
            meta.line_of("required_for"),
            _(
                "a course required for anyone needs objectives (what the learner will be able to do)"
            ),
            _('Add `objectives:` with items such as `- {ja: "…", en: "…"}`.'),
        )


def _check_setting_tokens(ctx: Context, meta: LineDict, where: str) -> None:
    for number, line in ctx.source.body_lines():
        for token in SETTING_TOKEN_RE.findall(line):
            if token not in SETTING_TOKENS:
                ctx.error(
                    number,
                    _("unknown setting {{ %(name)s }}", name=token),
                    did_you_mean(
                        token,
                        SETTING_TOKENS,
                        _("Known settings: %(names)s.", names=", ".join(sorted(SETTING_TOKENS))),
                    ),
                )


def _check_expected_time(ctx: Context, meta: LineDict, where: str) -> None:
    """The course fits in ``max_minutes`` (checked only when everything else is right)."""
    limit = ctx.value(meta, "max_minutes")
    if limit is None or ctx.failed:
        return
    spent = expected_time(ctx.source, ctx.root)
    detail = breakdown(spent)
    if spent.minutes > limit:
        ctx.error(
            meta.line_of("max_minutes"),
            _(
                "the expected time is about %(minutes)d min, over max_minutes: %(limit)d",
                minutes=spent.minutes,
                limit=limit,
            ),
            _("Shorten or drop items, or mark some optional (%(detail)s).", detail=detail),
        )
    elif not spent.complete:
        ctx.warning(
            meta.line_of("max_minutes"),
            _(
                "the expected time (at least %(minutes)d min) is not known for every item",
                minutes=spent.minutes,
            ),
            _("Render or add the videos' media (%(detail)s).", detail=detail),
        )


REQUIRED_FOR = Spec(
    {
        "all_staff": Field(Bool(), default=False),
        "departments": Field(ListOf(Str(numbers=True), min_items=0)),
        "positions": Field(ListOf(Str(numbers=True), min_items=0)),
        "roles": Field(
            ListOf(Enum(tuple(str(r) for r in Role)), min_items=0, label=nested_label(_l("role")))
        ),
    },
    shape=_l(
        'For example `all_staff: true`, `departments: ["1040"]` or `roles: [department_head]`.'
    ),
)


def course_spec() -> Spec:
    """The front matter of ``courses/<id>.md`` (see courses/README.md). The item kinds come
    from the app's registry, so the format is built when a file is checked."""
    known = item_kinds.kinds()
    item = Spec(
        {name: Field(_item_ref(kind)) for name, kind in known.items()}
        | {"title": Field(Text(plain=True)), "optional": Field(Bool(), default=False)},
        checks=(_check_one_kind,),
        shape=_l("For example `- video: tax-desk-roleplay`."),
    )
    return Spec(
        {
            "id": Field(SLUG),
            "title": Field(Text(plain=True), required=True),
            "summary": Field(Text(plain=True)),
            "order": Field(Int(), default=100),
            "items": Field(ListOf(item, label=own_label(_l("item"))), required=True),
            "completion": Field(Enum(COMPLETION_RULES), default="all"),
            "required_for": Field(REQUIRED_FOR),
            "due_on": Field(Date()),
            "due_within_days": Field(Int(minimum=1)),
            "recertify_every": Field(Int(minimum=1)),
            "objectives": Field(ListOf(Text(plain=True), label=own_label(_l("objective")))),
            "max_minutes": Field(Int(minimum=1)),
            "checklist": Field(Ref(_readings, "reading", type=SLUG, hint=_reading_hint)),
        },
        checks=(
            file_id(),
            _check_listed_once,
            _check_readings,
            _check_assessed,
            _check_due,
            _check_objectives_given,
            _check_setting_tokens,
            _check_expected_time,
        ),
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
        optional = " " + _("(optional, not counted)") if item.optional else ""
        parts.append(
            f"{item.kind} {item.slug} {timing.format_seconds(item.seconds)}{basis}{optional}"
        )
    return ", ".join(parts)


def summarize(paths: list[Path], root: Path) -> list[str]:
    """One line per course for ``content check``: its expected time and the items' share."""
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
