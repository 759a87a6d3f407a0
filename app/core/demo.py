"""Areas register functions here that load their demo data; ``flask demo load`` runs them."""

from collections.abc import Callable

DEMO_LOADERS: list[Callable[[], str | None]] = []


def register_demo_loader(fn: Callable[[], str | None]) -> Callable[[], str | None]:
    if fn not in DEMO_LOADERS:
        DEMO_LOADERS.append(fn)
    return fn
