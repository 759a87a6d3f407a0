"""The look-ups every versioned content area needs, written once for any item/version pair."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db


@dataclass(frozen=True)
class VersionedLookups:
    """Queries over an item model and its version model (``version_model.<item_key>`` → item)."""

    item_model: type
    version_model: type
    item_key: str  # e.g. "scenario_id"

    def active(self) -> list:
        model = self.item_model
        return list(
            db.session.scalars(select(model).where(model.active.is_(True)).order_by(model.slug))
        )

    def get_active(self, slug: str):
        model = self.item_model
        return db.session.scalar(select(model).where(model.slug == slug, model.active.is_(True)))

    def get_by_slug(self, slug: str):
        return db.session.scalar(select(self.item_model).where(self.item_model.slug == slug))

    def get_version(self, item, number: int):
        version = self.version_model
        return db.session.scalar(
            select(version).where(
                getattr(version, self.item_key) == item.id, version.number == number
            )
        )

    def current_version(self, item):
        return self.get_version(item, item.current_number)

    def current_versions(self, items: list) -> dict:
        """Each item's newest version by item id, in one query."""
        if not items:
            return {}
        version, key = self.version_model, getattr(self.version_model, self.item_key)
        wanted = {(item.id, item.current_number) for item in items}
        rows = db.session.scalars(select(version).where(key.in_([item.id for item in items])))
        return {
            getattr(v, self.item_key): v
            for v in rows
            if (getattr(v, self.item_key), v.number) in wanted
        }

    def index(
        self, employee_id: int, progress_for: Callable[[int, list[str]], dict[str, float]]
    ) -> dict:
        """What an area's list page shows: the active items, their newest versions and the
        employee's progress in each."""
        items = self.active()
        return {
            "items": items,
            "versions": self.current_versions(items),
            "progress": progress_for(employee_id, [item.slug for item in items]),
        }
