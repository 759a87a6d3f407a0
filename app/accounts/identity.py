"""Who is signed in: the rules of a live session, in one place, and a light identity.

Every request of a signed-in employee runs :func:`app.accounts.sso.load_user`. Most routes get
the ORM ``Employee``; a route on a hot path (the player's progress report, every few seconds
per learner) may declare a *light loader* with :func:`light_identity`: it fetches the identity
with the same rules (:func:`signed_in_rules`) in the same statement as the route's own data,
and gets a :class:`SignedIn` instead. The permission decorators check either the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context, request, session
from sqlalchemy import and_, bindparam, select

from app.core.permissions import Permission, Role, permissions_for

SIGNED_IN_AT = "signed_in_at"
LIGHT_LOADER_ATTR = "_light_identity"


def session_claim(user_id: str) -> dict[str, int] | None:
    """The employee id and session generation this session claims, if it is still in its lifetime.

    ``user_id`` is ``Employee.get_id()``, "<id>:<session generation>". A session ends in any
    case SESSION_MAX_HOURS after signing in, however active it was; a remember-me cookie carries
    no sign-in time, so it never opens a session.
    """
    employee_id, _sep, generation = user_id.partition(":")
    if not (employee_id.isdigit() and generation.isdigit()) or not _within_lifetime():
        return None
    return {"employee_id": int(employee_id), "generation": int(generation)}


def _within_lifetime() -> bool:
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return False
    age = time.time() - signed_in_at
    return 0 <= age < current_app.config["SESSION_MAX_HOURS"] * 3600


def signed_in_rules(employee) -> list:
    """The SQL conditions a claimed employee (``employee`` is their table) must meet.

    The session ends when the employee's generation has moved on (sign-out elsewhere, password
    change, a role taken away) or when they are deactivated. Bound parameters: ``employee_id``
    and ``generation``, as :func:`session_claim` returns them.
    """
    return [
        employee.c.id == bindparam("employee_id"),
        employee.c.session_generation == bindparam("generation"),
        employee.c.active.is_(True),
    ]


@dataclass(frozen=True)
class SignedIn:
    """The signed-in employee as a hot path knows them: id and roles, checked by the rules above.

    ``loaded`` is the route's own row fetched in the same statement. Anything else asked of it
    (a page that renders after all) loads the full ``Employee`` on demand.
    """

    id: int
    generation: int
    roles: frozenset[Role]
    loaded: Any = field(default=None, compare=False, repr=False)

    is_authenticated = True
    is_active = True
    is_anonymous = False
    active = True

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def get_id(self) -> str:
        return f"{self.id}:{self.generation}"

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        from app.accounts.models import Employee
        from app.extensions import db

        return getattr(db.session.get(Employee, self.id), name)


def light_statement(columns: list, joins: Callable[[Any], list]) -> Any:
    """One statement: the claimed employee's roles (one row each) with the route's ``columns``.

    ``joins(employee_id_column)`` gives the route's tables as (table, on) pairs, outer-joined
    to the employee, so a signed-in employee is found even when the route's row is not. The
    rows are read with :func:`signed_in_from`.
    """
    from app.accounts.models import Employee, EmployeeRole

    employee, role = Employee.__table__, EmployeeRole.__table__
    statement = (
        select(employee.c.id.label("signed_in_id"), role.c.role.label("signed_in_role"), *columns)
        .select_from(employee)
        .outerjoin(role, role.c.employee_id == employee.c.id)
    )
    for table, on in joins(employee.c.id):
        statement = statement.outerjoin(table, on)
    return statement.where(and_(*signed_in_rules(employee)))


def signed_in_from(rows, claim: dict[str, int]) -> SignedIn | None:
    """The identity in a :func:`light_statement`'s rows (None: no live session), with its first row."""
    if not rows:
        return None
    roles = {Role.LEARNER} | {Role(row.signed_in_role) for row in rows if row.signed_in_role}
    return SignedIn(rows[0].signed_in_id, claim["generation"], frozenset(roles), rows[0])


def light_identity(loader: Callable[[dict[str, int]], SignedIn | None]):
    """Declare a route's light loader: ``loader(claim)`` returns its :class:`SignedIn` or None."""

    def decorator(view: Callable) -> Callable:
        setattr(view, LIGHT_LOADER_ATTR, loader)
        return view

    return decorator


def light_loader() -> Callable[[dict[str, int]], SignedIn | None] | None:
    """The light loader the requested route declared, if any."""
    endpoint = request.endpoint if has_request_context() else None
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, LIGHT_LOADER_ATTR, None)
