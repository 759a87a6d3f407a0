"""Roles, permissions and the decorators every route uses.

This module is the single place where the portal decides who may do what. Views declare a
permission with one of the decorators below; ``tests/core/test_permissions.py`` walks the URL
map and fails on any route that declares nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user


class Role(enum.StrEnum):
    LEARNER = "learner"
    DEPARTMENT_HEAD = "department_head"
    TRAINING_ADMIN = "training_admin"
    CONSULTATION = "consultation"
    CONTENT_ADMIN = "content_admin"
    SYSTEM_ADMIN = "system_admin"
    CONSULTATION_LEAD = "consultation_lead"
    # Staff of a partner agency (委託法人, 社会福祉協議会 …), bound to one agency. Not a city
    # employee: the role is exclusive and gives nothing but the cases shared with the agency.
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.DEPARTMENT_HEAD: _l("Department head"),
    Role.TRAINING_ADMIN: _l("Training admin (HR)"),
    Role.CONSULTATION: _l("Consultation staff (相談室)"),
    Role.CONTENT_ADMIN: _l("Content admin"),
    Role.SYSTEM_ADMIN: _l("System admin"),
    Role.CONSULTATION_LEAD: _l("Office lead (相談室)"),
    Role.PARTNER: _l("Partner agency staff"),
}


class Permission(enum.StrEnum):
    LEARN = "learn"
    REFER = "refer"
    VIEW_OWN_DEPARTMENT_PROGRESS = "view_own_department_progress"
    VIEW_ALL_PROGRESS = "view_all_progress"
    MANAGE_ASSIGNMENTS = "manage_assignments"
    IMPORT_ROSTER = "import_roster"
    HANDLE_REFERRALS = "handle_referrals"
    READ_AUDIT_LOG = "read_audit_log"
    MANAGE_CONTENT = "manage_content"
    MANAGE_ACCOUNTS = "manage_accounts"
    VIEW_ALL_CASELOADS = "view_all_caseloads"
    VIEW_PARTNER_CASES = "view_partner_cases"
    # The programme's yearly figures (重層的支援体制整備事業): the 相談室's own report.
    VIEW_PROGRAMME_FIGURES = "view_programme_figures"
    # Training → referrals per department, in counts only: the 相談室 and HR.
    VIEW_TRAINING_OUTCOMES = "view_training_outcomes"


# Every active employee is a learner; the other roles add to it.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.LEARNER: frozenset({Permission.LEARN, Permission.REFER}),
    Role.DEPARTMENT_HEAD: frozenset({Permission.VIEW_OWN_DEPARTMENT_PROGRESS}),
    # HR sees every department's completion but never a referral.
    Role.TRAINING_ADMIN: frozenset(
        {
            Permission.VIEW_ALL_PROGRESS,
            Permission.MANAGE_ASSIGNMENTS,
            Permission.IMPORT_ROSTER,
            Permission.VIEW_TRAINING_OUTCOMES,
        }
    ),
    Role.CONSULTATION: frozenset(
        {
            Permission.HANDLE_REFERRALS,
            Permission.READ_AUDIT_LOG,
            Permission.VIEW_PROGRAMME_FIGURES,
            Permission.VIEW_TRAINING_OUTCOMES,
        }
    ),
    Role.CONTENT_ADMIN: frozenset({Permission.MANAGE_CONTENT}),
    Role.SYSTEM_ADMIN: frozenset({Permission.MANAGE_ACCOUNTS}),
    # The office lead is consultation staff who also sees every worker's caseload.
    Role.CONSULTATION_LEAD: frozenset(
        {
            Permission.HANDLE_REFERRALS,
            Permission.READ_AUDIT_LOG,
            Permission.VIEW_ALL_CASELOADS,
            Permission.VIEW_PROGRAMME_FIGURES,
            Permission.VIEW_TRAINING_OUTCOMES,
        }
    ),
    Role.PARTNER: frozenset({Permission.VIEW_PARTNER_CASES}),
}

# Roles that stand alone: an account holding one has its permissions and nothing else (not
# even the learner's), whatever other roles were given to it.
EXCLUSIVE_ROLES = frozenset({Role.PARTNER})


def permissions_for(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    for role in EXCLUSIVE_ROLES:
        if role in roles:
            return ROLE_PERMISSIONS[role]
    granted: set[Permission] = set(ROLE_PERMISSIONS[Role.LEARNER])
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


# Roles whose grant the 相談室 must see: they open residents' referrals and cases.
OVERSEEN_ROLES = frozenset({Role.CONSULTATION, Role.CONSULTATION_LEAD, Role.PARTNER})


def may_grant_roles(actor, employee) -> bool:
    """Nobody gives themselves a role: another system admin, or the operator's command line
    (``actor`` None), must do it."""
    return actor is None or actor.id != employee.id


def user_can(user, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "active", False):
        return False
    return permission in user.permissions


# --- route declarations -------------------------------------------------------------------

ACCESS_ATTR = "_access"


def _mark(view: Callable, access: str) -> Callable:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: Callable) -> Callable:
    """Reachable without signing in (sign-in page, static files, language switch)."""
    return _mark(view, "public")


def signed_in(view: Callable) -> Callable:
    """Any signed-in, active employee."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return unauthorized()
        return view(*args, **kwargs)

    return _mark(wrapper, "signed_in")


def unauthorized():
    """Not signed in (or the session ended): a page goes to the sign-in page, a script's
    request (the player's reports) gets a plain 401 it can act on instead of a redirect."""
    if request.accept_mimetypes.best == "application/json":
        return {"error": "signed_out"}, 401
    return current_app.login_manager.unauthorized()


def _guard(
    permissions: tuple[Permission, ...], check, label: str
) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return unauthorized()
            if not check(user_can(current_user, p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, f"{label}:" + ",".join(sorted(permissions)))

    return decorator


def require(*permissions: Permission) -> Callable[[Callable], Callable]:
    """The signed-in employee must hold every one of ``permissions``; 403 otherwise."""
    return _guard(permissions, all, "require")


def require_any(*permissions: Permission) -> Callable[[Callable], Callable]:
    """The signed-in employee must hold at least one of ``permissions``."""
    return _guard(permissions, any, "any")


def declared_access(view: Callable) -> str | None:
    return getattr(view, ACCESS_ATTR, None)


def init_app(app) -> None:
    """Mark Flask's own static endpoints public and expose ``can()`` to templates."""
    for endpoint, view in app.view_functions.items():
        if endpoint == "static" or endpoint.endswith(".static"):
            _mark(view, "public")

    @app.context_processor
    def inject_can():
        return {"can": lambda p: user_can(current_user, Permission(p)), "Permission": Permission}

    @app.before_request
    def refuse_undeclared():
        # Defence in depth: a route that forgot its declaration is closed, not open.
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is not None and declared_access(view) is None:
            abort(403)
