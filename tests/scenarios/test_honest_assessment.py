"""A scenario measures learning: the shown order of choices means nothing, a blind learner rarely
passes, a choice against the law fails the attempt, and the result names the learner's own mistakes."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.config import PROJECT_ROOT
from app.scenarios import content, engine, service
from tests.factories import login, make_employee

SHIPPED = content.find(PROJECT_ROOT)
BLIND_RUNS = 400
BLIND_PASS_LIMIT = 0.20
STEP_CAP = 60  # a blind learner can go round a loop for ever; they give up long before this


def test_choice_order_is_a_stable_permutation_per_attempt_and_node():
    order = engine.choice_order("attempt-7", "arrival", 4)
    assert sorted(order) == [0, 1, 2, 3]
    assert engine.choice_order("attempt-7", "arrival", 4) == order  # reload, resume, back
    orders = {tuple(engine.choice_order(f"attempt-{n}", "arrival", 4)) for n in range(200)}
    assert len(orders) == 24  # every order of four turns up across attempts
    firsts = Counter(engine.choice_order(f"attempt-{n}", "arrival", 3)[0] for n in range(3000))
    assert all(800 < firsts[i] < 1200 for i in range(3)), firsts  # no position is favoured
    across_nodes = {tuple(engine.choice_order("attempt-7", node, 4)) for node in "abcdefghij"}
    assert len(across_nodes) > 1


def play_blind(definition: dict, seed: str, pick) -> tuple[bool, str]:
    """Play one attempt choosing by shown position only (``pick`` gets the shown order)."""
    nodes = definition["nodes"]
    current, steps = definition["start"], []
    while not engine.is_ending(nodes[current]) and len(steps) < STEP_CAP:
        options = engine.choices_of(nodes[current])
        index = pick(engine.choice_order(seed, current, len(options)))
        steps.append(engine.Step(current, index))
        current = options[index]["next"]
    if not engine.is_ending(nodes[current]):
        return False, current
    position = engine.replay(definition, steps)
    return engine.passed(
        definition, position.score, engine.has_critical(definition, steps)
    ), current


def best_walk(definition: dict) -> list[engine.Step]:
    """A path of the best loop-free score that passes, found by search (the shipped files are small)."""
    nodes, best = definition["nodes"], (None, [])

    def walk(node_id, visited, steps):
        nonlocal best
        if engine.is_ending(nodes[node_id]):
            position = engine.replay(definition, steps)
            if engine.passed(
                definition, position.score, engine.has_critical(definition, steps)
            ) and (best[0] is None or position.score > best[0]):
                best = (position.score, list(steps))
            return
        for index, choice in enumerate(engine.choices_of(nodes[node_id])):
            if choice["next"] not in visited:
                walk(
                    choice["next"],
                    visited | {choice["next"]},
                    [*steps, engine.Step(node_id, index)],
                )

    walk(definition["start"], {definition["start"]}, [])
    return best[1]


@pytest.mark.skipif(not SHIPPED, reason="no scenarios shipped")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize("position", ["first", "last"])
def test_pressing_the_same_number_at_every_step_rarely_passes(path: Path, position: str):
    definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    pick = (lambda order: order[0]) if position == "first" else (lambda order: order[-1])
    passes = sum(play_blind(definition, f"attempt-{n}", pick)[0] for n in range(BLIND_RUNS))
    assert passes / BLIND_RUNS <= BLIND_PASS_LIMIT, (
        f"{path.stem}: {passes}/{BLIND_RUNS} blind attempts passed"
    )
    # … while reading the scenario and choosing well does pass
    assert best_walk(definition), f"{path.stem}: no path passes"


@pytest.mark.skipif(not SHIPPED, reason="no scenarios shipped")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_best_choice_is_not_always_in_the_same_place_in_the_file(path: Path):
    """Authors vary it too, so that a file read in order, or an order-keeping player, teaches nothing."""
    definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    places = Counter()
    for node in definition["nodes"].values():
        options = engine.choices_of(node)
        if len(options) > 1:
            scores = [int(o.get("score") or 0) for o in options]
            places[scores.index(max(scores))] += 1
    assert max(places.values()) <= 0.6 * sum(places.values()), places


def _shown_values(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'name="choice" value="(\d+)"', html)]


def _state(html):
    return {
        k: re.search(rf'name="{k}" value="([^"]+)"', html).group(1)
        for k in ("attempt", "node", "step")
    }


def test_the_page_shows_the_attempts_order_and_keeps_it(client, practice, db):
    learner = make_employee()
    login(client, learner)
    orders = set()
    for _ in range(12):
        client.post("/scenarios/practice-desk/start")
        attempt = service.open_attempt(learner.id, practice)
        html = client.get("/scenarios/practice-desk").get_data(as_text=True)
        shown = _shown_values(html)
        assert shown == engine.choice_order(attempt.order_seed, "arrival", 2)
        assert (
            _shown_values(client.get("/scenarios/practice-desk").get_data(as_text=True)) == shown
        )  # reload
        orders.add(tuple(shown))
    assert orders == {(0, 1), (1, 0)}  # attempts differ

    # Choosing by the file's index still works whatever the order, and going back shows the same order.
    html = client.get("/scenarios/practice-desk").get_data(as_text=True)
    before = _shown_values(html)
    client.post("/scenarios/practice-desk/choose", data={**_state(html), "choice": 0})
    client.post(
        "/scenarios/practice-desk/back", data={"attempt": _state(html)["attempt"], "step": 1}
    )
    assert _shown_values(client.get("/scenarios/practice-desk").get_data(as_text=True)) == before
    # the shortcut keys follow the shown position, not the file's index
    keys = re.findall(
        r'value="(\d+)" class="choice"[^>]*data-key="(\d)"',
        client.get("/scenarios/practice-desk").get_data(as_text=True),
    )
    assert [int(k) for _, k in keys] == [1, 2]


CRITICAL_SCENARIO = """
id: critical-test
title: {ja: "税の窓口で"}
desk: {ja: "税務課 収納窓口"}
goals:
  - {ja: "同意なく伝えない"}
