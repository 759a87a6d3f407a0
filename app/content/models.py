"""What every versioned content item (a scenario, a quiz …) has in its tables.

An item row holds the slug, title and the number of its newest version; the content lives in
version rows, so that attempts keep pointing at the version they were made on. The areas' own
models add their foreign keys, relationships and kind-specific columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.extensions import db


class VersionedItem:
    """A content file loaded into the database (``<folder>/<slug>.yaml``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(db.String(100), unique=True)
    title_ja: Mapped[str] = mapped_column(db.String(200))
    title_en: Mapped[str | None] = mapped_column(db.String(200))
    # An item whose file was removed is retired: hidden from learners, history kept.
    active: Mapped[bool] = mapped_column(default=True)
    # The number of the newest version; new attempts use it.
    current_number: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def title(self, locale: str = "ja") -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title_ja


class ItemVersion:
    """The content of an item as it was synced (the file's data as plain JSON)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    checksum: Mapped[str] = mapped_column(db.String(64))
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
