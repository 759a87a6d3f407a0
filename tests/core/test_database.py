"""The autocommit engine for single-statement hot paths (app/core/database.py): made from the
main settings, AUTOCOMMIT, one connection per app context, and on PostgreSQL commits that do
not wait for the disk, which the main engine's still do."""

from sqlalchemy import event, text

from app import create_app
from app.core import database
from app.core.database import AUTOCOMMIT_BIND
from tests.conftest import make_config


def autocommits(connection) -> bool:
    """The driver's own switch: psycopg's ``autocommit``, sqlite3's ``isolation_level=None``."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        return driver.autocommit is True
    return driver.isolation_level is None


def test_the_bind_is_the_main_database_in_autocommit(app, db):
    engine = db.engines[AUTOCOMMIT_BIND]
    assert engine is not db.engine
    assert engine.url == db.engine.url
    with engine.connect() as connection:
        assert autocommits(connection)
    with db.engine.connect() as connection:
        assert not autocommits(connection)


def test_a_statement_on_it_is_committed_at_once(app, db):
    from app.accounts.models import Department

    with app.app_context():
        database.autocommit_connection().execute(
            Department.__table__.insert().values(code="AC1", name_ja="即時課")
        )
        # no commit: another connection sees the row while this context is still open
        with db.engine.connect() as other:
            assert other.execute(text("SELECT name_ja FROM department WHERE code = 'AC1'")).all()


def test_one_connection_per_app_context_given_back_at_its_end(app, db):
    engine = db.engines[AUTOCOMMIT_BIND]
    with app.app_context():
        first = database.autocommit_connection()
        assert database.autocommit_connection() is first
        first.execute(text("SELECT 1"))
        assert engine.pool.checkedout() == 1
    assert first.closed and engine.pool.checkedout() == 0


def test_an_in_memory_database_has_no_second_engine(tmp_path):
    """A second engine on ``sqlite://`` would open a second, empty database."""
    config = make_config(("sqlite://", {}), tmp_path, SQLALCHEMY_ENGINE_OPTIONS={})
    memory = create_app(config)
    assert AUTOCOMMIT_BIND not in memory.config["SQLALCHEMY_BINDS"]
    with memory.app_context():
        assert autocommits(database.autocommit_connection())


def test_on_postgresql_only_its_commits_skip_the_wait_for_the_disk(app, db):
    def setting(engine) -> str:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SHOW synchronous_commit").scalar()

    waits = not event.contains(
        db.engines[AUTOCOMMIT_BIND], "connect", database._commit_without_waiting
    )
    if db.engine.dialect.name != "postgresql":
        assert waits  # SQLite: WAL with synchronous=NORMAL on both engines
        return
    assert not waits
    assert setting(db.engines[AUTOCOMMIT_BIND]) == "off"
    assert setting(db.engine) == "on"  # referrals, cases, audit rows, completions
