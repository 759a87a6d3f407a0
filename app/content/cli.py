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
    help="Content root (default: the project).",
)
def check_command(path: Path | None, root: Path | None):
    """Validate content files; exit non-zero on any error."""
    root = root or (
        path if path and path.is_dir() and not registry.files_by_kind(_root(), path) else _root()
    )
    problems = registry.check_all(root, path if path and root != path else None)
    for problem in problems:
        click.echo(str(problem), err=True)
    for line in registry.summaries(root, path if path and root != path else None):
        click.echo(line)
    errors = [p for p in problems if p.severity == "error"]
    counts = {
        k: len(v)
        for k, v in registry.files_by_kind(root, path if path and root != path else None).items()
    }
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
