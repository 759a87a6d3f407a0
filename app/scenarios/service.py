"""Scenario operations: starting, choosing, going back, finishing, progress and reports.

Every write goes through here, one transaction per operation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.content.lookups import VersionedLookups
from app.core import audit
from app.core.models import utcnow
from app.core.signals import learning_item_completed, learning_item_started, send_progress
from app.extensions import db
from app.scenarios import engine
from app.scenarios.models import (
    AttemptStatus,
    Scenario,
    ScenarioAttempt,
    ScenarioChoice,
    ScenarioVersion,
)

KIND = "scenario"


class StaleStep(Exception):
    """The learner answered a step that is no longer the current one (an old tab, a double click)."""


# --- look-ups ----------------------------------------------------------------------------------

LOOKUPS = VersionedLookups(Scenario, ScenarioVersion, "scenario_id")
active_scenarios = LOOKUPS.active
get_active = LOOKUPS.get_active
get_by_slug = LOOKUPS.get_by_slug
current_version = LOOKUPS.current_version
get_version = LOOKUPS.get_version


def open_attempt(employee_id: int, scenario: Scenario) -> ScenarioAttempt | None:
    """The attempt the learner left mid-way, if any (they resume it)."""
    return db.session.scalar(
        select(ScenarioAttempt)
        .where(
            ScenarioAttempt.employee_id == employee_id,
            ScenarioAttempt.scenario_id == scenario.id,
            ScenarioAttempt.status == AttemptStatus.IN_PROGRESS,
        )
        .order_by(ScenarioAttempt.id.desc())
    )


def finished_attempts(employee_id: int, scenario: Scenario) -> list[ScenarioAttempt]:
    return list(
        db.session.scalars(
            select(ScenarioAttempt)
            .where(
                ScenarioAttempt.employee_id == employee_id,
                ScenarioAttempt.scenario_id == scenario.id,
                ScenarioAttempt.status == AttemptStatus.FINISHED,
            )
            .order_by(ScenarioAttempt.id.desc())
        )
    )


def get_attempt(employee_id: int, attempt_id: int) -> ScenarioAttempt | None:
    """An attempt of this employee only: nobody sees another learner's play-through."""
    attempt = db.session.get(ScenarioAttempt, attempt_id)
    return attempt if attempt is not None and attempt.employee_id == employee_id else None


def progress_for(employee_id: int, slugs: list[str]) -> dict[str, float]:
    """Fraction done per scenario: 1.0 finished with a pass, 0.5 started, 0.0 not started.

    Slugs that are not a scenario in the database are left out.
    """
    if not slugs:
        return {}
    rows = db.session.execute(
        select(Scenario.slug, ScenarioAttempt.passed, ScenarioAttempt.status)
        .select_from(Scenario)
        .outerjoin(
            ScenarioAttempt,
            (ScenarioAttempt.scenario_id == Scenario.id)
            & (ScenarioAttempt.employee_id == employee_id),
        )
        .where(Scenario.slug.in_(slugs))
    )
    progress: dict[str, float] = {}
    for slug, was_passed, status in rows:
        value = 0.0
        if status == AttemptStatus.FINISHED and was_passed:
            value = 1.0
        elif status is not None:
            value = 0.5
        progress[slug] = max(progress.get(slug, 0.0), value)
    return progress


# --- playing -----------------------------------------------------------------------------------


def _send(signal, employee_id: int, scenario: Scenario, version: ScenarioVersion) -> None:
    """Tell the courses, inside this transaction (before the commit)."""
    send_progress(
        signal, employee_id=employee_id, kind=KIND, slug=scenario.slug, version=version.number
    )


def start(employee_id: int, scenario: Scenario) -> ScenarioAttempt:
    """A new attempt on the current version; an unfinished one is abandoned (a restart)."""
    version = current_version(scenario)
    previous = open_attempt(employee_id, scenario)
    if previous is not None:
        previous.status = AttemptStatus.ABANDONED
    first_on_version = (
        db.session.scalar(
            select(func.count(ScenarioAttempt.id)).where(
                ScenarioAttempt.employee_id == employee_id, ScenarioAttempt.version_id == version.id
            )
        )
        == 0
    )
    attempt = ScenarioAttempt(
        employee_id=employee_id,
        scenario_id=scenario.id,
        version_id=version.id,
        current_node=version.definition["start"],
    )
    db.session.add(attempt)
    db.session.flush()
    audit.record(
        "scenario.started",
        "scenario_attempt",
        attempt.id,
        actor_id=employee_id,
        scenario=scenario.id,
        version=version.number,
    )
    if first_on_version:
        _send(learning_item_started, employee_id, scenario, version)
    db.session.commit()
    return attempt


def position(attempt: ScenarioAttempt) -> engine.Position:
    steps = [engine.Step(c.node_id, c.choice_index) for c in attempt.active_choices]
    return engine.replay(attempt.version.definition, steps)


