"""Signals through which areas tell each other what happened, without importing each other."""

from blinker import Namespace

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
