"""Operator commands: ``flask --app app staff …`` and ``flask --app app demo load``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

staff_cli = AppGroup("staff", help="Employees and the roster.")
demo_cli = AppGroup("demo", help="The demo organisation and accounts.")


@staff_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count, change nothing.")
@click.option(
    "--deactivate-missing",
    is_flag=True,
    help="The file is the full roster: deactivate staff not in it.",
)
@click.option(
    "--effective-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of transfers (default today).",
)
def import_command(file: Path, dry_run: bool, deactivate_missing: bool, effective_date):
    """Import the personnel roster CSV (UTF-8 or Shift_JIS/CP932)."""
    from app.accounts import roster, service

    parsed = roster.parse(file.read_bytes())
    summary = service.import_roster(
        parsed,
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
        effective_on=effective_date.date() if effective_date else None,
    )
    if summary.errors:
        for error in summary.errors:
            click.echo(f"{file.name}: {error}", err=True)
        click.echo(_("%(n)d errors. Nothing was changed.", n=len(summary.errors)), err=True)
        raise SystemExit(1)
    label = _("Dry run (nothing changed)") if dry_run else _("Imported")
    click.echo(
        f"{label}: "
        + _(
            "added %(a)d, updated %(u)d, transferred %(t)d, deactivated %(d)d, reactivated %(r)d, unchanged %(n)d",
            a=summary.added,
            u=summary.updated,
            t=summary.transferred,
            d=summary.deactivated,
            r=summary.reactivated,
            n=summary.unchanged,
        )
    )
    for department in summary.new_departments:
        click.echo(_("New department: %(d)s", d=department))


@staff_cli.command("set-password")
@click.argument("login")
@click.password_option()
def set_password_command(login: str, password: str):
    """Set an employee's password (for the first system admin)."""
    from app.accounts import service
    from app.extensions import db

    employee = service.find_by_login(login)
    if employee is None:
        raise click.ClickException(_("No employee with that staff number or e-mail."))
    problem = service.password_problem(password)
    if problem:
        raise click.ClickException(problem)
    employee.set_password(password)
    db.session.commit()
    click.echo(_("Password set."))


@staff_cli.command("grant")
@click.argument("login")
@click.argument("role")
def grant_command(login: str, role: str):
    """Give an employee a role (learner, department_head, training_admin, consultation, content_admin, system_admin)."""
    from app.accounts import service
    from app.core.permissions import Role

    employee = service.find_by_login(login)
    if employee is None:
        raise click.ClickException(_("No employee with that staff number or e-mail."))
    try:
        new_role = Role(role)
    except ValueError:
        raise click.ClickException(_("Unknown role: %(role)s", role=role)) from None
    service.set_roles(employee, set(employee.roles) | {new_role}, via="cli")
    click.echo(_("Role granted."))


@demo_cli.command("load")
def demo_load_command():
    """Load the demo organisation, demo accounts and every shipped demo content."""
    from app.accounts import demo
    from app.core.demo import demo_loaders

    counts = demo.load()
    click.echo(
        _(
            "Demo organisation: %(d)d departments, %(e)d employees added.",
            d=counts["departments"],
            e=counts["employees"],
        )
    )
    for loader in demo_loaders():
        message = loader()
        if message:
            click.echo(message)
    click.echo("")
    click.echo(_("Demo accounts (password: %(p)s):", p=demo.DEMO_PASSWORD))
    for number, name, *_rest in demo.DEMO_ACCOUNTS:
        click.echo(f"  {number}  {name}  — {demo.DEMO_ROLE_LABELS[number]}")
    from app.partners.demo import DEMO_AGENCIES, DEMO_PARTNER_LABELS

    for _agency, _kind, number, name, _kana in DEMO_AGENCIES:
        click.echo(f"  {number}  {name}  — {DEMO_PARTNER_LABELS[number]}")