def choose(
    attempt: ScenarioAttempt, node_id: str, step_number: int, choice_index: int
) -> ScenarioAttempt:
    """Record a choice at the current node; finish the attempt when it leads to an ending.

    ``node_id`` and ``step_number`` are what the learner's page showed: if they no longer match
    (an old tab, a double submit), nothing is recorded and :class:`StaleStep` is raised.
    """
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise StaleStep
    path = attempt.active_choices
    if node_id != attempt.current_node or step_number != len(path):
        raise StaleStep
    definition = attempt.version.definition
    options = engine.choices_of(definition["nodes"][attempt.current_node])
    if not 0 <= choice_index < len(options):
        raise StaleStep
    chosen = options[choice_index]
    db.session.add(
        ScenarioChoice(
            attempt=attempt,
            version_id=attempt.version_id,
            node_id=attempt.current_node,
            choice_index=choice_index,
            next_node=chosen["next"],
            score=int(chosen.get("score") or 0),
        )
    )
    db.session.flush()
    now = position(attempt)
    attempt.current_node = now.node
    completed = False
    if now.finished:
        ending = definition["nodes"][now.node]["ending"]
        attempt.status = AttemptStatus.FINISHED
        attempt.finished_at = utcnow()
        attempt.ending_node = now.node
        attempt.verdict = ending["verdict"]
        attempt.score = now.score
        attempt.passed = engine.passed(
            definition, now.score, engine.has_critical(definition, now.path)
        )
        completed = attempt.passed and not _passed_before(attempt)
        audit.record(
            "scenario.finished",
            "scenario_attempt",
            attempt.id,
            actor_id=attempt.employee_id,
            verdict=attempt.verdict,
            score=attempt.score,
            passed=attempt.passed,
        )
    if completed:
        _send(learning_item_completed, attempt.employee_id, attempt.scenario, attempt.version)
    db.session.commit()
    return attempt


def _passed_before(attempt: ScenarioAttempt) -> bool:
    return (
        db.session.scalar(
            select(func.count(ScenarioAttempt.id)).where(
                ScenarioAttempt.employee_id == attempt.employee_id,
                ScenarioAttempt.version_id == attempt.version_id,
                ScenarioAttempt.passed.is_(True),
                ScenarioAttempt.id != attempt.id,
            )
        )
        > 0
    )


def go_back(attempt: ScenarioAttempt, step_number: int) -> ScenarioAttempt:
    """Take back the last choice (when the scenario allows it). The choice stays on record."""
    if attempt.status != AttemptStatus.IN_PROGRESS or not attempt.version.definition.get(
        "allow_back"
    ):
        raise StaleStep
    path = attempt.active_choices
    if not path or step_number != len(path):
        raise StaleStep
    path[-1].undone_at = utcnow()
    attempt.current_node = path[-1].node_id
    db.session.commit()
    return attempt


# --- what the pages show -----------------------------------------------------------------------


@dataclass
class PathEntry:
    node_id: str
    choice: dict
    score: int


def path_taken(attempt: ScenarioAttempt) -> list[PathEntry]:
    nodes = attempt.version.definition["nodes"]
    return [
        PathEntry(c.node_id, engine.choices_of(nodes[c.node_id])[c.choice_index], c.score)
        for c in attempt.active_choices
    ]


def shown_choices(attempt: ScenarioAttempt) -> list[tuple[int, dict]]:
    """The current node's choices as (index in the file, choice), in this attempt's order."""
    options = engine.choices_of(attempt.version.definition["nodes"][attempt.current_node])
    return [
        (i, options[i])
        for i in engine.choice_order(attempt.order_seed, attempt.current_node, len(options))
    ]


def mistakes_made(attempt: ScenarioAttempt) -> list[dict]:
    """The mistakes on the path the learner actually took (taken-back choices left out)."""
    steps = [engine.Step(c.node_id, c.choice_index) for c in attempt.active_choices]
    return engine.mistakes(attempt.version.definition, steps)


def last_choice(attempt: ScenarioAttempt) -> dict | None:
    path = path_taken(attempt)
    return path[-1].choice if path else None


# --- "where staff go wrong" -----------------------------------------------------------------


@dataclass
class ChoiceStat:
    index: int
    choice: dict
    count: int
    share: float


@dataclass
class NodeStat:
    node_id: str
    node: dict
    total: int
    choices: list[ChoiceStat]


@dataclass
class Report:
    scenario: Scenario
    version: ScenarioVersion
    versions: list[int]
    started: int
    finished: int
    passed: int
    endings: list[tuple[str, dict, int]] = field(default_factory=list)
    nodes: list[NodeStat] = field(default_factory=list)


def choice_report(scenario: Scenario, version: ScenarioVersion) -> Report:
    """Per node, how often each choice was taken (taken-back choices included): aggregate counts only."""
    definition = version.definition
    counts = Counter(
        (node_id, index)
        for node_id, index in db.session.execute(
            select(ScenarioChoice.node_id, ScenarioChoice.choice_index).where(
                ScenarioChoice.version_id == version.id
            )
        )
    )
    statuses = Counter(
        status
        for (status,) in db.session.execute(
            select(ScenarioAttempt.status).where(ScenarioAttempt.version_id == version.id)
        )
    )
    passed_count = db.session.scalar(
        select(func.count(ScenarioAttempt.id)).where(
            ScenarioAttempt.version_id == version.id, ScenarioAttempt.passed.is_(True)
        )
    )
    endings = Counter(
        node
        for (node,) in db.session.execute(
            select(ScenarioAttempt.ending_node).where(
                ScenarioAttempt.version_id == version.id, ScenarioAttempt.ending_node.is_not(None)
            )
        )
    )
    report = Report(
        scenario=scenario,
        version=version,
        versions=[v.number for v in scenario.versions],
        started=sum(statuses.values()),
        finished=statuses[AttemptStatus.FINISHED],
        passed=passed_count,
    )
    for node_id in engine.reachable(definition):
        node = definition["nodes"][node_id]
        if engine.is_ending(node):
            report.endings.append((node_id, node, endings[node_id]))
            continue
        options = engine.choices_of(node)
        total = sum(counts[(node_id, i)] for i in range(len(options)))
        report.nodes.append(
            NodeStat(
                node_id,
                node,
                total,
                [
                    ChoiceStat(
                        i,
                        option,
                        counts[(node_id, i)],
                        counts[(node_id, i)] / total if total else 0.0,
                    )
                    for i, option in enumerate(options)
                ],
            )
        )
    return report
