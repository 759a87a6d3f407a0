"""Encryption at rest for referral and case data, and keyed hashes for searching.

Identifying fields and free text are stored as Fernet tokens (``EncryptedText``). The keys
come from ``REFERRAL_KEYS`` (comma-separated, newest first) or, when that is unset, from
``instance/referral_keys`` (one key a line, newest first), generated on first use like the
secret key. ``MultiFernet`` decrypts with any listed key and encrypts with the first, so a
new key can be put in front while old rows are re-encrypted (``flask referrals rotate-key``).

A kana name cannot be searched once encrypted, so a deterministic keyed hash (HMAC-SHA256)
of the normalised kana is stored beside it. Its key (``REFERRAL_HASH_KEY`` or
``instance/referral_hash_key``) is separate and is not rotated with the encryption keys:
changing it would make every stored hash unmatchable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from app.core.files import private_directory, write_private

KEY_FILE = "referral_keys"
HASH_KEY_FILE = "referral_hash_key"


class UndecryptableRecord(RuntimeError):
    """The configured keys cannot decrypt a stored value."""


class MissingKeys(RuntimeError):
    """The database holds encrypted records but the keys that encrypted them are not here."""


def holds_encrypted_records(app) -> bool:
    """Whether the database already holds referrals or cases (so its keys exist somewhere)."""
    from sqlalchemy import inspect, text

    from app.extensions import db

    with app.app_context():
        engine = db.engine
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            return any(
                conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None  # noqa: S608 - fixed names
                for table in ("referral", "support_case")
                if table in tables
            )


def _refuse_new_key(app, key_file: Path, setting: str) -> None:
    """Never make a new key for a database whose records were encrypted with another one."""
    if holds_encrypted_records(app):
        raise MissingKeys(
            f"The database holds encrypted referrals or cases, but {key_file} is missing and {setting} is not set. "
            f"Restore {key_file.name} (and {HASH_KEY_FILE if key_file.name == KEY_FILE else KEY_FILE}) from the backup "
            f"taken with this database into {key_file.parent}, or set {setting}; no new key was made, because "
            "records encrypted with the old one could no longer be read."
        )


def check_keys(app) -> None:
    """Refuse to start when the database holds encrypted records but their keys are missing."""
    instance = Path(app.instance_path)
    if not keys_from_environment(app) and not (instance / KEY_FILE).exists():
        _refuse_new_key(app, instance / KEY_FILE, "REFERRAL_KEYS")
    if not app.config.get("REFERRAL_HASH_KEY") and not (instance / HASH_KEY_FILE).exists():
        _refuse_new_key(app, instance / HASH_KEY_FILE, "REFERRAL_HASH_KEY")


def _instance(app) -> Path:
    return private_directory(Path(app.instance_path))


def _write_private(path: Path, text: str) -> None:
    write_private(path, text)


def keys_from_environment(app) -> list[bytes] | None:
    raw = app.config.get("REFERRAL_KEYS")
    if not raw:
        return None
    return [k.strip().encode() for k in raw.split(",") if k.strip()]


def instance_keys(app, create: bool = True) -> list[bytes]:
    key_file = _instance(app) / KEY_FILE
    if not key_file.exists():
        if not create:
            return []
        _refuse_new_key(app, key_file, "REFERRAL_KEYS")
        _write_private(key_file, Fernet.generate_key().decode() + "\n")
    return [line.strip().encode() for line in key_file.read_text().splitlines() if line.strip()]


def write_instance_keys(app, keys: list[bytes]) -> None:
    _write_private(_instance(app) / KEY_FILE, "".join(k.decode() + "\n" for k in keys))


def encryption_keys(app) -> list[bytes]:
    return keys_from_environment(app) or instance_keys(app)


def hash_key(app) -> bytes:
    raw = app.config.get("REFERRAL_HASH_KEY")
    if raw:
        return raw.encode()
    key_file = _instance(app) / HASH_KEY_FILE
    if not key_file.exists():
        _refuse_new_key(app, key_file, "REFERRAL_HASH_KEY")
        _write_private(key_file, os.urandom(32).hex())
    return key_file.read_text().strip().encode()


def _state(app) -> dict:
    state = app.extensions.get("referral_crypto")
    if state is None:
        state = app.extensions["referral_crypto"] = {
            "fernet": MultiFernet([Fernet(k) for k in encryption_keys(app)]),
            "hash_key": hash_key(app),
        }
    return state


def reset(app) -> None:
    """Forget the cached keys (after a rotation)."""
    app.extensions.pop("referral_crypto", None)


def encrypt(value: str) -> str:
    return _state(current_app)["fernet"].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _state(current_app)["fernet"].decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a missing key, never a silent wrong answer
        raise UndecryptableRecord(
            "a referral record cannot be decrypted with the configured keys"
        ) from exc


_SPACES = re.compile(r"[\s\u3000・･]+")


def normalise_kana(value: str) -> str:
    """ｻﾄｳ　ﾀﾛｳ / さとう たろう / サトウタロウ → サトウタロウ."""
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in value)
    return _SPACES.sub("", value).upper()


def family_kana(value: str) -> str:
    """The family name part of a kana name written as 「姓 名」."""
    parts = _SPACES.split(unicodedata.normalize("NFKC", value or "").strip())
    return normalise_kana(parts[0]) if parts and parts[0] else ""


def kana_hash(value: str | None) -> str | None:
    """Deterministic keyed hash of a normalised kana name; None for an empty one."""
    normalised = normalise_kana(value or "")
    if not normalised:
        return None
    return hmac.new(
        _state(current_app)["hash_key"], normalised.encode(), hashlib.sha256
    ).hexdigest()


class EncryptedText(TypeDecorator):
    """A string column stored as a Fernet token. ``None`` stays ``NULL``."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt(value)
