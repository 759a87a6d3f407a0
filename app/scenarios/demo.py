"""Demo data: the shipped scenarios (and quizzes) loaded from the content folders."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.content.registry import kind as content_kind


def sync_kinds(names: tuple[str, ...]) -> str:
    """Check, then sync the named content kinds; files in error are reported, not loaded."""
    root = Path(current_app.config["CONTENT_ROOT"])
    messages = []
    for name in names:
        kind = content_kind(name)
        paths = kind.find(root)
        problems = [p for p in kind.check(paths, root) if p.severity == "error"]
        if problems:
            messages.append(
                _(
                    "%(kind)s: %(n)d errors, not loaded (see flask --app app content check)",
                    kind=name,
                    n=len(problems),
                )
            )
            continue
        result = kind.sync(paths, root)
        messages.append(
            _(
                "%(kind)s: %(c)d new, %(u)d updated, %(n)d unchanged",
                kind=name,
                c=result.created,
                u=result.updated,
                n=result.unchanged,
            )
        )
    return "; ".join(messages)


def load_scenarios() -> str:
    return sync_kinds(("scenarios",))