scoring: dynamic
pass_score: 3
allow_back: true
start: refused
nodes:
  refused:
    lines:
      - {speaker: 住民, text: {ja: "相談室には言わんといて。"}}
    choices:
      - text: {ja: "相談室のチラシを渡し、同意の状況を「本人拒否」と記録する"}
        next: respected
        score: 3
        feedback: {ja: "本人の意思を尊重しました。"}
      - text: {ja: "聞いた家族の事情を相談室に送る"}
        next: sent
        score: 4
        critical: true
        mistake: {ja: "税の窓口で聞いた家族の事情を、同意なく相談室に伝えた"}
        feedback: {ja: "同意なく伝えることはできません。"}
      - text: {ja: "何も言わずに見送る"}
        next: respected
        score: 0
        mistake: {ja: "相談室のことを伝えずに見送った"}
        feedback: {ja: "相談先だけは伝えられました。"}
  respected:
    ending:
      verdict: partial
      debrief: {ja: "今日はここまでです。"}
      tomorrow:
        - {ja: "チラシを手元に置く"}
  sent:
    ending:
      verdict: connected
      debrief: {ja: "相談室に情報が届きました。"}
      tomorrow:
        - {ja: "同意を確かめる"}
"""


@pytest.fixture
def critical_scenario(app, tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "critical-test.yaml").write_text(CRITICAL_SCENARIO, encoding="utf-8")
    app.config["CONTENT_ROOT"] = tmp_path
    result = content.sync(content.find(tmp_path), tmp_path)
    assert result.created == 1, result.messages
    return service.get_active("critical-test")


def _play_one_step(client, choice: int) -> str:
    """Start the one-step scenario, take ``choice`` (its index in the file) and return the result page."""
    client.post("/scenarios/critical-test/start")
    html = client.get("/scenarios/critical-test").get_data(as_text=True)
    response = client.post(
        "/scenarios/critical-test/choose", data={**_state(html), "choice": choice}
    )
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_critical_choice_fails_the_attempt_whatever_its_score(client, critical_scenario):
    learner = make_employee()
    login(client, learner)
    page = _play_one_step(client, 1)
    attempt = service.finished_attempts(learner.id, critical_scenario)[0]
    assert (attempt.score, attempt.verdict, attempt.passed) == (
        4,
        "connected",
        False,
    )  # 4 ≥ 3, yet not passed
    assert "見直したいこと" in page
    assert "税の窓口で聞いた家族の事情を、同意なく相談室に伝えた" in page
    assert "法令や同意のルールに反するもの" in page
    assert "してはいけないこと" in page


def test_the_result_lists_only_the_mistakes_on_the_path_taken(client, critical_scenario):
    learner = make_employee()
    login(client, learner)
    page = _play_one_step(client, 0)
    attempt = service.finished_attempts(learner.id, critical_scenario)[0]
    assert attempt.passed is True
    assert "見直したいこと" not in page  # a clean path is not told off

    page = _play_one_step(client, 2)
    assert "相談室のことを伝えずに見送った" in page
    assert "同意なく相談室に伝えた" not in page and "法令や同意のルールに反するもの" not in page


def test_a_pass_mark_only_a_critical_path_reaches_is_refused(tmp_path):
    """The validator counts only the paths on which a learner can pass."""
    from flask import Flask
    from flask_babel import Babel, force_locale

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "critical-test.yaml").write_text(
        CRITICAL_SCENARIO.replace("pass_score: 3", "pass_score: 4"), encoding="utf-8"
    )
    bare = Flask(__name__)
    Babel(bare)
    with bare.app_context(), force_locale("en"):
        problems = content.check(content.find(tmp_path), tmp_path)
    assert any("is above the best reachable score 3" in p.message for p in problems), [
        str(p) for p in problems
    ]
