"""Demo data: the shipped scenarios (and quizzes) loaded from the content folders."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.content.registry import KINDS


def sync_kinds(names: tuple[str, ...]) -> str:
    """Check, then sync the named content kinds; files in error are reported, not loaded."""
    root = Path(current_app.config["CONTENT_ROOT"])
    messages = []
    for name in names:
        kind = KINDS[name]
        paths = kind.find(root)
        problems = [p for p in kind.check(paths, root) if p.severity == "error"]
        if problems:
            messages.append(f"{name}: {len(problems)} errors, not loaded (flask --app app content check)")
            continue
        result = kind.sync(paths, root)
        messages.append(f"{name}: {result.created} new, {result.updated} updated, {result.unchanged} unchanged")
    return "; ".join(messages)


def load_scenarios() -> str:
    return sync_kinds(("scenarios",))
