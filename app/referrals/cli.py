"""Operator commands: ``flask --app app referrals rotate-key`` and ``… referrals retention``."""

from __future__ import annotations

from flask.cli import AppGroup

referrals_cli = AppGroup("referrals", help="Referrals and cases: encryption keys and retention.")
