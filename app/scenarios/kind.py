"""The role-play scenario as a learning item of a course."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, TimingContext


def files(root: Path, slug: str) -> list[Path]:
    return [root / "scenarios" / f"{slug}.yaml"]


def seconds(root: Path, slug: str, context: TimingContext) -> tuple[float | None, str]:
    """The text along the best-scoring path, read at a desk, plus time to think at each step."""
    from app.courses import timing

    data = timing.load_yaml(files(root, slug)[0])
    if data is None or not isinstance(data.get("nodes"), dict) or not data["nodes"]:
        return None, timing.BASIS_UNKNOWN
    return timing.guarded(timing.scenario_seconds, data)


def progress(employee_id: int, slugs: list[str]) -> dict[str, float]:
    from app.scenarios import service

    return service.progress_for(employee_id, slugs)


def completions():
    """(employee_id, slug, latest version passed) of every scenario an employee passed."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.scenarios.models import Scenario, ScenarioAttempt, ScenarioVersion

    return db.session.execute(
        select(ScenarioAttempt.employee_id, Scenario.slug, func.max(ScenarioVersion.number))
        .join(Scenario, Scenario.id == ScenarioAttempt.scenario_id)
        .join(ScenarioVersion, ScenarioVersion.id == ScenarioAttempt.version_id)
        .where(ScenarioAttempt.passed.is_(True))
        .group_by(ScenarioAttempt.employee_id, Scenario.slug)
    ).all()


KIND = LearningItemKind(
    name="scenario",
    label=_l("Role-play"),
    file_format="scenarios/<id>.yaml",
    player_endpoint="scenarios.play",
    completion=_l("reached an ending that passes"),
    files=files,
    seconds=seconds,
    progress=progress,
    completions=completions,
    order=20,
)
