"""Areas register functions here that load their demo data; ``flask demo load`` runs them."""

from collections.abc import Callable

from flask import Flask

from app.core import registries


def register_demo_loader(app: Flask, fn: Callable[[], str | None]) -> Callable[[], str | None]:
    """Add a demo loader to ``app`` (run in order by ``flask demo load``)."""
    return registries.add(app, registries.DEMO_LOADERS, fn)


def demo_loaders(app: Flask | None = None) -> list[Callable[[], str | None]]:
    return registries.entries(registries.DEMO_LOADERS, app)
