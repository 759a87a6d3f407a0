"""How long a course takes: computed from its items, never typed by the author.

Every figure a learner sees (「所要時間の目安 約22分」) and every ``max_minutes`` check comes
from here. The constants below are the whole model; change them here and nowhere else.

- **video**: its measured duration. On the portal that is the ingested lesson's duration
  (ffprobe at ingest, ``Video.duration``); before ingest (``content check``) it is ffprobe of
  the folder's source file, and when there is no media yet, the end of the last Japanese
  caption cue (a lower bound: the end card is missing).
- **reading**: the characters of the rendered text (whitespace not counted) at
  ``READING_CHARS_PER_MINUTE``.
- **scenario**: the text read along the best-scoring path — every line, every choice shown
  at each step, the feedback of the choice taken, and the ending's lines, debrief and
  「明日の窓口で」 — at ``READING_CHARS_PER_MINUTE``, plus ``SCENARIO_SECONDS_PER_STEP`` to
  think at each step.
- **quiz**: the number of questions drawn per attempt × ``QUIZ_SECONDS_PER_QUESTION``.

Optional items are shown with their own time but are not part of the course's figure.
Minutes are rounded up.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.scenarios import engine

#: Japanese text read at a desk: about 500 characters a minute (readings and scenarios).
READING_CHARS_PER_MINUTE = 500
#: Time to weigh the choices at each step of a role-play, on top of reading them.
SCENARIO_SECONDS_PER_STEP = 10
#: Time to read and answer one quiz question (most are single-choice with four options).
QUIZ_SECONDS_PER_QUESTION = 45

# Where a video's seconds came from, best first.
BASIS_MEASURED = "measured"  # the ingested lesson (database)
BASIS_PROBED = "ffprobe"  # the source file, probed
BASIS_CAPTIONS = "captions"  # the last caption cue's end: a lower bound
BASIS_COMPUTED = "computed"  # readings, scenarios, quizzes
BASIS_UNKNOWN = "unknown"

TAG_RE = re.compile(r"<[^>]+>")
SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class ItemTime:
    kind: str
    slug: str
    seconds: float | None
    basis: str
    optional: bool = False


@dataclass(frozen=True)
class CourseTime:
    items: tuple[ItemTime, ...]

    @property
    def counted(self) -> list[ItemTime]:
        return [i for i in self.items if not i.optional]

    @property
    def seconds(self) -> float:
        return sum(i.seconds or 0 for i in self.counted)

    @property
    def minutes(self) -> int:
        return minutes(self.seconds)

    @property
    def complete(self) -> bool:
        """False when an item's time is not known: the figure is then a lower bound."""
        return all(i.seconds is not None for i in self.counted)

    @property
    def known(self) -> bool:
        return any(i.seconds is not None for i in self.counted)

    @classmethod
    def from_items(cls, items: list[dict]) -> CourseTime | None:
        """From a synced course's items (each carries ``seconds`` and ``basis``); None for a
        course synced before times were recorded."""
        if not items or any("seconds" not in i for i in items):
            return None
        return cls(
            tuple(
                ItemTime(
                    i["kind"],
                    i["slug"],
                    i["seconds"],
                    i.get("basis", BASIS_COMPUTED),
                    bool(i.get("optional")),
                )
                for i in items
            )
        )


def minutes(seconds: float | None) -> int:
    """Whole minutes, rounded up (a 21-minute-5-second course is 約22分)."""
    return math.ceil(round(seconds or 0, 6) / 60)


def char_count(text: str) -> int:
    return len(SPACE_RE.sub("", text))


def reading_seconds_for_chars(chars: int) -> float:
    return chars * 60 / READING_CHARS_PER_MINUTE


def html_text(markup: str) -> str:
    return html.unescape(TAG_RE.sub("", markup))


def reading_seconds(rendered_html: str) -> float:
    return reading_seconds_for_chars(char_count(html_text(rendered_html)))


# --- scenarios ----------------------------------------------------------------------------------


def _ja(value) -> str:
    if isinstance(value, dict):
        return str(value.get("ja") or "")
    return str(value or "")


def _node_text(node: dict) -> list[str]:
    texts = [_ja(line.get("text")) for line in node.get("lines") or [] if isinstance(line, dict)]
    ending = node.get("ending")
    if isinstance(ending, dict):
        texts.append(_ja(ending.get("debrief")))
        texts += [_ja(t) for t in ending.get("tomorrow") or []]
    return texts


def path_text(definition: dict, steps: list[engine.Step]) -> list[str]:
    """The text a learner reads along ``steps``: lines, every choice shown, the feedback of
    the choice taken, and the ending reached."""
    nodes = definition["nodes"]
    texts: list[str] = []
    for step in steps:
        node = nodes[step.node]
        choices = engine.choices_of(node)
        texts += _node_text(node)
        texts += [_ja(c.get("text")) for c in choices]
        texts.append(_ja(choices[step.choice].get("feedback")))
    texts += _node_text(nodes[engine.replay(definition, steps).node])
    return texts


