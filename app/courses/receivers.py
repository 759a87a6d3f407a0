"""Signal receivers: other areas tell the courses what happened; completion is stored at once."""

from __future__ import annotations

from app.core import signals


def on_item_started(sender, employee_id, kind, slug, version=None, **extra):
    from app.courses import service

    service.record_item_event(employee_id, kind, slug, version, completed=False)


def on_item_completed(sender, employee_id, kind, slug, version=None, **extra):
    from app.courses import service

    service.record_item_event(employee_id, kind, slug, version, completed=True)


def on_roster_imported(sender, employee_ids, **extra):
    from app.courses import service

    service.apply_assignments(list(employee_ids), reason="roster_imported")


def on_employee_transferred(sender, employee_id, **extra):
    from app.courses import service

    # A transfer adds the new department's requirements; completions stay with the person.
    service.apply_assignments([employee_id], reason="employee_transferred")


def on_content_synced(sender, **extra):
    from app.courses import service

    service.apply_assignments(None, reason="content_synced")


def connect() -> None:
    # Blinker keeps weak references by default: module-level functions stay alive.
    signals.learning_item_started.connect(on_item_started)
    signals.learning_item_completed.connect(on_item_completed)
    signals.roster_imported.connect(on_roster_imported)
    signals.employee_transferred.connect(on_employee_transferred)
    signals.content_synced.connect(on_content_synced)
