"""The shipped scenarios and quizzes: they load, and every ending of every scenario can be played."""

from collections import deque
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.quizzes import content as quiz_content
from app.scenarios import content, service
from app.scenarios.models import AttemptStatus
from tests.factories import login, make_employee

SHIPPED = content.find(PROJECT_ROOT)


def route_to(definition: dict, target: str) -> list[int]:
    """The shortest list of choice indexes from the start to ``target``."""
    queue = deque([(definition["start"], [])])
    seen = {definition["start"]}
    while queue:
        node_id, path = queue.popleft()
        if node_id == target:
            return path
        for index, choice in enumerate(definition["nodes"][node_id].get("choices") or []):
            if choice["next"] not in seen:
                seen.add(choice["next"])
                queue.append((choice["next"], [*path, index]))
    raise AssertionError(f"{target} cannot be reached")


@pytest.mark.skipif(not SHIPPED, reason="no scenarios shipped yet")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_ending_of_a_shipped_scenario_can_be_played(path: Path, app, client, db):
    app.config["CONTENT_ROOT"] = PROJECT_ROOT
    content.sync([path], PROJECT_ROOT)
    scenario = service.get_active(path.stem)
    definition = service.current_version(scenario).definition
    endings = [n for n, node in definition["nodes"].items() if "ending" in node]
    assert len(endings) >= 3 and len(definition["nodes"]) >= 8  # the starter curriculum's own bar
    learner = make_employee()
    login(client, learner)
    for ending in endings:
        client.post(f"/scenarios/{path.stem}/start")
        attempt = service.open_attempt(learner.id, scenario)
        route = route_to(definition, ending)
        for step, index in enumerate(route):
            db.session.refresh(attempt)
            node = attempt.current_node
            response = client.post(
                f"/scenarios/{path.stem}/choose",
                data={"attempt": attempt.id, "node": node, "step": step, "choice": index},
            )
            assert response.status_code == 302
        db.session.refresh(attempt)
        assert attempt.status == AttemptStatus.FINISHED and attempt.ending_node == ending
        page = client.get(f"/scenarios/{path.stem}/results/{attempt.id}").get_data(as_text=True)
        assert definition["nodes"][ending]["ending"]["debrief"]["ja"][:20] in page
    verdicts = {definition["nodes"][e]["ending"]["verdict"] for e in endings}
    assert verdicts == {"connected", "partial", "missed"}


def test_shipped_quizzes_load(app):
    paths = quiz_content.find(PROJECT_ROOT)
    if not paths:
        pytest.skip("no quiz shipped yet")
    result = quiz_content.sync(paths, PROJECT_ROOT)
    assert result.created == len(paths)


def test_demo_loader_syncs_the_shipped_content(app, db):
    from app.core.demo import demo_loaders
    from app.quizzes import service as quiz_service
    from app.scenarios.models import ScenarioVersion

    app.config["CONTENT_ROOT"] = PROJECT_ROOT
    messages = [
        loader()
        for loader in demo_loaders()
        if loader.__module__.startswith(("app.scenarios", "app.quizzes"))
    ]
    assert len(messages) == 2
    assert len(service.active_scenarios()) == len(SHIPPED)
    assert len(quiz_service.active_quizzes()) == len(quiz_content.find(PROJECT_ROOT))
    versions = db.session.query(ScenarioVersion).count()
    for loader in demo_loaders():
        if loader.__module__.startswith(("app.scenarios", "app.quizzes")):
            loader()
    assert db.session.query(ScenarioVersion).count() == versions  # idempotent
