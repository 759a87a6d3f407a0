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

The autocommit engine does not ping a connection when it leaves the pool (the main engine's
``pool_pre_ping``, one more round trip per request). Its paths begin with a read, and
:func:`autocommit_read` runs that read again on a new connection when the server had dropped
the pooled one (a restart, a firewall's idle timeout): SQLAlchemy's optimistic disconnect
handling, the same outcome for one round trip less.
"""

from __future__ import annotations

from flask import Flask, g
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
        }
    app.config["SQLALCHEMY_BINDS"] = binds
    app.teardown_appcontext(_close)


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
