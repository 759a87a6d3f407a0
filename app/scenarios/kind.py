"""The role-play scenario as a learning item of a course."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, passed_versions, yaml_files, yaml_seconds

files = yaml_files("scenarios")


def scenario_seconds(data: dict) -> float:
    """The text along the best-scoring path, read at a desk, plus time to think at each step."""
    from app.courses import timing

    return timing.scenario_seconds(data)


def has_nodes(data: dict) -> bool:
    return isinstance(data.get("nodes"), dict) and bool(data["nodes"])


def progress(employee_id: int, slugs: list[str]) -> dict[str, float]:
    from app.scenarios import service

    return service.progress_for(employee_id, slugs)


def completions():
    """(employee_id, slug, latest version passed) of every scenario an employee passed."""
    from app.scenarios.models import Scenario, ScenarioAttempt, ScenarioVersion

    return passed_versions(Scenario, ScenarioVersion, ScenarioAttempt, ScenarioAttempt.scenario_id)


KIND = LearningItemKind(
    name="scenario",
    label=_l("Role-play"),
    file_format="scenarios/<id>.yaml",
    player_endpoint="scenarios.play",
    completion=_l("reached an ending that passes"),
    files=files,
    seconds=yaml_seconds(files, scenario_seconds, usable=has_nodes),
    progress=progress,
    completions=completions,
    order=20,
)
