"""``flask --app app videos render SCRIPT``: render a role-play script, with a progress bar."""

from __future__ import annotations

import click
from flask_babel import gettext as _

PHASES = {
    "speech": "音声合成",
    "cards": "カード描画",
    "encode": "動画エンコード",
    "done": "完了",
    "skipped": "変更なし",
}


@click.command("render")
@click.argument("scripts", nargs=-1)
@click.option("--all", "render_all", is_flag=True, help="Render every script under videos/.")
@click.option("--force", is_flag=True, help="Render even if the script has not changed.")
@click.option(
    "--size", type=click.Choice(["1280x720", "960x540"]), help="Frame size (default 1280x720)."
)
def render_command(scripts: tuple[str, ...], render_all: bool, force: bool, size: str | None):
    """Render role-play scripts (videos/<id>/script.yaml, its folder, or the id) into videos."""
    from app.rendering import content, service
    from app.rendering.render import render

    paths = []
    for argument in scripts:
        path = service.resolve(argument)
        if path is None:
            raise click.ClickException(
                _("No script found for %(name)s (expected videos/<id>/script.yaml).", name=argument)
            )
        paths.append(path)
    if render_all:
        paths += content.find(service.content_root())
    if not paths:
        raise click.ClickException(_("Name a script to render, or use --all."))
    width, height = (int(n) for n in size.split("x")) if size else (None, None)
    failed = 0
    for path in paths:
        click.echo(_("Rendering %(path)s", path=path))
        with click.progressbar(
            length=1000,
            show_percent=True,
            item_show_func=lambda phase: PHASES.get(phase or "", phase),
        ) as bar:
            done = {"n": 0}

            def report(fraction: float, phase: str, bar=bar, done=done) -> None:
                target = round(fraction * 1000)
                bar.update(max(0, target - done["n"]), phase)
                done["n"] = max(done["n"], target)

            try:
                result = render(path, force=force, progress=report, width=width, height=height)
            except service.EXPECTED_ERRORS as exc:
                bar.render_finish()
                click.echo(_("Error: %(message)s", message=exc), err=True)
                failed += 1
                continue
        if result.status == "rendered":
            click.echo(
                _(
                    "%(duration).1f seconds, %(cues)d captions, %(chapters)d chapters.",
                    duration=result.duration,
                    cues=len(result.cues),
                    chapters=len(result.chapters),
                )
            )
        click.echo(service.hand_off(result, None))
    if failed:
        raise SystemExit(1)


@click.command("readings")
@click.argument("text", required=False)
@click.option(
    "--script",
    "script_name",
    help="Show how every line of this script (id, folder or script.yaml) will be read.",
)
def readings_command(text: str | None, script_name: str | None):
    """Show how the voice will read the pronunciation dictionary's terms, a TEXT, or a script."""
    from app.rendering import readings, service

    try:
        if script_name:
            path = service.resolve(script_name)
            if path is None:
                raise click.ClickException(
                    _(
                        "No script found for %(name)s (expected videos/<id>/script.yaml).",
                        name=script_name,
                    )
                )
            rows = readings.script_readings(path)
        elif text:
            rows = readings.text_readings(text, service.content_root()) + readings.engine_readings(
                text, service.content_root()
            )
        else:
            rows = readings.dictionary_readings(service.content_root())
    except readings.ReadingsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    for row in rows:
        click.echo(row)
