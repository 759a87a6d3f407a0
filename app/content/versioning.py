"""Idempotent, versioned sync of content files into an item table and its version table.

An item (e.g. a scenario or a quiz) has ``slug``, ``title_ja``, ``title_en``,
``current_number`` and ``active``; each change of its file's content adds a version row
(``number``, ``checksum``, ``definition`` and the kind's own columns), so that attempts keep
pointing at the version they were made on. A file that is gone retires its item (hidden,
never deleted); a file with errors is skipped and its item kept as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from app.content.registry import SyncResult


def sync_versioned(
    paths: list[Path],
    root: Path,
    *,
    kind: str,
    object_type: str,
    check_file: Callable,
    definition_of: Callable[[object], dict],
    fingerprint: Callable[[dict], str],
    item_model,
    version_model,
    item_key: str,
    version_fields: Callable[[dict], dict],
) -> SyncResult:
    from app.core import audit
    from app.extensions import db

    result = SyncResult(kind=kind)
    seen: set[str] = set()
    for path in paths:
        problems, data = check_file(path, root)
        seen.add(path.stem)
        if data is None or any(p.severity == "error" for p in problems):
            result.messages.append(_("%(path)s: skipped (it has errors)", path=path))
            continue
        definition = definition_of(data)
        checksum = fingerprint(definition)
        slug = definition["id"]
        seen.add(slug)
        title = definition["title"]
        item = db.session.scalar(select(item_model).where(item_model.slug == slug))
        if item is None:
            item = item_model(
                slug=slug, title_ja=title["ja"], title_en=title.get("en"), current_number=0
            )
            db.session.add(item)
            db.session.flush()
            result.created += 1
        else:
            current = db.session.scalar(
                select(version_model).where(
                    getattr(version_model, item_key) == item.id,
                    version_model.number == item.current_number,
                )
            )
            if current is not None and current.checksum == checksum:
                if not item.active:
                    item.active = True
                    result.messages.append(_("%(id)s: back in use", id=slug))
                result.unchanged += 1
                continue
            result.updated += 1
        number = item.current_number + 1
        db.session.add(
            version_model(
                **{item_key: item.id},
                number=number,
                checksum=checksum,
                definition=definition,
                **version_fields(definition),
            )
        )
        item.current_number = number
        item.title_ja, item.title_en = title["ja"], title.get("en")
        item.active = True
        audit.record(f"{object_type}.synced", object_type, item.id, version=number)
        result.messages.append(_("%(id)s: version %(n)d", id=slug, n=number))
    for item in db.session.scalars(select(item_model).where(item_model.active.is_(True))):
        if item.slug not in seen:
            item.active = False
            audit.record(f"{object_type}.retired", object_type, item.id)
            result.messages.append(_("%(id)s: retired (its file is gone)", id=item.slug))
    db.session.commit()
    return result
