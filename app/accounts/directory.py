"""Sign-in against the city's directory (LDAP / Active Directory), with ldap3.

When ``LDAP_URL`` is set, a password is checked by binding to the directory as the employee:
directly with ``LDAP_BIND_DN_TEMPLATE`` (``{login}@city.local`` for Active Directory,
``uid={login},ou=people,…`` for OpenLDAP), or by finding the entry first with a service account
(``LDAP_SERVICE_DN``) and binding as what was found. The password never touches the database.

The entry fills the employee's record on every sign-in (created on the first): 職員番号, name,
kana, e-mail and 所属 from configured attributes. Roles follow the directory's groups through
``LDAP_GROUP_ROLES``; only the roles named there are managed, so a role granted on the admin
page for something the directory does not know stays.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from flask import current_app
from ldap3 import ALL_ATTRIBUTES, SUBTREE, Connection, Server
from ldap3.core.exceptions import (
    LDAPBindError,
    LDAPException,
    LDAPInvalidCredentialsResult,
    LDAPSocketOpenError,
)
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

log = logging.getLogger(__name__)


class DirectoryUnavailable(RuntimeError):
    """The directory did not answer (down, unreachable, or the service account was refused)."""


@dataclass
class DirectoryEntry:
    dn: str
    staff_number: str
    name: str
    name_kana: str
    email: str | None
    department_code: str | None
    groups: set[str] = field(default_factory=set)


def enabled() -> bool:
    return bool(current_app.config.get("LDAP_URL"))


def _server() -> Server:
    timeout = float(current_app.config["LDAP_TIMEOUT_SECONDS"])
    return Server(current_app.config["LDAP_URL"], connect_timeout=timeout, get_info=None)


def _connection(user: str | None, password: str | None) -> Connection:
    conn = Connection(
        _server(),
        user=user,
        password=password,
        receive_timeout=max(1, round(float(current_app.config["LDAP_TIMEOUT_SECONDS"]))),
        raise_exceptions=True,
        read_only=True,
    )
    if current_app.config["LDAP_START_TLS"]:
        conn.open()
        conn.start_tls()
    return conn


def _first(entry, name: str) -> str | None:
    if not name or name not in entry.entry_attributes_as_dict:
        return None
    values = entry.entry_attributes_as_dict[name]
    return str(values[0]).strip() if values else None


def _find(conn: Connection, login: str):
    config = current_app.config
    query = config["LDAP_USER_FILTER"].format(login=escape_filter_chars(login))
    conn.search(config["LDAP_USER_BASE"], query, SUBTREE, attributes=ALL_ATTRIBUTES, size_limit=2)
    return conn.entries[0] if len(conn.entries) == 1 else None


def _groups(conn: Connection, entry) -> set[str]:
    config = current_app.config
    groups = {
        g.lower() for g in (entry.entry_attributes_as_dict.get("memberOf") or [])
    }  # Active Directory
    if config.get("LDAP_GROUP_BASE"):
        query = config["LDAP_GROUP_FILTER"].format(dn=escape_filter_chars(entry.entry_dn))
        conn.search(config["LDAP_GROUP_BASE"], query, SUBTREE, attributes=[])
        groups |= {g.entry_dn.lower() for g in conn.entries}
    return groups


def authenticate(login: str, password: str) -> DirectoryEntry | None:
    """The directory's entry for ``login`` when ``password`` is right; None when it is not.

    Raises :class:`DirectoryUnavailable` when the directory cannot be asked.
    """
    config = current_app.config
    login = (login or "").strip()
    if not login or not password:  # an empty password would be an anonymous bind: never a sign-in
        return None
    opened: list[Connection] = []

    def connect(user, secret) -> Connection:
        conn = _connection(user, secret)
        opened.append(conn)
        return conn

    try:
        if config.get("LDAP_BIND_DN_TEMPLATE"):
            conn = connect(
                config["LDAP_BIND_DN_TEMPLATE"].format(login=escape_rdn(login)), password
            )
            conn.bind()
            entry = _find(conn, login)
        else:
            service = connect(config.get("LDAP_SERVICE_DN"), config.get("LDAP_SERVICE_PASSWORD"))
            try:
                service.bind()
            except (LDAPBindError, LDAPInvalidCredentialsResult) as exc:
                raise DirectoryUnavailable("the service account was refused") from exc
            entry = _find(service, login)
            if entry is None:
                return None
            conn = connect(entry.entry_dn, password)
            conn.bind()
        if entry is None:
            return None
        groups = _groups(conn, entry)
    except (LDAPBindError, LDAPInvalidCredentialsResult):
        return None
    except DirectoryUnavailable:
        raise
    except (LDAPSocketOpenError, LDAPException, OSError) as exc:
        log.warning("directory sign-in unavailable: %s", exc.__class__.__name__)
        raise DirectoryUnavailable(str(exc)) from exc
    finally:
        for conn in opened:
            with contextlib.suppress(LDAPException, OSError):
                conn.unbind()
            if (
                conn.socket is not None
            ):  # ldap3 keeps the socket of a connection that failed to open
                conn.socket.close()
    staff_number = _first(entry, config["LDAP_STAFF_NUMBER_ATTRIBUTE"]) or login
    return DirectoryEntry(
        dn=entry.entry_dn,
        staff_number=staff_number,
        name=_first(entry, config["LDAP_NAME_ATTRIBUTE"]) or _first(entry, "cn") or staff_number,
        name_kana=_first(entry, config["LDAP_KANA_ATTRIBUTE"]) or "",
        email=(_first(entry, config["LDAP_EMAIL_ATTRIBUTE"]) or None),
        department_code=_first(entry, config["LDAP_DEPARTMENT_ATTRIBUTE"]),
        groups=groups,
    )


def group_roles() -> dict[str, str]:
    """``LDAP_GROUP_ROLES`` as {group DN (lower case): role}: ``DN=role;DN=role``."""
    mapping = {}
    for pair in (current_app.config.get("LDAP_GROUP_ROLES") or "").split(";"):
        if "=" in pair.strip():
            dn, _sep, role = pair.strip().rpartition("=")
            mapping[dn.strip().lower()] = role.strip()
    return mapping
