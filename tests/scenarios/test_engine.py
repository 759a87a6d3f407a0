"""The engine on its own: scoring modes, revisits, the loop-free maximum."""

import pytest

from app.scenarios import engine
from app.scenarios.engine import Step


def scenario(scoring="dynamic", pass_score=3):
    def ending(verdict, score):
        return {
            "ending": {
                "verdict": verdict,
                "score": score,
                "debrief": {"ja": "…"},
                "tomorrow": [{"ja": "…"}],
            }
        }

    return {
        "scoring": scoring,
        "pass_score": pass_score,
        "start": "a",
        "nodes": {
            "a": {"choices": [{"next": "b", "score": 1}, {"next": "c", "score": 0}]},
            "b": {
                "choices": [
                    {"next": "a", "score": 5},
                    {"next": "good", "score": 2},
                    {"next": "bad", "score": -1},
                ]
            },
            "c": {"choices": [{"next": "b", "score": 1}, {"next": "bad", "score": 0}]},
            "good": ending("connected", 10),
            "bad": ending("missed", 0),
        },
    }


def test_dynamic_max_ignores_loops():
    # a→b (1) then b→good (2) = 3; a→c (0) →b (1) →good (2) = 3; the loop b→a (5) is ignored
    assert engine.max_score(scenario()) == 3


def test_static_max_is_the_best_reachable_ending():
    assert engine.max_score(scenario("static")) == 10
    assert engine.max_score(scenario("none")) is None


def test_dynamic_score_sums_the_path_and_a_revisit_replaces():
    definition = scenario()
    position = engine.replay(definition, [Step("a", 0), Step("b", 1)])
    assert (position.node, position.finished, position.score) == ("good", True, 3)
    # a (1) → b (5, loop back) → a (0, replaces a's 1) → c (1) → b (2, replaces b's 5) → good
    steps = [Step("a", 0), Step("b", 0), Step("a", 1), Step("c", 0), Step("b", 1)]
    position = engine.replay(definition, steps)
    assert position.finished and position.score == 0 + 1 + 2
    assert engine.passed(definition, position.score)


def test_static_and_none_scoring():
    static = scenario("static", pass_score=5)
    position = engine.replay(static, [Step("a", 0), Step("b", 2)])
    assert position.score == 0 and not engine.passed(static, position.score)
    assert engine.replay(static, [Step("a", 0), Step("b", 1)]).score == 10
    free = scenario("none")
    position = engine.replay(free, [Step("a", 1), Step("c", 1)])
    assert position.score is None and engine.passed(free, None)


def test_replay_refuses_a_step_that_is_not_allowed():
    with pytest.raises(ValueError):
        engine.replay(scenario(), [Step("b", 0)])
    with pytest.raises(ValueError):
        engine.replay(scenario(), [Step("a", 7)])


def test_reachability_and_traps():
    definition = scenario()
    definition["nodes"]["island"] = {"choices": [{"next": "good"}]}
    definition["nodes"]["c"]["choices"].append({"next": "trap"})
    definition["nodes"]["trap"] = {"choices": [{"next": "trap"}]}
    assert "island" not in engine.reachable(definition)
    assert "trap" not in engine.nodes_reaching_an_ending(definition)
    assert "c" in engine.nodes_reaching_an_ending(definition)


def test_estimate_for_graphs_too_large_to_search_is_a_lower_bound(monkeypatch):
    definition = scenario()
    assert engine.estimated_max_score(definition) <= engine.max_score(definition)
    assert engine.estimated_max_score(definition) == 3
    monkeypatch.setattr(engine, "MAX_SEARCH_STEPS", 3)
    with pytest.raises(engine.SearchTooLarge):
        engine.max_score(definition)


def test_validator_warns_instead_of_failing_on_a_huge_graph(monkeypatch, tmp_path):
    from app.scenarios import content
    from tests.scenarios.conftest import FIXTURE_ROOT

    source = FIXTURE_ROOT / "scenarios" / "practice-desk.yaml"
    (tmp_path / "scenarios" / "media").mkdir(parents=True)
    (tmp_path / "scenarios" / "media" / "counter.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>"
    )
    text = source.read_text(encoding="utf-8").replace("pass_score: 4", "pass_score: 9")
    (tmp_path / "scenarios" / "practice-desk.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(engine, "MAX_SEARCH_STEPS", 3)
    problems = content.check(content.find(tmp_path), tmp_path)
    assert [(p.severity, "may be above" in p.message) for p in problems] == [("warning", True)]
