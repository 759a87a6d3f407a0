"""つなぐ — the staff-training and referral portal."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.config import Config, instance_secret_key

# Blueprints are registered from this explicit list: (module path, url prefix).
BLUEPRINTS: list[tuple[str, str | None]] = [
    ("app.core", None),
    ("app.accounts", None),
    ("app.content", None),
    ("app.courses", "/courses"),
    ("app.videos", "/videos"),
    ("app.rendering", None),
    ("app.scenarios", "/scenarios"),
    ("app.quizzes", "/quizzes"),
    ("app.referrals", None),
    ("app.partners", None),
    ("app.casework", None),
    ("app.reports", "/reports"),
    ("app.programme", "/programme"),
    ("app.scorm", "/scorm"),
]


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Config.INSTANCE_PATH), instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config[
        "TIME_ZONE"
    ]  # one clock for dates and their display
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    _private_database_file(app)
    _trust_proxies(app)

    from app import extensions
    from app.core import (
        converters,
        database,
        i18n,
        layout,
        permissions,
        queue,
        registries,
        security,
    )
    from app.core import errors as error_pages

    registries.init_app(app)  # extension points held by this app (nav, panels, content kinds…)
    converters.init_app(app)

    database.configure(app)  # the autocommit bind for single-statement hot paths
    extensions.db.init_app(app)
    database.init_app(app)
    _sqlite_for_many_learners(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    queue.init_app(app)  # built from this app's TASK_BACKEND / TASK_DB / REDIS_URL

    import importlib

    for module_path, prefix in BLUEPRINTS:
        module = importlib.import_module(module_path)
        app.register_blueprint(module.bp, url_prefix=prefix)
        if hasattr(module, "init_app"):
            module.init_app(app)

    security.init_app(app)
    layout.init_app(app)
    error_pages.init_app(app)
    permissions.init_app(app)
    _import_all_models()
    _refuse_to_serve_without_keys(app)
    return app


def _refuse_to_serve_without_keys(app: Flask) -> None:
    """A database restored without its key files: the web server stops here with a message
    naming the files, instead of starting and making new keys. Commands (``flask restore``
    puts the keys back) are let through; they too refuse to make a key for such a database."""
    import contextlib

    import click
    from sqlalchemy.exc import OperationalError

    from app.referrals import crypto

    if app.config.get("TESTING") or click.get_current_context(silent=True) is not None:
        return
    with contextlib.suppress(OperationalError):  # not reachable yet: checked again at first use
        crypto.check_keys(app)


def _private_database_file(app: Flask) -> None:
    """An SQLite database holds residents' referrals: 0600 before SQLAlchemy first opens it."""
    from app.core.files import private_directory, private_file, sqlite_path

    path = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is not None:
        if not path.parent.exists():
            private_directory(path.parent)
        private_file(path)


def _sqlite_for_many_learners(app: Flask) -> None:
    """SQLite serves a city hall's learners: WAL (readers never block the one writer), a busy
    timeout (a writer waits for the lock rather than failing with 「database is locked」), and
    NORMAL sync, which WAL keeps safe against a crash of the portal."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from app.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    timeout_ms = int(float(app.config["SQLITE_BUSY_TIMEOUT_SECONDS"]) * 1000)

    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "memory":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    with app.app_context():
        engine: Engine
        for engine in db.engines.values():  # the main engine and the autocommit one
            event.listen(engine, "connect", on_connect)
            engine.dispose()  # connections opened before the listener get the pragmas too


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the configured number of proxies.

    Without proxies (the default) X-Forwarded-For is ignored: any client could write it.
    """
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _import_all_models() -> None:
    """Import every area's models so that metadata (and Alembic) sees all tables."""
    import importlib

    for module_path, _prefix in BLUEPRINTS:
        try:
            importlib.import_module(module_path + ".models")
        except ModuleNotFoundError as exc:
            if exc.name != module_path + ".models":
                raise
