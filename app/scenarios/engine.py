"""The branching-scenario engine, on the model of H5P's Branching Scenario.

A scenario definition is the plain dict loaded from ``scenarios/<id>.yaml`` (see
``scenarios/README.md``). Functions here are pure: they take the definition and the choices
made, and say where the learner is and what the score is. The service stores the attempts.

Scoring modes:
- ``static``: the score is the score of the ending reached;
- ``dynamic``: the sum of the scores of the choices along the path; when the learner comes
  back to a node already visited, the new choice's score replaces the earlier one there;
- ``none``: no score; reaching any ending completes the scenario.

Whatever the mode, a path that holds a ``critical`` choice (one that breaks the law or the
consent model) never passes. Choices are shown in an order of their own per attempt
(:func:`choice_order`), so that pressing the same number at every step means nothing.
"""

from __future__ import annotations

import hashlib
import random
from collections import deque
from dataclasses import dataclass

SCORING_MODES = ("dynamic", "static", "none")
VERDICTS = ("connected", "partial", "missed")
SPEAKERS = ("住民", "職員", "ナレーション")

# The search for the maximum score walks every loop-free path; a guard keeps a pathological
# graph from hanging the validator.
MAX_SEARCH_STEPS = 200_000


class SearchTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Step:
    """One choice the learner made: at ``node`` they took choice number ``choice``."""

    node: str
    choice: int


def is_ending(node: dict) -> bool:
    return "ending" in node


def choices_of(node: dict) -> list[dict]:
    return list(node.get("choices") or [])


def successors(definition: dict, node_id: str) -> list[str]:
    node = definition["nodes"].get(node_id) or {}
    return [c.get("next") for c in choices_of(node) if c.get("next") in definition["nodes"]]


def reachable(definition: dict) -> list[str]:
    """Node ids reachable from the start, in breadth-first order."""
    start = definition["start"]
    if start not in definition["nodes"]:
        return []
    seen = [start]
    queue = deque([start])
    while queue:
        for nxt in successors(definition, queue.popleft()):
            if nxt not in seen:
                seen.append(nxt)
                queue.append(nxt)
    return seen


def nodes_reaching_an_ending(definition: dict) -> set[str]:
    """Nodes from which some ending can be reached (endings included)."""
    nodes = definition["nodes"]
    good = {n for n, node in nodes.items() if is_ending(node)}
    changed = True
    while changed:
        changed = False
        for node_id in nodes:
            if node_id not in good and any(s in good for s in successors(definition, node_id)):
                good.add(node_id)
                changed = True
    return good


def max_score(definition: dict) -> int | None:
    """The best score a learner can reach, ignoring loops; None when scoring is ``none``.

    Static: the best ending score among reachable endings. Dynamic: the best sum of choice
    scores along a loop-free path from the start to an ending (an exhaustive search; raises
    :class:`SearchTooLarge` on a graph with too many paths, see :func:`estimated_max_score`).
    """
    scoring = definition.get("scoring", "none")
    nodes = definition["nodes"]
    if scoring == "none":
        return None
    if scoring == "static":
        scores = [
            int(nodes[n]["ending"].get("score") or 0)
            for n in reachable(definition)
            if is_ending(nodes[n])
        ]
        return max(scores) if scores else 0

    steps = 0

    def best(node_id: str, visited: frozenset[str]) -> int | None:
        nonlocal steps
        steps += 1
        if steps > MAX_SEARCH_STEPS:
            raise SearchTooLarge
        node = nodes[node_id]
        if is_ending(node):
            return 0
        results = []
        for choice in choices_of(node):
            nxt = choice.get("next")
            if nxt not in nodes or nxt in visited:
                continue
            rest = best(nxt, visited | {nxt})
            if rest is not None:
                results.append(int(choice.get("score") or 0) + rest)
        return max(results) if results else None

    start = definition["start"]
    if start not in nodes:
        return 0
    result = best(start, frozenset({start}))
    return result if result is not None else 0


