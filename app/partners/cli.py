"""Operator commands: ``flask --app app partners …``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

partners_cli = AppGroup("partners", help="Partner agencies and their staff's accounts.")


@partners_cli.command("list")
def list_command():
    """List the agencies, their kind and their accounts."""
    from app.partners import service

    for agency in service.list_agencies():
        state = "" if agency.active else " " + _("(inactive)")
        click.echo(f"{agency.id}\t{agency.kind}\t{agency.name}{state}")
        for account in agency.accounts:
            mark = "" if account.employee.active else " " + _("(inactive)")
            click.echo(f"\t{account.employee.staff_number}\t{account.employee.name}{mark}")


@partners_cli.command("add-agency")
@click.argument("name")
@click.option(
    "--kind",
    required=True,
    help="commissioned, social_welfare_council, community_support_center, "
    "independence_support, disability_consultation or other",
)
def add_agency_command(name: str, kind: str):
    """Register a partner agency."""
    from app.extensions import db
    from app.partners import service

    try:
        agency = service.create_agency(name, kind, None)
    except service.PartnerError as exc:
        raise click.ClickException(_cli_error(str(exc))) from None
    db.session.commit()
    click.echo(_("Agency registered: %(name)s (id %(id)d).", name=agency.name, id=agency.id))


@partners_cli.command("add-account")
@click.argument("agency_id", type=int)
@click.argument("staff_number")
@click.argument("name")
@click.option("--kana", default="")
@click.option("--email", default="")
def add_account_command(agency_id: int, staff_number: str, name: str, kana: str, email: str):
    """Give one of an agency's staff a sign-in; prints a temporary password once."""
    from app.extensions import db
    from app.partners import service
    from app.partners.models import Agency

    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise click.ClickException(_("No agency with that id."))
    try:
        employee, temporary = service.add_account(agency, staff_number, name, kana, email, None)
    except service.PartnerError as exc:
        raise click.ClickException(_cli_error(str(exc))) from None
    db.session.commit()
    click.echo(
        _(
            "Account %(number)s for %(agency)s. Temporary password: %(password)s",
            number=employee.staff_number,
            agency=agency.name,
            password=temporary,
        )
    )


@partners_cli.command("deactivate-account")
@click.argument("staff_number")
def deactivate_account_command(staff_number: str):
    """End a partner account's access (its sessions end at once)."""
    from sqlalchemy import select

    from app.accounts.models import Employee
    from app.extensions import db
    from app.partners import service
    from app.partners.models import PartnerAccount

    employee = db.session.scalar(select(Employee).where(Employee.staff_number == staff_number))
    account = db.session.get(PartnerAccount, employee.id) if employee else None
    if account is None:
        raise click.ClickException(_("No partner account with that number."))
    service.set_account_active(account.agency, employee.id, False, None)
    db.session.commit()
    click.echo(_("Deactivated."))


def _cli_error(code: str) -> str:
    return {
        "name": _("Name the agency."),
        "kind": _("Unknown kind."),
        "name_taken": _("An agency with that name is already registered."),
        "account": _("Give the sign-in number and the name."),
        "number_taken": _("That sign-in number is already in use."),
        "email_taken": _("That e-mail address is already in use."),
    }.get(code, code)
