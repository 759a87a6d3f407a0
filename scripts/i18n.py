"""Per-area message catalogues: extract, update and compile.

Each area keeps its catalogue beside its code (``app/<area>/translations``); the site-wide
layout (``app/templates``, ``app/static``) and small shared modules belong to ``app/core``.

    python scripts/i18n.py update [AREA]  # extract strings into each area's ja .po
    python scripts/i18n.py compile  # build the .mo files the app loads
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
LOCALES = ("ja",)  # English is the source language of the msgids
SHARED = ["templates", "config.py", "extensions.py", "__init__.py"]


def areas() -> list[Path]:
    return sorted(p for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def sources(area: Path) -> list[Path]:
    paths = [area]
    if area.name == "core":
        paths += [APP / s for s in SHARED]
    return paths


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def update(only: str | None = None) -> None:
    for area in areas():
        if only and area.name != only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            pybabel(
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "--no-location",
                "--sort-output",
                "--no-wrap",
                "-o",
                str(pot),
                *[str(p.relative_to(ROOT)) for p in sources(area)],
            )
            if 'msgid ""\nmsgstr ""' in pot.read_text() and pot.read_text().count("msgid ") <= 1:
                continue  # no strings in this area
            target = area / "translations"
            for locale in LOCALES:
                po = target / locale / "LC_MESSAGES" / "messages.po"
                if po.exists():
                    pybabel(
                        "update",
                        "-i",
                        str(pot),
                        "-d",
                        str(target),
                        "-l",
                        locale,
                        "--no-fuzzy-matching",
                        "--ignore-obsolete",
                        "--no-wrap",
                    )
                else:
                    pybabel("init", "-i", str(pot), "-d", str(target), "-l", locale)


def compile_all() -> None:
    for po in APP.glob("**/translations/*/LC_MESSAGES/messages.po"):
        pybabel(
            "compile",
            "-i",
            str(po),
            "-o",
            str(po.with_suffix(".mo")),
            "--use-fuzzy",
            "--statistics",
        )


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "update":
        update(sys.argv[2] if len(sys.argv) > 2 else None)  # optionally one area: update videos
    else:
        compile_all()
