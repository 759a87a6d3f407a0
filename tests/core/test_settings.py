"""Settings and app state in one shape: the environment is read in app/config.py only, every
setting is documented, the queue and the registries belong to the app that create_app built."""

import ast
import re
from pathlib import Path

import pytest
from huey.storage import RedisStorage, SqliteStorage

from app import create_app
from app.config import Config
from app.core import queue, registries
from app.core.layout import add_nav
from app.core.permissions import Permission
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def _environment_reads(path: Path) -> list[int]:
    """Lines that read os.environ / os.getenv (os.environ.setdefault, which only sets a
    library's option before it loads, is allowed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed, lines = set(), []
    for node in ast.walk(tree):  # a call is visited before the attribute it calls
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
        ):
            allowed.add(id(node.func.value))
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name in {"environ", "getenv"} for a in node.names)
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"getenv", "environ", "environb"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and id(node) not in allowed
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_only_app_config_reads_the_environment():
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted(APP.rglob("*.py"))
        if p != APP / "config.py"
        for n in _environment_reads(p)
    ]
    assert offenders == []


def test_the_environment_scan_finds_a_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nA = os.environ.get('A')\nB = os.getenv('B')\nos.environ.setdefault('C', '1')\n"
    )
    assert _environment_reads(sample) == [2, 3]


def _documented() -> set[str]:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, re.M))


def test_every_setting_is_in_the_table():
    settings = {name for name in vars(Config) if name.isupper()}
    assert settings - _documented() == set(), "add these to docs/settings.md"
    assert _documented() - settings == set(), (
        "docs/settings.md lists settings app/config.py does not have"
    )


def test_every_setting_the_code_reads_is_in_config():
    read = set()
    for path in list(APP.rglob("*.py")) + list(APP.rglob("*.html")):
        read |= set(
            re.findall(
                r"config(?:\.get\(|\[|\.)\"?([A-Z][A-Z0-9_]{2,})", path.read_text(encoding="utf-8")
            )
        )
        read |= set(
            re.findall(r"\bsetting\(\"([A-Z][A-Z0-9_]+)\"", path.read_text(encoding="utf-8"))
        )
    flask_own = {"TESTING", "DEBUG", "BABEL_TRANSLATION_DIRECTORIES", "WTF_CSRF_ENABLED"}
    assert read - set(vars(Config)) - flask_own == set()


def test_the_queue_follows_the_backend_given_to_create_app(database_url, instance_dir, tmp_path):
    task_db = tmp_path / "queue" / "tasks.sqlite3"
    try:
        app = create_app(
            make_config(
                database_url,
                instance_dir,
                TASK_BACKEND="sqlite",
                TASK_DB=task_db,
                TASKS_IMMEDIATE=False,
            )
        )
        assert app.extensions["huey"] is queue.huey
        assert isinstance(queue.huey.storage, SqliteStorage) and task_db.exists()
        assert oct(task_db.stat().st_mode & 0o777) == "0o600"
        assert queue.backend_name() == "sqlite"

        app = create_app(
            make_config(
                database_url,
                instance_dir,
                TASK_BACKEND="redis",
                REDIS_URL="redis://127.0.0.1:6379/15",
                TASKS_IMMEDIATE=False,
            )
        )
        assert isinstance(queue.huey.storage, RedisStorage)
        queue.huey.storage.flush_queue()
        queue.huey.enqueue(_noop.s())  # really reaches this Redis database
        assert queue.huey.pending_count() == 1
        queue.huey.storage.flush_queue()

        with pytest.raises(RuntimeError, match="TASK_BACKEND"):
            create_app(make_config(database_url, instance_dir, TASK_BACKEND="rabbit"))
    finally:
        create_app(
            make_config(database_url, instance_dir)
        )  # back to immediate mode for the other tests
    assert queue.huey.immediate


@queue.app_task()
def _noop():
    return None


def test_registries_belong_to_their_app(database_url, instance_dir):
    first = create_app(make_config(database_url, instance_dir))
    second = create_app(make_config(database_url, instance_dir))
    add_nav(first, "core.home", "Home again", Permission.LEARN)  # same key: replaced, not doubled
    registries.add(
        first, registries.NAVIGATION, "only.first", ("only.first", "x", Permission.LEARN)
    )
    nav_first = registries.registry(registries.NAVIGATION, first)
    assert "only.first" in nav_first and "only.first" not in registries.registry(
        registries.NAVIGATION, second
    )
    assert nav_first.keys()[0] == "core.home" and nav_first["core.home"][1] == "Home again"
    assert nav_first.keys().count("core.home") == 1
    for app in (first, second):
        with app.app_context():
            names = [k.name for k in __import__("app.content.registry", fromlist=["kinds"]).kinds()]
            assert {"courses", "videos", "scenarios", "quizzes"} <= set(names)
            panels = [t for t, _p in registries.entries(registries.HOME_PANELS)]
            assert (
                panels[0] == "courses/_home_panel.html" and "referrals/_home_panel.html" in panels
            )
            assert len(registries.entries(registries.DEMO_LOADERS)) >= 4


def test_create_app_can_run_twice_without_doubling_entries(database_url, instance_dir):
    app = create_app(make_config(database_url, instance_dir))
    before = {name: len(r) for name, r in app.extensions["registries"].items()}
    for module in ("app.courses", "app.referrals", "app.videos"):
        __import__(module, fromlist=["init_app"]).init_app(app)
    assert {name: len(r) for name, r in app.extensions["registries"].items()} == before
