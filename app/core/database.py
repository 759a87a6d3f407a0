"""Connections for single-statement hot paths, outside the ORM's unit of work.

Most requests read and write through ``db.session`` and commit once. A hot path that runs
for every learner every few seconds (the player's progress report) reads once and then
writes with one conditional statement (``UPDATE … WHERE reports = :seen``). A statement on
its own is atomic, so wrapping it in a transaction adds nothing but cost: on PostgreSQL a
``BEGIN`` and a ``COMMIT`` round trip around every report. Such paths use this request's
connection of the ``autocommit`` engine: the same database and engine options in AUTOCOMMIT
mode, with its own pool, opened on first use and returned when the app context ends.

Anything that changes more than one row together (a learning-item signal, whose receivers
write in the same transaction) still goes through ``db.session`` and commits once.

**Only for reads and for writes the client sends again.** On PostgreSQL the engine's sessions
run with ``synchronous_commit = off``: a commit returns before its WAL record is flushed to
disk (the flush follows within a fraction of a second). A crash of the database server can
then lose the last fraction of a second of these writes, never part of one and never anything
committed elsewhere. A progress report is such a write: the player's next report, ten seconds
later, carries the page's whole union again. Starting or completing a video, referrals,
cases and audit rows are written through ``db.session``, whose commits wait for the disk.

The autocommit engine does not ping a connection when it leaves the pool (the main engine's
``pool_pre_ping``, one more round trip per request). Its paths begin with a read, and
:func:`autocommit_read` runs that read again on a new connection when the server had dropped
the pooled one (a restart, a firewall's idle timeout): SQLAlchemy's optimistic disconnect
handling, the same outcome for one round trip less.
"""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Connection, Row, make_url
from sqlalchemy.exc import DBAPIError

from app.extensions import db

AUTOCOMMIT_BIND = "autocommit"
_CONNECTION = "_autocommit_connection"


def configure(app: Flask) -> None:
    """Declare the ``autocommit`` bind from the main database settings (before ``db.init_app``).

    An in-memory SQLite database would be a second, empty database on another engine: there
    the main engine serves, each connection switched to AUTOCOMMIT when it is taken.
    """
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
    if AUTOCOMMIT_BIND not in binds and not _in_memory(uri):
        binds[AUTOCOMMIT_BIND] = {
            "url": uri,
            **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}),
            "isolation_level": "AUTOCOMMIT",
            "pool_pre_ping": False,  # see autocommit_read
            # No transaction is ever open on it: nothing to roll back when a connection
            # goes back to the pool (SQLAlchemy's "reset on return" for autocommit).
            "pool_reset_on_return": None,
        }
    app.config["SQLALCHEMY_BINDS"] = binds
    app.teardown_appcontext(_close)


def init_app(app: Flask) -> None:
    """After ``db.init_app``: the autocommit engine's PostgreSQL sessions commit without
    waiting for the disk (see the module's note; one ``SET`` per new connection)."""
    with app.app_context():
        engine = db.engines.get(AUTOCOMMIT_BIND)
        if engine is None or engine.dialect.name != "postgresql":
            return
        event.listen(engine, "connect", _commit_without_waiting)


def _commit_without_waiting(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit = off")  # for the session, whatever mode it is in
    cursor.close()
    dbapi_connection.commit()  # ends the transaction the SET began, if it began one


def autocommit_connection() -> Connection:
    """This app context's AUTOCOMMIT connection: every statement on it commits by itself."""
    connection = g.get(_CONNECTION)
    if connection is None:
        engine = db.engines.get(AUTOCOMMIT_BIND)
        connection = (
            engine.connect()
            if engine is not None
            else db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        )
        setattr(g, _CONNECTION, connection)
    return connection


def autocommit_read(statement, parameters: dict) -> list[Row]:
    """The rows of a read on :func:`autocommit_connection`, the first statement of its path.

    A connection the server dropped while it sat in the pool fails here with nothing done;
    SQLAlchemy then invalidates the pool, and the read runs once more on a new connection.
    """
    try:
        return autocommit_connection().execute(statement, parameters).all()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    _close(None)
    return autocommit_connection().execute(statement, parameters).all()


def dispose_all() -> None:
    """Close every pooled connection of every engine (the main one and the autocommit one)."""
    for engine in db.engines.values():
        engine.dispose()


def _close(_exc: BaseException | None) -> None:
    connection = g.pop(_CONNECTION, None)
    if connection is not None:
        connection.close()


def _in_memory(uri: str) -> bool:
    url = make_url(uri)
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
