"""Operator commands: ``flask --app app referrals rotate-key`` and ``… referrals retention``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.core import clock

referrals_cli = AppGroup("referrals", help="Referrals and cases: encryption keys and retention.")


@referrals_cli.command("rotate-key")
@click.option(
    "--drop-old",
    is_flag=True,
    help="After re-encrypting, remove the old keys from instance/referral_keys.",
)
def rotate_key_command(drop_old: bool):
    """Re-encrypt every referral and case record with the newest key.

    With keys in instance/referral_keys a new key is generated and put first. With
    REFERRAL_KEYS set, put the new key first in that variable yourself (keep the old ones
    after it), restart, then run this command, then remove the old keys.
    """
    from cryptography.fernet import Fernet

    from app.referrals import crypto, service

    app = current_app._get_current_object()
    from_env = crypto.keys_from_environment(app) is not None
    if not from_env:
        keys = crypto.instance_keys(app)
        crypto.write_instance_keys(app, [Fernet.generate_key(), *keys])
        crypto.reset(app)
    count = service.reencrypt_all()
    if drop_old and not from_env:
        crypto.write_instance_keys(app, crypto.instance_keys(app)[:1])
        crypto.reset(app)
    click.echo(_("Re-encrypted %(n)d records with the newest key.", n=count))
    if from_env:
        click.echo(
            _(
                "The keys come from REFERRAL_KEYS: remove the old keys from it once every worker has restarted."
            )
        )


@referrals_cli.command("new-key")
def new_key_command():
    """Print a new encryption key (for REFERRAL_KEYS)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@referrals_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
def retention_command(dry_run: bool):
    """Anonymise closed cases and referrals older than REFERRAL_RETENTION_YEARS (nothing is deleted)."""
    from app.referrals import retention

    result = retention.run(dry_run=dry_run)
    label = _("Dry run (nothing changed)") if dry_run else _("Anonymised")
    click.echo(
        _(
            "%(label)s: %(c)d closed cases and %(r)d referrals closed before %(d)s.",
            label=label,
            c=result.cases,
            r=result.referrals,
            d=clock.local_date(result.cutoff).isoformat(),
        )
    )
