"""How long the scenario and quiz validators take, as ratios against plain YAML parsing.

    python benchmarks/bench_scenarios.py

The validator reads each file with line numbers, checks the schema, walks the graph and searches
the best loop-free score. Baselines measured in the same run: ``yaml.safe_load`` of the same
files (C loader when available), and a breadth-first reachability walk of the same graph.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.quizzes import content as quiz_content  # noqa: E402
from app.scenarios import content, engine  # noqa: E402

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def layered_scenario(layers: int, width: int) -> dict:
    """A dense graph: every node of a layer links to every node of the next, plus loops back."""
    nodes = {}
    for layer in range(layers):
        for i in range(width):
            nxt = [f"n{layer + 1}-{j}" for j in range(width)] if layer + 1 < layers else ["end"]
            choices = [{"next": n, "score": (i + j) % 3} for j, n in enumerate(nxt)]
            if layer:
                choices.append({"next": f"n{layer - 1}-0", "score": 0})
            nodes[f"n{layer}-{i}"] = {"choices": choices}
    nodes["end"] = {"ending": {"verdict": "connected", "score": 1}}
    return {"scoring": "dynamic", "start": "n0-0", "nodes": nodes}


def best_of(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main() -> None:
    scenario_files = content.find(ROOT)
    quiz_files = quiz_content.find(ROOT)
    files = scenario_files + quiz_files
    if not files:
        print("no shipped content to measure")
        return
    texts = [p.read_text(encoding="utf-8") for p in files]
    baseline = best_of(lambda: [yaml.load(t, Loader=Loader) for t in texts], 20)  # noqa: S506
    checked = best_of(
        lambda: (content.check(scenario_files, ROOT), quiz_content.check(quiz_files, ROOT)), 20
    )
    print(
        f"validate {len(files)} shipped files: {checked * 1000:.1f} ms "
        f"= {checked / baseline:.1f}× plain YAML parsing ({baseline * 1000:.1f} ms)"
    )

    for layers, width in ((6, 3), (8, 3), (6, 4)):
        graph = layered_scenario(layers, width)
        walk = best_of(lambda g=graph: engine.reachable(g), 50)
        try:
            search = best_of(lambda g=graph: engine.max_score(g), 3)
        except engine.SearchTooLarge:
            estimate = best_of(lambda g=graph: engine.estimated_max_score(g), 20)
            print(
                f"max-score search, {layers}×{width} dense graph: too many paths; the estimate takes {estimate * 1000:.2f} ms = {estimate / walk:.0f}× a reachability walk"
            )
            continue
        print(
            f"max-score search, {layers}×{width} dense graph ({len(graph['nodes'])} nodes): "
            f"{search * 1000:.1f} ms = {search / walk:.0f}× a reachability walk"
        )


if __name__ == "__main__":
    main()
