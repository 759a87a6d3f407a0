"""Signals through which areas tell each other what happened, without importing each other."""

from blinker import Namespace
from flask import current_app

signals = Namespace()

#: sender: the app; kwargs: employee_ids (list[int]) — after a roster import was applied
roster_imported = signals.signal("roster-imported")
#: sender: the app; kwargs: employee_id, from_department_id, to_department_id
employee_transferred = signals.signal("employee-transferred")
#: sender: the app; kwargs: employee_id, kind (a learning-item kind's name, app/content/items.py), slug, version
#: — the first time an employee starts (opens and makes progress in) a learning item
learning_item_started = signals.signal("learning-item-started")
#: sender: the app; kwargs: employee_id, kind (a learning-item kind's name, app/content/items.py), slug, version
#: — when an employee completes (or passes) a learning item; sent once per employee and version
learning_item_completed = signals.signal("learning-item-completed")
#: sender: the app — after content sync loaded new content
content_synced = signals.signal("content-synced")


class ProgressNotRecorded(RuntimeError):
    """A receiver of a learning-item signal failed. The caller's whole transaction is rolled
    back (see ``app/core/errors.py``): nothing of the learner's step is recorded anywhere."""


def send_progress(signal, **kwargs) -> None:
    """Send ``learning_item_started`` / ``learning_item_completed`` inside the caller's transaction.

    Call it *before* committing: the courses area records the event in the same transaction,
    so an item is never complete in its own area and unknown to its courses. A receiver's
    failure becomes :class:`ProgressNotRecorded`, which rolls the whole request back.
    """
    try:
        signal.send(current_app._get_current_object(), **kwargs)
    except Exception as exc:
        raise ProgressNotRecorded(
            f"{signal.name} receiver failed: {exc.__class__.__name__}"
        ) from exc
