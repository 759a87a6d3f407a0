"""The scenario list, the player (plain POST forms, one step at a time), results and reports."""

from __future__ import annotations

from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.core.converters import bounded_int
from app.core.permissions import Permission, require, require_any
from app.scenarios import bp, engine, service
from app.scenarios.forms import BackForm, StartForm, StepForm
from app.scenarios.models import AttemptStatus, ScenarioAttempt


def _scenario_or_404(slug: str):
    scenario = service.get_active(slug)
    if scenario is None:
        abort(404)
    return scenario


@bp.get("/")
@require(Permission.LEARN)
def index():
    page = service.LOOKUPS.index(current_user.id, service.progress_for)
    return render_template(
        "scenarios/index.html",
        scenarios=page["items"],
        versions=page["versions"],
        progress=page["progress"],
    )


@bp.get("/<slug>")
@require(Permission.LEARN)
def play(slug: str):
    """The intro page, or the current step of the attempt the learner left mid-way."""
    scenario = _scenario_or_404(slug)
    attempt = service.open_attempt(current_user.id, scenario)
    if attempt is None:
        version = service.current_version(scenario)
        return render_template(
            "scenarios/intro.html",
            scenario=scenario,
            definition=version.definition,
            version=version,
            finished=service.finished_attempts(current_user.id, scenario)[:5],
            form=StartForm(),
        )
    definition = attempt.version.definition
    path = service.path_taken(attempt)
    return render_template(
        "scenarios/step.html",
        scenario=scenario,
        attempt=attempt,
        definition=definition,
        node_id=attempt.current_node,
        node=definition["nodes"][attempt.current_node],
        last=path[-1] if path else None,
        step_number=len(path),
        choices=service.shown_choices(attempt),
        form=StepForm(),
        back_form=BackForm(),
        restart_form=StartForm(),
    )


@bp.post("/<slug>/start")
@require(Permission.LEARN)
def start(slug: str):
    scenario = _scenario_or_404(slug)
    if StartForm().validate_on_submit():
        service.start(current_user.id, scenario)
    return redirect(url_for("scenarios.play", slug=slug))


def _own_open_attempt(scenario, attempt_id: int) -> ScenarioAttempt | None:
    attempt = service.get_attempt(current_user.id, attempt_id)
    if attempt is None or attempt.scenario_id != scenario.id:
        return None
    return attempt


@bp.post("/<slug>/choose")
@require(Permission.LEARN)
def choose(slug: str):
    scenario = _scenario_or_404(slug)
    form = StepForm()
    attempt = _own_open_attempt(scenario, form.attempt.data) if form.validate_on_submit() else None
    if attempt is None:
        flash(_("That answer could not be recorded. Please choose again."), "error")
        return redirect(url_for("scenarios.play", slug=slug))
    try:
        service.choose(attempt, form.node.data, form.step.data, form.choice.data)
    except service.StaleStep:
        flash(
            _(
                "This page was out of date, so your answer was not recorded. Here is where you are now."
            ),
            "warning",
        )
        return redirect(url_for("scenarios.play", slug=slug))
    if attempt.status == AttemptStatus.FINISHED:
        return redirect(url_for("scenarios.result", slug=slug, attempt_id=attempt.id))
    return redirect(url_for("scenarios.play", slug=slug, _anchor="feedback"))


@bp.post("/<slug>/back")
@require(Permission.LEARN)
def back(slug: str):
    scenario = _scenario_or_404(slug)
    form = BackForm()
    attempt = _own_open_attempt(scenario, form.attempt.data) if form.validate_on_submit() else None
    try:
        if attempt is None:
            raise service.StaleStep
        service.go_back(attempt, form.step.data)
    except service.StaleStep:
        flash(_("This page was out of date. Here is where you are now."), "warning")
    return redirect(url_for("scenarios.play", slug=slug))


@bp.get("/<slug>/results/<int:attempt_id>")
@require(Permission.LEARN)
def result(slug: str, attempt_id: int):
    scenario = service.get_by_slug(slug)
    attempt = service.get_attempt(current_user.id, attempt_id) if scenario else None
    if (
        attempt is None
        or attempt.scenario_id != scenario.id
        or attempt.status != AttemptStatus.FINISHED
    ):
        abort(404)
    definition = attempt.version.definition
    return render_template(
        "scenarios/result.html",
        scenario=scenario,
        attempt=attempt,
        definition=definition,
        ending_node=definition["nodes"][attempt.ending_node],
        path=service.path_taken(attempt),
        mistakes=service.mistakes_made(attempt),
        max_score=attempt.version.max_score,
        form=StartForm(),
    )


@bp.get("/media/<path:filename>")
@require(Permission.LEARN)
def media(filename: str):
    """Pictures referred to by scenario nodes (``scenarios/media/``)."""
    from app.scenarios.content import media_folder

    folder = media_folder(Path(current_app.config["CONTENT_ROOT"]))
    return send_from_directory(folder, filename, max_age=3600)


# --- reports for content and training admins -----------------------------------------------


@bp.get("/reports")
@require_any(Permission.MANAGE_CONTENT, Permission.VIEW_ALL_PROGRESS)
def reports():
    scenarios = service.active_scenarios()
    return render_template("scenarios/reports.html", scenarios=scenarios)


@bp.get("/<slug>/report")
@require_any(Permission.MANAGE_CONTENT, Permission.VIEW_ALL_PROGRESS)
def report(slug: str):
    scenario = service.get_by_slug(slug)
    if scenario is None:
        abort(404)
    number = request.args.get("version", scenario.current_number, type=bounded_int)
    version = service.get_version(scenario, number)
    if version is None:
        abort(404)
    return render_template(
        "scenarios/report.html", report=service.choice_report(scenario, version), engine=engine
    )
