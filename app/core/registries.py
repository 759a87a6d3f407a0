"""Extension points held by the app, not by module globals.

An area adds its entries in its ``init_app(app)``: navigation links, home-page panels, demo
loaders, content kinds, cross-file content checks, the form's vocabularies, files whose wording
is legal, learning-item kinds, meeting-agenda sources… Each registry lives in
``app.extensions["registries"]`` under its name, so two apps in one process (tests, a worker
beside the web server) never see each other's entries, and nothing is registered at import.

    registries.add(app, registries.HOME_PANELS, "courses/_home_panel.html", (template, permission))
    for template, permission in registries.entries(registries.HOME_PANELS): ...  # current_app's

Entries are keyed: adding a key twice keeps one entry (the first position, the latest value),
so ``init_app`` may safely run again.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "registries"

# The registries the portal's areas use (any other name works the same way).
NAVIGATION = "navigation"  # key: endpoint → (endpoint, label, permission)
HOME_PANELS = "home_panels"  # key: template → (template, permission)
DEMO_LOADERS = "demo_loaders"  # key: loader → loader() -> message | None
CONTENT_KINDS = "content_kinds"  # key: kind name → app.content.registry.ContentKind
CONTENT_CROSS_CHECKS = "content_cross_checks"  # key: name → (root, only) -> [Problem]
FORM_VOCABULARIES = "form_vocabularies"  # key: provider → provider() -> FormVocabulary
LEGAL_SOURCES = "legal_sources"  # key: path of a file whose wording is legal → path
LEARNING_ITEM_KINDS = "learning_item_kinds"
MEETING_AGENDA_SOURCES = "meeting_agenda_sources"
JOB_RECOVERY = "job_recovery"  # key: fn → fn() -> jobs taken over (run by every worker)


class Registry:
    """An ordered, keyed collection of one extension point's entries."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[Hashable, Any] = {}

    def add(self, key: Hashable, value: Any = None, *, first: bool = False) -> Any:
        """Add (or replace) the entry ``key``; ``first`` puts a new entry before the others."""
        value = key if value is None else value
        if first and key not in self._entries:
            self._entries = {key: value, **self._entries}
        else:
            self._entries[key] = value
        return value

    def remove(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def get(self, key: Hashable, default: Any = None) -> Any:
        return self._entries.get(key, default)

    def __getitem__(self, key: Hashable) -> Any:
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[Hashable]:
        return list(self._entries)

    def items(self) -> list[tuple[Hashable, Any]]:
        return list(self._entries.items())

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)} entries>"


def init_app(app: Flask) -> None:
    app.extensions.setdefault(EXTENSION_KEY, {})


def registry(name: str, app: Flask | None = None) -> Registry:
    """The registry ``name`` of ``app`` (default: the current app), created empty on first use."""
    app = app if app is not None else current_app._get_current_object()
    held = app.extensions.setdefault(EXTENSION_KEY, {})
    if name not in held:
        held[name] = Registry(name)
    return held[name]


def add(app: Flask, name: str, key: Hashable, value: Any = None, *, first: bool = False) -> Any:
    """Add an entry to one of ``app``'s registries (from an area's ``init_app``)."""
    return registry(name, app).add(key, value, first=first)


def entries(name: str, app: Flask | None = None) -> list[Any]:
    """The entries of a registry of ``app`` (default: the current app), in order."""
    return list(registry(name, app))
