"""``flask backup`` and ``flask restore``: the database, the key files and a media manifest.

A backup is one ``.tar.gz`` (0600): ``backup.json`` (format, time, schema revision, row
counts), ``tables/<table>.jsonl`` (every row of every table, portable between SQLite and
PostgreSQL), ``keys/`` (the secret key and the referral encryption keys from the instance
folder: without them the referrals in the database cannot be read) and ``media.jsonl`` (each
file under MEDIA_ROOT with its size; the media itself is copied by the file backup of that
folder, and ``restore`` checks the copy against this list).

Restoring needs an empty database: the schema is created at the backup's revision, the rows
are loaded, and the schema is then upgraded to this version's head. A key file that exists
and differs is never overwritten without ``--force``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.core import clock
from app.core.files import private_directory, write_private
from app.extensions import db

FORMAT = 1
KEY_FILES = ("secret_key", "referral_keys", "referral_hash_key")
SKIPPED_TABLES = {"alembic_version", "worker_heartbeat"}
SKIPPED_MEDIA = ("incoming/",)  # uploads in flight


class RestoreRefused(click.ClickException):
    pass


# --- values ---------------------------------------------------------------------------------


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, sa.Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, sa.LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def _reflect(connection) -> list[sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _revision(connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


# --- backup ---------------------------------------------------------------------------------


def media_manifest(root: Path) -> list[dict]:
    if not root.is_dir():
        return []
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and not relative.startswith(SKIPPED_MEDIA)
            and "/.tmp-" not in f"/{relative}"
        ):
            files.append({"path": relative, "size": path.stat().st_size})
    return files


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(clock.system_now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def create_backup(target: Path) -> dict:
    """Write a backup to ``target`` (a file, or a folder to put a dated file in); return its summary."""
    if target.is_dir() or not target.suffix:
        private_directory(target)
        target = (
            target / f"tsunagu-{clock.local(clock.system_now()).strftime('%Y%m%d-%H%M%S')}.tar.gz"
        )
    instance = Path(current_app.instance_path)
    summary = {
        "format": FORMAT,
        "created_at": clock.system_now().isoformat(),
        "tables": {},
        "keys": [],
        "media_files": 0,
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        engine = db.engine
        options = (
            {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
        )
        # One read transaction: every table as of the same moment.
        with engine.connect().execution_options(**options) as connection, connection.begin():
            summary["revision"] = _revision(connection)
            summary["dialect"] = engine.dialect.name
            for table in _reflect(connection):
                lines, count = [], 0
                order = list(table.primary_key.columns) or list(table.columns)
                for row in connection.execute(sa.select(table).order_by(*order)).mappings():
                    lines.append(
                        json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False)
                    )
                    count += 1
                _add(
                    archive,
                    f"tables/{table.name}.jsonl",
                    ("\n".join(lines) + "\n" if lines else "").encode("utf-8"),
                )
                summary["tables"][table.name] = count
        for name in KEY_FILES:
            path = instance / name
            if path.is_file():
                _add(archive, f"keys/{name}", path.read_bytes())
                summary["keys"].append(name)
        media = media_manifest(Path(current_app.config["MEDIA_ROOT"]))
        summary["media_files"] = len(media)
        _add(
            archive,
            "media.jsonl",
            "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in media).encode("utf-8"),
        )
        _add(
            archive,
            "backup.json",
            json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"),
        )
    write_private(target, buffer.getvalue())
    summary["path"] = str(target)
    summary["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    return summary


# --- restore --------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: dict[str, int] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    media_ok: int = 0
    media_missing: list[str] = field(default_factory=list)
    media_different: list[str] = field(default_factory=list)


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise RestoreRefused(f"{name} is missing from the backup")
    return member.read()


def _database_has_rows(connection) -> bool:
    return any(
        connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
        for t in _reflect(connection)
    )


def restore_backup(source: Path, *, force: bool = False) -> RestoreReport:
    """Load a backup into this instance's (empty) database and instance folder."""
    from flask_migrate import upgrade

    try:
        archive = tarfile.open(source, mode="r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise RestoreRefused(f"{source} is not a backup: {exc}") from None
    report = RestoreReport()
    with archive:
        summary = json.loads(_read(archive, "backup.json"))
        if summary.get("format") != FORMAT:
            raise RestoreRefused(f"unknown backup format {summary.get('format')}")
        _check_keys(archive, summary, force)
        with db.engine.connect() as connection:
            current = _revision(connection)
            if current is not None and _database_has_rows(connection):
                raise RestoreRefused(
                    "the database is not empty: restore into a new, empty database"
                )
        if current not in (None, summary["revision"]):
            raise RestoreRefused(
                f"the database schema is at {current}, the backup at {summary['revision']}: restore into a new, empty database"
            )
        if current is None:
            upgrade(revision=summary["revision"])  # the schema the rows were taken from
        with db.engine.begin() as connection:
            for table in _reflect(connection):
                report.tables[table.name] = _load_table(connection, table, archive, summary)
            _reset_sequences(connection)
        upgrade()  # then this version's schema
        report.keys = _restore_keys(archive, summary)
        _check_media(archive, report)
    db.session.remove()
    return report


def _load_table(connection, table: sa.Table, archive: tarfile.TarFile, summary: dict) -> int:
    if table.name not in summary["tables"]:
        return 0
    decoders = {c.name: _decoder(c) for c in table.columns}
    rows = []
    for line in _read(archive, f"tables/{table.name}.jsonl").decode("utf-8").splitlines():
        if line:
            raw = json.loads(line)
            rows.append({k: decoders[k](v) for k, v in raw.items() if k in decoders})
    for start in range(0, len(rows), 500):
        connection.execute(table.insert(), rows[start : start + 500])
    if len(rows) != summary["tables"][table.name]:
        raise RestoreRefused(
            f"{table.name}: {len(rows)} rows read, {summary['tables'][table.name]} expected"
        )
    return len(rows)


def _reset_sequences(connection) -> None:
    """PostgreSQL: the next id after the restored ones (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in _reflect(connection):
        for column in table.primary_key.columns:
            if isinstance(column.type, sa.Integer):
                sequence = connection.execute(
                    sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": table.name, "c": column.name},
                ).scalar()
                if sequence:
                    connection.execute(
                        sa.text(
                            f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
                        ),
                        {"s": sequence},
                    )


def _check_keys(archive: tarfile.TarFile, summary: dict, force: bool) -> None:
    instance = Path(current_app.instance_path)
    for name in summary.get("keys", []):
        existing = instance / name
        if (
            existing.is_file()
            and existing.read_bytes() != _read(archive, f"keys/{name}")
            and not force
        ):
            raise RestoreRefused(
                f"{existing} exists and differs from the backup's; move it away (or use --force) to restore the backup's keys"
            )


def _restore_keys(archive: tarfile.TarFile, summary: dict) -> list[str]:
    instance = private_directory(Path(current_app.instance_path))
    for name in summary.get("keys", []):
        write_private(instance / name, _read(archive, f"keys/{name}"))
    return list(summary.get("keys", []))


def _check_media(archive: tarfile.TarFile, report: RestoreReport) -> None:
    root = Path(current_app.config["MEDIA_ROOT"])
    for line in _read(archive, "media.jsonl").decode("utf-8").splitlines():
        if not line:
            continue
        entry = json.loads(line)
        path = root / entry["path"]
        if not path.is_file():
            report.media_missing.append(entry["path"])
        elif path.stat().st_size != entry["size"]:
            report.media_different.append(entry["path"])
        else:
            report.media_ok += 1


# --- commands -------------------------------------------------------------------------------


@click.command("backup")
@click.argument("target", type=click.Path(path_type=Path), required=False)
@with_appcontext
def backup_command(target: Path | None):
    """Back up the database, the key files and a media manifest into one .tar.gz (0600).

    TARGET is a file name or a folder (default: instance/backups/). Copy MEDIA_ROOT with the
    city's file backup beside it.
    """
    summary = create_backup(target or Path(current_app.instance_path) / "backups")
    rows = sum(summary["tables"].values())
    click.echo(
        f"{summary['path']}: {len(summary['tables'])} tables, {rows} rows, keys {', '.join(summary['keys']) or '(none)'}, "
        f"{summary['media_files']} media files listed; sha256 {summary['sha256']}"
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite key files that differ from the backup's.")
@with_appcontext
def restore_command(source: Path, force: bool):
    """Restore a backup into an empty database and this instance folder, then upgrade the schema."""
    report = restore_backup(source, force=force)
    click.echo(
        f"restored {sum(report.tables.values())} rows in {len(report.tables)} tables; keys: {', '.join(report.keys) or '(none)'}"
    )
    click.echo(
        f"media: {report.media_ok} files as listed, {len(report.media_missing)} missing, {len(report.media_different)} of another size"
    )
    for path in (report.media_missing + report.media_different)[:20]:
        click.echo(f"  {path}")
    if report.media_missing or report.media_different:
        click.echo(
            "The database is restored; copy MEDIA_ROOT back from the file backup (the files above are missing).",
            err=True,
        )
        raise SystemExit(3)
