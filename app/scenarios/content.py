"""``scenarios/<id>.yaml``: the validator and the sync into the database.

Registered with :mod:`app.content.registry` as the ``scenarios`` kind, so that
``flask --app app content check`` and ``content sync`` cover it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.content.registry import ContentKind, Problem, SyncResult
from app.content.schema import check_each, fingerprint, plain
from app.content.spec import (
    SLUG,
    SLUG_PATTERN,
    Bool,
    Context,
    Enum,
    Field,
    Int,
    ListOf,
    MapOf,
    Ref,
    Spec,
    Str,
    Text,
    check_yaml_file,
    file_id,
    nested_label,
    own_label,
)
from app.content.versioning import sync_versioned
from app.content.yamlfile import LineDict
from app.scenarios import engine

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".svg", ".gif"}
RESERVED_IDS = {"media", "reports"}  # path segments the player's own pages use


def find(root: Path) -> list[Path]:
    folder = root / "scenarios"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def media_folder(root: Path) -> Path:
    return root / "scenarios" / "media"


# --- validation ------------------------------------------------------------------------------


def _node_ids(ctx: Context) -> list:
    nodes = ctx.data.get("nodes")
    return list(nodes) if isinstance(nodes, dict) else []


def _scored(ctx: Context, _mapping=None) -> bool:
    return ctx.value(ctx.data, "scoring") in ("dynamic", "static")


def _check_pass_score_unused(ctx: Context, data: LineDict, where: str) -> None:
    if ctx.value(data, "scoring") == "none" and "pass_score" in data:
        ctx.warning(
            data.line_of("pass_score"),
            _("`pass_score` is ignored when scoring is none"),
            _("Remove `pass_score`, or choose `scoring: dynamic` or `static`."),
        )


def _check_way_out(ctx: Context, node: LineDict, where: str) -> None:
    """A node either offers choices or ends the scenario."""
    has_choices, has_ending = "choices" in node, "ending" in node
    if has_choices and has_ending:
        ctx.error(
            ctx.line(node),
            _("%(where)s has both `choices` and `ending`", where=where),
            _("A node either offers choices or ends the scenario: remove one."),
        )
    elif not has_choices and not has_ending:
        ctx.error(
            ctx.line(node),
            _("%(where)s is not an ending and has no way out", where=where),
            _("Add `choices:` (each with `next:`) or make it an ending with `ending:`."),
        )


def _check_mistakes(ctx: Context, node: LineDict, where: str) -> None:
    """A choice worth nothing, when a better one stands beside it, names its mistake, so the
    result page can tell the learner which of their choices to look at again; a critical choice
    (against the law or the consent rules) fails the attempt and must say why."""
    choices = [c for c in ctx.value(node, "choices") or [] if isinstance(c, LineDict)]
    best_here = max((ctx.value(c, "score", 0) for c in choices), default=0)
    for n, choice in enumerate(ctx.value(node, "choices") or [], start=1):
        if not isinstance(choice, LineDict):
            continue
        cw = _("%(where)s, %(noun)s %(n)d", where=where, noun=_("choice"), n=n)
        score = ctx.value(choice, "score", 0)
        if ctx.value(choice, "critical", False) and "mistake" not in choice:
            ctx.error(
                choice.line_of("critical"),
                _("%(where)s is critical but has no `mistake`", where=cw),
                _('Add `mistake: {ja: "…"}` saying what must not be done.'),
            )
        elif (
            ctx.value(ctx.data, "scoring") == "dynamic"
            and score <= 0
            and score < best_here
            and "mistake" not in choice
        ):
            ctx.error(
                choice.line,
                _("%(where)s scores %(n)d but names no `mistake`", where=cw, n=score),
                _(
                    'Add `mistake: {ja: "…"}`: one sentence on what this choice gets wrong; the result page lists it.'
                ),
            )


def _check_image(ctx: Context, node: LineDict, where: str) -> None:
    image = ctx.value(node, "image")
    if image is None:
        if "image_alt" in node:
            ctx.warning(
                node.line_of("image_alt"),
                _("%(where)s: `image_alt` without `image`", where=where),
                _("Remove `image_alt` or add `image:`."),
            )
        return
    line = node.line_of("image")
    relative = PurePosixPath(image)
    if relative.is_absolute() or ".." in relative.parts:
        ctx.error(
            line,
            _(
                "%(where)s: image %(path)r must be a path inside scenarios/media/",
                where=where,
                path=image,
            ),
            _("Write the path relative to scenarios/media/, e.g. `tax-desk/counter.png`."),
        )
    elif relative.suffix.lower() not in IMAGE_SUFFIXES:
        ctx.error(
            line,
            _("%(where)s: image %(path)r is not a picture file", where=where, path=image),
            _("Use one of: %(values)s.", values=", ".join(sorted(IMAGE_SUFFIXES))),
        )
    elif not (media_folder(ctx.root) / relative).is_file():
        ctx.error(
            line,
            _("%(where)s: image file scenarios/media/%(path)s is missing", where=where, path=image),
            _("Add the file to scenarios/media/ or correct the path."),
        )
    if "image_alt" not in node:
        ctx.warning(
            line,
            _("%(where)s: the image has no `image_alt`", where=where),
            _(
                'Add `image_alt: {ja: "…"}` describing the picture for staff who use a screen reader.'
            ),
        )


def _check_video(ctx: Context, node: LineDict, where: str) -> None:
    video = ctx.value(node, "video")
    if video is not None and not (ctx.root / "videos" / video).is_dir():
        ctx.warning(
            node.line_of("video"),
            _("%(where)s: videos/%(id)s/ does not exist", where=where, id=video),
            _("Check the id, or add the video folder; until then the player leaves the clip out."),
        )


def _check_has_ending(ctx: Context, data: LineDict, where: str) -> None:
    nodes = ctx.value(data, "nodes")
    if nodes and not any(isinstance(n, LineDict) and "ending" in n for n in nodes.values()):
        ctx.error(
            data.line_of("nodes"),
            _("the scenario has no ending"),
            _("Add at least one node with `ending:` (verdict, debrief, tomorrow)."),
        )


def _check_graph(ctx: Context, data: LineDict, where: str) -> None:
    """Every node is reachable, no learner is trapped, and the pass mark can be reached."""
    if ctx.failed or not ctx.ok(data, "start"):
        return
    nodes, definition = data["nodes"], plain(data)
    reached = set(engine.reachable(definition))
    reaching = engine.nodes_reaching_an_ending(definition)
    for node_id in nodes:
        if node_id not in reached:
            ctx.error(
                nodes.line_of(node_id),
                _("node `%(id)s` cannot be reached from the start", id=node_id),
                _("Lead a choice to it with `next:`, or remove the node."),
            )
        elif node_id not in reaching:
            ctx.error(
                nodes.line_of(node_id),
                _(
                    "from node `%(id)s` no ending can be reached (the learner is trapped)",
                    id=node_id,
                ),
                _("Give one of the choices on this path a `next:` that leads towards an ending."),
            )
    if _scored(ctx) and ctx.ok(data, "pass_score"):
        _check_pass_mark(ctx, data, definition, data["pass_score"])


def _check_pass_mark(ctx: Context, data: LineDict, definition: dict, pass_score: int) -> None:
    definition = engine.without_critical(definition)  # a critical choice never passes
    try:
        best = engine.max_score(definition)
    except engine.SearchTooLarge:
        best = engine.estimated_max_score(definition)
        if pass_score > best:
            ctx.warning(
                data.line_of("pass_score"),
                _(
                    "`pass_score` %(score)d may be above the best reachable score (at least %(best)d; the scenario has too many paths to search them all)",
                    score=pass_score,
                    best=best,
                ),
                _("Check that a path reaches the pass mark, or simplify the branching."),
            )
        return
    if best is not None and pass_score > best:
        ctx.error(
            data.line_of("pass_score"),
            _(
                "`pass_score` %(score)d is above the best reachable score %(best)d",
                score=pass_score,
                best=best,
            ),
            _(
                "Lower `pass_score` to %(best)d or less, or raise the scores of the best path.",
                best=best,
            ),
        )


LINE = Spec(
    {
        "speaker": Field(Enum(engine.SPEAKERS), required=True),
        "text": Field(Text(), required=True),
    },
    shape=_l('Write {speaker: 住民, text: {ja: "…"}}.'),
)
CHOICE = Spec(
    {
        "text": Field(Text(), required=True),
        "next": Field(Ref(_node_ids, _l("node")), required=True),
        "score": Field(Int(), default=0),
        "feedback": Field(Text(), required=True),
        "mistake": Field(Text()),
        "critical": Field(Bool(), default=False),
    },
    shape=_l('Write {text: {ja: "…"}, next: <node id>, score: 1, feedback: {ja: "…"}}.'),
)
ENDING = Spec(
    {
        "verdict": Field(Enum(engine.VERDICTS), required=True),
        "score": Field(
            Int(), required=lambda ctx, _ending: ctx.value(ctx.data, "scoring") == "static"
        ),
        "debrief": Field(Text(), required=True),
        "tomorrow": Field(ListOf(Text(), label=nested_label(_l("tomorrow"))), required=True),
    }
)
NODE = Spec(
    {
        "lines": Field(
            ListOf(LINE, label=nested_label(_l("line"))),
            required=lambda ctx, node: "ending" not in node,
        ),
        "image": Field(Str()),
        "image_alt": Field(Text()),
        "video": Field(
            Str(SLUG_PATTERN, _l("Use the id of a folder under videos/, e.g. `tax-desk-roleplay`."))
        ),
        "choices": Field(ListOf(CHOICE, label=nested_label(_l("choice")))),
        "ending": Field(ENDING),
    },
    checks=(_check_way_out, _check_mistakes, _check_image, _check_video),
    shape=_l("Give the node `lines:` and either `choices:` or `ending:`."),
)
#: ``scenarios/<id>.yaml`` (documented in scenarios/README.md)
SCENARIO = Spec(
    {
        "id": Field(SLUG, required=True),
        "title": Field(Text(), required=True),
        "desk": Field(Text(), required=True),
        "summary": Field(Text()),
        "goals": Field(ListOf(Text(), label=own_label(_l("goal"))), required=True),
        "scoring": Field(Enum(engine.SCORING_MODES), required=True),
        "pass_score": Field(Int(minimum=0), required=_scored),
        "allow_back": Field(Bool(), default=False),
        "start": Field(Ref(_node_ids, _l("node")), required=True),
        "nodes": Field(MapOf(NODE, label=own_label(_l("node"))), required=True),
    },
    checks=(file_id(RESERVED_IDS), _check_pass_score_unused, _check_has_ending, _check_graph),
)


def check_file(path: Path, root: Path) -> tuple[list[Problem], LineDict | None]:
    """Every problem of one scenario file, and its data when it could be read."""
    ctx, data = check_yaml_file(path, root, SCENARIO, _("the scenario"))
    return ctx.problems, data


def check(paths: list[Path], root: Path) -> list[Problem]:
    return check_each(paths, root, check_file, "scenario")


# --- sync ---------------------------------------------------------------------------------------


def sync(paths: list[Path], root: Path) -> SyncResult:
    """Load every scenario file; a changed file becomes a new version (old attempts keep theirs).

    Scenarios whose file is gone are retired (hidden), never deleted.
    """
    from app.scenarios.models import Scenario, ScenarioVersion

    def definition_of(data) -> dict:
        return SCENARIO.defaults() | plain(data)

    def version_fields(definition: dict) -> dict:
        scored = definition["scoring"] != "none"
        return {
            "scoring": definition["scoring"],
            "pass_score": definition.get("pass_score") if scored else None,
            "max_score": _max_score(definition),
        }

    return sync_versioned(
        paths,
        root,
        kind="scenarios",
        object_type="scenario",
        check_file=check_file,
        definition_of=definition_of,
        fingerprint=fingerprint,
        item_model=Scenario,
        version_model=ScenarioVersion,
        item_key="scenario_id",
        version_fields=version_fields,
    )


def _max_score(definition: dict) -> int | None:
    try:
        return engine.max_score(definition)
    except engine.SearchTooLarge:
        return engine.estimated_max_score(definition)


KIND = ContentKind(name="scenarios", find=find, check=check, sync=sync, order=20)