def estimated_max_score(definition: dict) -> int:
    """A lower bound of the dynamic maximum for graphs too large to search exhaustively.

    Drops the edges that close a loop in one depth-first walk from the start, then takes the
    best path of the remaining acyclic graph. Every path it counts is loop-free, so the result
    never exceeds the true maximum.
    """
    nodes = definition["nodes"]
    start = definition["start"]
    forward: dict[str, list[tuple[str, int]]] = {n: [] for n in nodes}
    state: dict[str, int] = {}  # 1 = on the walk's stack, 2 = done
    stack = [(start, iter(choices_of(nodes[start])))]
    state[start] = 1
    while stack:
        node_id, pending = stack[-1]
        choice = next(pending, None)
        if choice is None:
            state[node_id] = 2
            stack.pop()
            continue
        nxt = choice.get("next")
        if nxt not in nodes or state.get(nxt) == 1:
            continue  # unknown target, or an edge back into the walk: a loop
        forward[node_id].append((nxt, int(choice.get("score") or 0)))
        if nxt not in state:
            state[nxt] = 1
            stack.append((nxt, iter(choices_of(nodes[nxt]))))
    best: dict[str, int | None] = {}
    for node_id in _post_order(forward, start):
        if is_ending(nodes[node_id]):
            best[node_id] = 0
            continue
        options = [
            score + best[nxt] for nxt, score in forward[node_id] if best.get(nxt) is not None
        ]
        best[node_id] = max(options) if options else None
    return best.get(start) or 0


def _post_order(forward: dict[str, list[tuple[str, int]]], start: str) -> list[str]:
    order, seen, stack = [], {start}, [(start, iter(forward[start]))]
    while stack:
        node_id, pending = stack[-1]
        edge = next(pending, None)
        if edge is None:
            order.append(node_id)
            stack.pop()
        elif edge[0] not in seen:
            seen.add(edge[0])
            stack.append((edge[0], iter(forward[edge[0]])))
    return order


@dataclass
class Position:
    """Where a learner stands after a sequence of choices."""

    node: str
    score: int | None
    finished: bool
    path: list[Step]


def replay(definition: dict, steps: list[Step]) -> Position:
    """Follow ``steps`` from the start; raises ValueError on a step the scenario does not allow."""
    nodes = definition["nodes"]
    current = definition["start"]
    node_scores: dict[str, int] = {}
    for step in steps:
        if step.node != current:
            raise ValueError(f"step at {step.node!r} but the learner is at {current!r}")
        options = choices_of(nodes[current])
        if not 0 <= step.choice < len(options):
            raise ValueError(f"no choice {step.choice} at {current!r}")
        choice = options[step.choice]
        # A revisited node's new choice replaces its earlier score (H5P's dynamic scoring).
        node_scores[current] = int(choice.get("score") or 0)
        current = choice["next"]
    finished = is_ending(nodes[current])
    return Position(current, score_of(definition, current, node_scores), finished, list(steps))


def score_of(definition: dict, node_id: str, node_scores: dict[str, int]) -> int | None:
    scoring = definition.get("scoring", "none")
    if scoring == "none":
        return None
    if scoring == "static":
        node = definition["nodes"][node_id]
        return int(node["ending"].get("score") or 0) if is_ending(node) else 0
    return sum(node_scores.values())


def passed(definition: dict, score: int | None, critical: bool = False) -> bool:
    """At an ending: a critical mistake on the path fails; with scoring ``none`` any other ending
    completes; otherwise the pass mark counts."""
    if critical:
        return False
    if definition.get("scoring", "none") == "none":
        return True
    return (score or 0) >= int(definition.get("pass_score") or 0)


def chosen(definition: dict, steps: list[Step]) -> list[dict]:
    """The choice taken at each step."""
    nodes = definition["nodes"]
    return [choices_of(nodes[step.node])[step.choice] for step in steps]


def mistakes(definition: dict, steps: list[Step]) -> list[dict]:
    """The choices with a ``mistake`` on this path, in the order they were made."""
    return [choice for choice in chosen(definition, steps) if choice.get("mistake")]


def has_critical(definition: dict, steps: list[Step]) -> bool:
    return any(choice.get("critical") for choice in chosen(definition, steps))


def without_critical(definition: dict) -> dict:
    """The scenario with its critical choices removed: the paths on which a learner can pass."""
    nodes = {
        node_id: (
            {**node, "choices": [c for c in choices_of(node) if not c.get("critical")]}
            if "choices" in node
            else node
        )
        for node_id, node in definition["nodes"].items()
    }
    return {**definition, "nodes": nodes}


def choice_order(seed: str, node_id: str, count: int) -> list[int]:
    """The order in which a node's choices are shown in one attempt: a permutation of
    ``range(count)`` that depends only on the attempt's seed and the node, so the page looks the
    same on reload, on resume and after going back, and differs from one attempt to the next."""
    digest = hashlib.sha256(f"{seed}:{node_id}".encode()).digest()
    order = list(range(count))
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return order
