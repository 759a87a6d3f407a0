"""``flask --app app content check [PATH]`` and ``flask --app app content sync``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.content import registry

content_cli = AppGroup("content", help="Training content files: validate and load.")


def _root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content root (default: the project's): checked when no PATH is given, and where the "
    "references of a file outside any content folder are looked up.",
)
def check_command(path: Path | None, root: Path | None):
    """Validate content files; exit non-zero on any error or when PATH holds no content file.

    PATH may be a file or a folder, inside the project or anywhere else. A file's kind comes from
    its place in a content folder (a folder holding scenarios/*.yaml, quizzes/*.yaml,
    courses/*.md, videos/<id>/video.yaml, scorm/*.zip …), which is then the root its references
    are checked against. A file outside any content folder is recognised by its content: a YAML
    file with `nodes:` is a scenario, with `questions:` a quiz, with `cast:` and `scenes:` a
    video script; a Markdown file whose front matter has `items:` is a course; a file named
    video.yaml is a video folder's; a zip holding imsmanifest.xml is a SCORM package. Its
    references are looked up in the content root. A folder is checked recursively.
    """
    root = root or _root()
    selections = [registry.whole_tree(root)] if path is None else registry.select(path, root)
    counts = {kind.name: 0 for kind in registry.kinds()}
    for selection in selections:
        for name, paths in selection.files.items():
            counts[name] += len(paths)
    if not sum(counts.values()):
        click.echo(_("%(path)s holds no content file.", path=path or root), err=True)
        click.echo(_("See `flask content check --help` for what counts as one."), err=True)
        raise SystemExit(1)
    problems = [problem for selection in selections for problem in registry.check(selection)]
    for problem in problems:
        click.echo(str(problem), err=True)
    for selection in selections:
        for line in registry.summaries(selection):
            click.echo(line)
    errors = [p for p in problems if p.severity == "error"]
    click.echo(_("Checked: %(counts)s.", counts=", ".join(f"{k} {n}" for k, n in counts.items())))
    if errors:
        click.echo(_("%(n)d errors.", n=len(errors)), err=True)
        raise SystemExit(1)
    click.echo(_("No errors."))


@content_cli.command("sync")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path))
def sync_command(root: Path | None):
    """Validate, then load every content file into the database (idempotent)."""
    problems, results = registry.sync_all(root or _root())
    for problem in problems:
        click.echo(str(problem), err=True)
    if not results and any(p.severity == "error" for p in problems):
        click.echo(_("Nothing was loaded: fix the errors first."), err=True)
        raise SystemExit(1)
    for result in results:
        click.echo(
            _(
                "%(kind)s: %(c)d new, %(u)d updated, %(n)d unchanged",
                kind=result.kind,
                c=result.created,
                u=result.updated,
                n=result.unchanged,
            )
        )
        for message in result.messages:
            click.echo("  " + message)


@content_cli.command("legal")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv"]),
    default="text",
    help="csv: for a spreadsheet (UTF-8 with BOM).",
)
@click.option(
    "--clause", help="Only the statements relying on this clause of docs/consent-model.md."
)
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path))
def legal_command(fmt: str, clause: str | None, root: Path | None):
    """List every legal statement in the training content, for the legal office to sign off."""
    import csv
    import sys
    from collections import Counter

    from app.content import legal
    from app.core.spreadsheet import safe_row

    root = root or _root()
    found = [s for s in legal.statements(root) if clause is None or clause in s.clauses]
    names = legal.clauses(root)

    def where(statement) -> str:
        path = statement.path
        return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    if fmt == "csv":
        sys.stdout.write("\ufeff")
        writer = csv.writer(sys.stdout)
        writer.writerow(["file", "line", "clauses", "text"])
        for s in found:
            writer.writerow(safe_row([where(s), s.line, " ".join(s.clauses), s.text]))
        return
    for s in found:
        click.echo(f"{where(s)}:{s.line}\t[{', '.join(s.clauses)}]\t{s.text}")
    counts = Counter(c for s in found for c in s.clauses)
    click.echo("")
    for clause_id, heading in names.items():
        if clause is None or clause == clause_id:
            click.echo(
                _(
                    "%(id)s (%(heading)s): %(n)d statements",
                    id=clause_id,
                    heading=heading,
                    n=counts[clause_id],
                )
            )
    click.echo(_("%(n)d legal statements.", n=len(found)))
