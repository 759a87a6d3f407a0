"""Recording to the audit log. Callers pass ids and codes; never names or free text."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from app.core.models import AuditEvent
from app.extensions import db


def record(action: str, object_type: str, object_id=None, actor_id=None, **detail) -> AuditEvent:
    """Add an audit event to the current transaction (the caller's service commits)."""
    if actor_id is None and has_request_context() and current_user.is_authenticated:
        actor_id = current_user.id
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        actor_id=actor_id,
        detail=detail or None,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
