"""``flask --app app courses apply`` and ``flask --app app courses remind [--dry-run]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

courses_cli = AppGroup("courses", help="Courses: assignment rules and reminders.")


@courses_cli.command("apply")
def apply_command():
    """Re-evaluate every course's assignment rules for all active staff (and recertifications)."""
    from app.courses import service

    summary = service.apply_assignments(reason="cli")
    click.echo(
        _(
            "Assignment rules applied: %(a)d newly assigned, %(n)d no longer required, %(r)d reopened for recertification.",
            a=summary.assigned,
            n=summary.no_longer_required,
            r=summary.reopened,
        )
    )


@courses_cli.command("reconcile")
@click.option("--dry-run", is_flag=True, help="Count what is missing; record nothing.")
def reconcile_command(dry_run: bool):
    """Record in the courses every completed video, scenario or quiz they have not heard of."""
    from app.courses import service

    result = service.reconcile(dry_run=dry_run)
    parts = ", ".join(f"{kind} {n}" for kind, n in sorted(result.repaired.items())) or "0"
    if dry_run:
        click.echo(
            _(
                "Dry run: %(n)d of %(c)d completions are missing from the courses (%(parts)s).",
                n=result.total,
                c=result.checked,
                parts=parts,
            )
        )
    else:
        click.echo(
            _(
                "Completions checked: %(c)d; recorded in the courses now: %(n)d (%(parts)s).",
                c=result.checked,
                n=result.total,
                parts=parts,
            )
        )


@courses_cli.command("remind")
@click.option("--dry-run", is_flag=True, help="Count who would be reminded; send nothing.")
def remind_command(dry_run: bool):
    """E-mail staff whose required courses are due soon or overdue (once per due date)."""
    from app.courses import reminders, service

    service.apply_assignments(reason="cli")  # recertifications due today are reopened first
    run = reminders.send_reminders(dry_run=dry_run)
    if dry_run:
        click.echo(_("Dry run: %(n)d employees would be reminded.", n=run.candidates))
        if not run.enabled:
            click.echo(_("E-mail reminders are off (set REMINDER_EMAIL=1 and SMTP_HOST)."))
        return
    if not run.enabled:
        click.echo(_("E-mail reminders are off (set REMINDER_EMAIL=1 and SMTP_HOST)."))
        return
    click.echo(_("Reminders sent: %(s)d, failed: %(f)d.", s=run.sent, f=run.failed))
    if run.failed:
        raise SystemExit(1)