def best_path(definition: dict) -> list[engine.Step]:
    """The path a learner who does best takes: a loop-free path from the start to an ending
    that passes, with the highest score (scored with :func:`engine.replay`), never through a
    ``critical`` choice; among equals the one with the fewest steps, then the least text."""
    nodes = definition["nodes"]
    start = definition.get("start")
    if start not in nodes:
        return []
    best: tuple | None = None
    best_steps: list[engine.Step] = []
    budget = engine.MAX_SEARCH_STEPS

    def walk(node_id: str, steps: list[engine.Step], visited: set[str]) -> None:
        nonlocal best, best_steps, budget
        budget -= 1
        if budget < 0:
            return
        node = nodes[node_id]
        if engine.is_ending(node):
            position = engine.replay(definition, steps)
            chars = sum(char_count(t) for t in path_text(definition, steps))
            rank = (
                engine.passed(definition, position.score),
                position.score or 0,
                -len(steps),
                -chars,
            )
            if best is None or rank > best:
                best, best_steps = rank, list(steps)
            return
        for index, choice in enumerate(engine.choices_of(node)):
            nxt = choice.get("next")
            if nxt not in nodes or nxt in visited or choice.get("critical"):
                continue
            steps.append(engine.Step(node_id, index))
            visited.add(nxt)
            walk(nxt, steps, visited)
            visited.discard(nxt)
            steps.pop()

    walk(start, [], {start})
    return best_steps


def scenario_seconds(definition: dict) -> float:
    steps = best_path(definition)
    chars = sum(char_count(t) for t in path_text(definition, steps)) if steps else 0
    return reading_seconds_for_chars(chars) + SCENARIO_SECONDS_PER_STEP * len(steps)


# --- quizzes ------------------------------------------------------------------------------------


def quiz_seconds(definition: dict) -> float:
    questions = definition.get("questions") or []
    draw = definition.get("draw") or len(questions)
    return min(int(draw), len(questions)) * QUIZ_SECONDS_PER_QUESTION


# --- videos -------------------------------------------------------------------------------------

_probe_cache: dict[tuple[str, float, int], float | None] = {}


def _probe_seconds(path: Path) -> float | None:
    from app.videos import media

    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime, stat.st_size)
    if key not in _probe_cache:
        try:
            _probe_cache[key] = media.probe(path).duration
        except (media.MediaRefused, OSError):
            _probe_cache[key] = None
    return _probe_cache[key]


def _caption_end(path: Path) -> float | None:
    from app.videos import media

    try:
        cues = media.parse_captions(
            path.read_text(encoding="utf-8-sig"), srt=path.suffix.lower() == ".srt"
        )
    except (media.CaptionError, OSError, UnicodeDecodeError):
        return None
    return max((cue.end for cue in cues), default=None)


def video_seconds_from_files(folder: Path) -> tuple[float | None, str]:
    """A video's length before it is ingested: ffprobe of its source, else its captions."""
    from app.videos.content import load_spec

    yaml_path = folder / "video.yaml"
    if yaml_path.exists():
        spec, _problems = load_spec(yaml_path, check_captions=False)
        if spec is not None and spec.source is not None:
            seconds = _probe_seconds(spec.source)
            if seconds:
                return seconds, BASIS_PROBED
        captions = list(spec.captions.values()) if spec is not None else []
    else:
        captions = []
    captions = [c for c in captions if c.name.startswith("captions.ja")] or sorted(
        folder.glob("captions.ja.*")
    )
    for path in captions:
        end = _caption_end(path) if path.exists() else None
        if end:
            return end, BASIS_CAPTIONS
    return None, BASIS_UNKNOWN


# --- a course -----------------------------------------------------------------------------------


def load_yaml(path: Path) -> dict | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def guarded(rule, data: dict) -> tuple[float | None, str]:
    """Apply a kind's timing rule to a file's data; a broken file is timed as unknown."""
    try:
        return rule(data), BASIS_COMPUTED
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None, BASIS_UNKNOWN  # a broken file: its own validator reports it


def item_time(
    root: Path,
    kind: str,
    slug: str,
    *,
    reading_html: str | None = None,
    measured: dict[str, dict[str, float]] | None = None,
) -> tuple[float | None, str]:
    """Seconds for one item and where the figure came from, by the rule its kind declares."""
    from app.content import items

    found = items.get(kind)
    if found is None or found.seconds is None:
        return None, BASIS_UNKNOWN
    return found.seconds(
        root, slug, items.TimingContext(html=reading_html, measured=(measured or {}).get(kind))
    )


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
