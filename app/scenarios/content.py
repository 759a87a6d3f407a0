"""``scenarios/<id>.yaml``: the validator and the sync into the database.

Registered with :mod:`app.content.registry` as the ``scenarios`` kind, so that
``flask --app app content check`` and ``content sync`` cover it.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _

from app.content.registry import ContentKind, Problem, SyncResult
from app.content.schema import Checker, check_each, fingerprint, plain
from app.content.versioning import sync_versioned
from app.content.yamlfile import LineDict
from app.scenarios import engine

TOP_KEYS = {
    "id",
    "title",
    "desk",
    "summary",
    "goals",
    "scoring",
    "pass_score",
    "allow_back",
    "start",
    "nodes",
}
NODE_KEYS = {"lines", "image", "image_alt", "video", "choices", "ending"}
LINE_KEYS = {"speaker", "text"}
CHOICE_KEYS = {"text", "next", "score", "feedback", "mistake", "critical"}
ENDING_KEYS = {"verdict", "score", "debrief", "tomorrow"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".svg", ".gif"}
RESERVED_IDS = {"media", "reports"}  # path segments the player's own pages use
NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def find(root: Path) -> list[Path]:
    folder = root / "scenarios"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def media_folder(root: Path) -> Path:
    return root / "scenarios" / "media"


# --- validation ------------------------------------------------------------------------------


def check_file(path: Path, root: Path) -> tuple[list[Problem], LineDict | None]:
    """Every problem of one scenario file, and its data when it could be read."""
    c = Checker(path)
    data = c.load()
    if data is None:
        return c.problems, None
    scenario = _("the scenario")
    c.keys(data, TOP_KEYS, scenario)
    file_id = c.slug(data, "id", scenario)
    if file_id in RESERVED_IDS:
        c.error(
            data.line_of("id"),
            _("id `%(id)s` is reserved for the portal's own pages", id=file_id),
            _("Choose another id (and file name)."),
        )
    if file_id and file_id != path.stem:
        c.error(
            data.line_of("id"),
            _("id `%(id)s` differs from the file name `%(stem)s`", id=file_id, stem=path.stem),
            _("Rename the file to %(id)s.yaml or set `id: %(stem)s`.", id=file_id, stem=path.stem),
        )
    c.text(data, "title", scenario)
    c.text(data, "desk", scenario)
    c.text(data, "summary", scenario, required=False)
    goals = c.sequence(data, "goals", scenario)
    for i, goal in enumerate(goals or []):
        c.text_value(goal, goals.line_of(i), _("goal %(n)d", n=i + 1))
    scoring = c.choice(data, "scoring", scenario, engine.SCORING_MODES)
    pass_score = None
    if scoring in ("dynamic", "static"):
        pass_score = c.integer(data, "pass_score", scenario, minimum=0)
    elif scoring == "none" and "pass_score" in data:
        c.warning(
            data.line_of("pass_score"),
            _("`pass_score` is ignored when scoring is none"),
            _("Remove `pass_score`, or choose `scoring: dynamic` or `static`."),
        )
    c.boolean(data, "allow_back", scenario, default=False)

    nodes = c.mapping(data, "nodes", scenario)
    if nodes is not None and not nodes:
        c.error(
            data.line_of("nodes"),
            _("the scenario has no nodes"),
            _("Add the nodes under `nodes:`."),
        )
    nodes = nodes or LineDict()
    start = data.get("start")
    if start is None:
        c.error(data.line, _("`start` is missing"), _("Add `start: <id of the first node>`."))
    elif start not in nodes:
        c.error(
            data.line_of("start"),
            _("`start` names node `%(id)s`, which does not exist", id=start),
            _suggest(start, nodes),
        )

    for node_id, node in nodes.items():
        _check_node(c, root, nodes, node_id, node, scoring)

    if not any(isinstance(n, LineDict) and "ending" in n for n in nodes.values()) and nodes:
        c.error(
            data.line_of("nodes"),
            _("the scenario has no ending"),
            _("Add at least one node with `ending:` (verdict, debrief, tomorrow)."),
        )

    if not c.failed and start in nodes:
        definition = plain(data)
        _check_graph(c, data, nodes, definition, scoring, pass_score)
    return c.problems, data


def _suggest(name, nodes) -> str:
    import difflib

    close = difflib.get_close_matches(str(name), [str(n) for n in nodes], n=1)
    return (
        _("Did you mean `%(name)s`?", name=close[0])
        if close
        else _("Use the id of a node under `nodes:`.")
    )


def _check_node(c: Checker, root: Path, nodes: LineDict, node_id, node, scoring) -> None:
    where = _("node `%(id)s`", id=node_id)
    line = nodes.line_of(node_id)
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        c.error(
            line,
            _("node id %(id)r is not valid", id=node_id),
            _("Use letters, digits, hyphens and underscores, e.g. `ask-background`."),
        )
    if not isinstance(node, LineDict):
        c.error(
            line,
            _("%(where)s must be a mapping", where=where),
            _("Give the node `lines:` and either `choices:` or `ending:`."),
        )
        return
    c.keys(node, NODE_KEYS, where)
    has_choices, has_ending = "choices" in node, "ending" in node
    lines = c.sequence(node, "lines", where, required=not has_ending)
    for i, spoken in enumerate(lines or []):
        lw = _("%(where)s, line %(n)d", where=where, n=i + 1)
        if not isinstance(spoken, LineDict):
            c.error(
                lines.line_of(i),
                _("%(where)s must be a mapping", where=lw),
                _('Write {speaker: 住民, text: {ja: "…"}}.'),
            )
            continue
        c.keys(spoken, LINE_KEYS, lw)
        c.choice(spoken, "speaker", lw, engine.SPEAKERS)
        c.text(spoken, "text", lw)
    _check_media(c, root, node, where)
    if has_choices and has_ending:
        c.error(
            line,
            _("%(where)s has both `choices` and `ending`", where=where),
            _("A node either offers choices or ends the scenario: remove one."),
        )
    elif not has_choices and not has_ending:
        c.error(
            line,
            _("%(where)s is not an ending and has no way out", where=where),
            _("Add `choices:` (each with `next:`) or make it an ending with `ending:`."),
        )
    if has_choices:
        choices = c.sequence(node, "choices", where)
        best_here = max(
            (
                int(x.get("score") or 0)
                for x in choices or []
                if isinstance(x, LineDict) and isinstance(x.get("score", 0), int)
            ),
            default=0,
        )
        for i, choice in enumerate(choices or []):
            cw = _("%(where)s, choice %(n)d", where=where, n=i + 1)
            if not isinstance(choice, LineDict):
                c.error(
                    choices.line_of(i),
                    _("%(where)s must be a mapping", where=cw),
                    _('Write {text: {ja: "…"}, next: <node id>, score: 1, feedback: {ja: "…"}}.'),
                )
                continue
            c.keys(choice, CHOICE_KEYS, cw)
            c.text(choice, "text", cw)
            c.text(choice, "feedback", cw)
            score = c.integer(choice, "score", cw, required=False)
            _check_mistake(c, choice, cw, scoring, score, best_here)
            target = choice.get("next")
            if target is None:
                c.error(
                    choice.line,
                    _("%(where)s has no `next`", where=cw),
                    _("Add `next: <id of the node this choice leads to>`."),
                )
            elif target not in nodes:
                c.error(
                    choice.line_of("next"),
                    _("%(where)s leads to unknown node `%(id)s`", where=cw, id=target),
                    _suggest(target, nodes),
                )
    if has_ending:
        ending = c.mapping(node, "ending", where)
        if ending is not None:
            ew = _("%(where)s, ending", where=where)
            c.keys(ending, ENDING_KEYS, ew)
            c.choice(ending, "verdict", ew, engine.VERDICTS)
            c.integer(ending, "score", ew, required=scoring == "static")
            c.text(ending, "debrief", ew)
            tomorrow = c.sequence(ending, "tomorrow", ew)
            for i, action in enumerate(tomorrow or []):
                c.text_value(
                    action, tomorrow.line_of(i), _("%(where)s, tomorrow %(n)d", where=ew, n=i + 1)
                )


def _check_mistake(
    c: Checker, choice: LineDict, where: str, scoring, score: int | None, best_here: int
) -> None:
    """A choice worth nothing, when a better one stands beside it, names its mistake, so the
    result page can tell the learner which of their choices to look at again; a critical choice
    (against the law or the consent rules) fails the attempt and must say why."""
    if "mistake" in choice:
        c.text(choice, "mistake", where)
    critical = c.boolean(choice, "critical", where, default=False)
    if critical and "mistake" not in choice:
        c.error(
            choice.line_of("critical"),
            _("%(where)s is critical but has no `mistake`", where=where),
            _('Add `mistake: {ja: "…"}` saying what must not be done.'),
        )
    elif (
        scoring == "dynamic"
        and (score or 0) <= 0
        and (score or 0) < best_here
        and "mistake" not in choice
    ):
        c.error(
            choice.line,
            _("%(where)s scores %(n)d but names no `mistake`", where=where, n=score or 0),
            _(
                'Add `mistake: {ja: "…"}`: one sentence on what this choice gets wrong; the result page lists it.'
            ),
        )


def _check_media(c: Checker, root: Path, node: LineDict, where: str) -> None:
    image = node.get("image")
    if image is not None:
        relative = PurePosixPath(str(image))
        if not isinstance(image, str) or relative.is_absolute() or ".." in relative.parts:
            c.error(
                node.line_of("image"),
                _(
                    "%(where)s: image %(path)r must be a path inside scenarios/media/",
                    where=where,
                    path=image,
                ),
                _("Write the path relative to scenarios/media/, e.g. `tax-desk/counter.png`."),
            )
        elif relative.suffix.lower() not in IMAGE_SUFFIXES:
            c.error(
                node.line_of("image"),
                _("%(where)s: image %(path)r is not a picture file", where=where, path=image),
                _("Use one of: %(values)s.", values=", ".join(sorted(IMAGE_SUFFIXES))),
            )
        elif not (media_folder(root) / relative).is_file():
            c.error(
                node.line_of("image"),
                _(
                    "%(where)s: image file scenarios/media/%(path)s is missing",
                    where=where,
                    path=image,
                ),
                _("Add the file to scenarios/media/ or correct the path."),
            )
        if "image_alt" in node:
            c.text(node, "image_alt", where)
        else:
            c.warning(
                node.line_of("image"),
                _("%(where)s: the image has no `image_alt`", where=where),
                _(
                    'Add `image_alt: {ja: "…"}` describing the picture for staff who use a screen reader.'
                ),
            )
    elif "image_alt" in node:
        c.warning(
            node.line_of("image_alt"),
            _("%(where)s: `image_alt` without `image`", where=where),
            _("Remove `image_alt` or add `image:`."),
        )
    video = node.get("video")
    if video is not None:
        if not isinstance(video, str) or not re.match(r"^[a-z0-9][a-z0-9-]*$", video):
            c.error(
                node.line_of("video"),
                _("%(where)s: video %(id)r is not a video id", where=where, id=video),
                _("Use the id of a folder under videos/, e.g. `tax-desk-roleplay`."),
            )
        elif not (root / "videos" / video).is_dir():
            c.warning(
                node.line_of("video"),
                _("%(where)s: videos/%(id)s/ does not exist", where=where, id=video),
                _(
                    "Check the id, or add the video folder; until then the player leaves the clip out."
                ),
            )


def _check_graph(
    c: Checker, data: LineDict, nodes: LineDict, definition: dict, scoring, pass_score
) -> None:
    reached = set(engine.reachable(definition))
    for node_id in nodes:
        if node_id not in reached:
            c.error(
                nodes.line_of(node_id),
                _("node `%(id)s` cannot be reached from the start", id=node_id),
                _("Lead a choice to it with `next:`, or remove the node."),
            )
    reaching = engine.nodes_reaching_an_ending(definition)
    for node_id in nodes:
        if node_id in reached and node_id not in reaching:
            c.error(
                nodes.line_of(node_id),
                _(
                    "from node `%(id)s` no ending can be reached (the learner is trapped)",
                    id=node_id,
                ),
                _("Give one of the choices on this path a `next:` that leads towards an ending."),
            )
    if scoring in ("dynamic", "static") and pass_score is not None:
        definition = engine.without_critical(definition)  # a critical choice never passes
        try:
            best = engine.max_score(definition)
        except engine.SearchTooLarge:
            best = engine.estimated_max_score(definition)
            if pass_score > best:
                c.warning(
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
            c.error(
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


def check(paths: list[Path], root: Path) -> list[Problem]:
    return check_each(paths, root, check_file, "scenario")


# --- sync ---------------------------------------------------------------------------------------


def sync(paths: list[Path], root: Path) -> SyncResult:
    """Load every scenario file; a changed file becomes a new version (old attempts keep theirs).

    Scenarios whose file is gone are retired (hidden), never deleted.
    """
    from app.scenarios.models import Scenario, ScenarioVersion

    def definition_of(data) -> dict:
        definition = plain(data)
        definition.setdefault("allow_back", False)
        return definition

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
