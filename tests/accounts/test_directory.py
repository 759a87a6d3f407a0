"""Directory sign-in against a real OpenLDAP server (slapd), started by the tests on a free
port in a temporary folder: bind as the employee or search then bind, groups become roles,
employees are created and updated on sign-in, and a directory that is down is said plainly."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from ldap3 import Connection, Server
from sqlalchemy import select

from app.accounts import directory
from app.accounts.models import Employee
from app.core.models import AuditEvent
from app.core.permissions import Role
from tests.factories import make_department, make_employee

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
BASE = "dc=awara,dc=test"
ADMIN, ADMIN_PASSWORD = f"cn=admin,{BASE}", "admin-secret"
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")

pytestmark = pytest.mark.skipif(
    not Path(SLAPD).exists() or not (SCHEMA / "inetorgperson.schema").exists(),
    reason="slapd is not installed (apt-get install slapd ldap-utils)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "db").mkdir()
    port = _free_port()
    conf = folder / "slapd.conf"
    conf.write_text(f"""
include {SCHEMA}/core.schema
include {SCHEMA}/cosine.schema
include {SCHEMA}/inetorgperson.schema
include {SCHEMA}/nis.schema
modulepath {MODULES}
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{BASE}"
rootdn "{ADMIN}"
rootpw {ADMIN_PASSWORD}
directory {folder}/db
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
""")
    url = f"ldap://127.0.0.1:{port}"
    log = (folder / "slapd.log").open("wb")
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", url, "-d", "0"], stdout=subprocess.DEVNULL, stderr=log
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                log.close()
                pytest.fail(
                    "slapd did not start: "
                    + (folder / "slapd.log").read_text(errors="replace")[-2000:]
                )
            time.sleep(0.1)
    conn = Connection(Server(url), ADMIN, ADMIN_PASSWORD, auto_bind=True)
    conn.add(BASE, ["dcObject", "organization"], {"o": "Awara City", "dc": "awara"})
    conn.add(f"ou=people,{BASE}", ["organizationalUnit"], {"ou": "people"})
    conn.add(f"ou=groups,{BASE}", ["organizationalUnit"], {"ou": "groups"})
    conn.add(f"ou=service,{BASE}", ["organizationalUnit"], {"ou": "service"})
    conn.add(
        f"cn=portal,ou=service,{BASE}",
        ["organizationalRole", "simpleSecurityObject"],
        {"cn": "portal", "userPassword": "service-secret"},
    )
    people = {
        "tanaka": ("100201", "田中 一郎", "tanaka@city.awara.test", "1040"),
        "suzuki": ("100202", "鈴木 花子", "suzuki@city.awara.test", "1020"),
    }
    for uid, (number, name, mail, dept) in people.items():
        assert conn.add(
            f"uid={uid},ou=people,{BASE}",
            ["inetOrgPerson"],
            {
                "uid": uid,
                "cn": name,
                "sn": name.split()[0],
                "displayName": name,
                "mail": mail,
                "employeeNumber": number,
                "departmentNumber": dept,
                "userPassword": f"{uid}-pass",
            },
        ), conn.result
    conn.add(
        f"cn=jinji,ou=groups,{BASE}",
        ["groupOfNames"],
        {"cn": "jinji", "member": [f"uid=suzuki,ou=people,{BASE}"]},
    )
    conn.add(
        f"cn=soudan,ou=groups,{BASE}",
        ["groupOfNames"],
        {"cn": "soudan", "member": [f"uid=tanaka,ou=people,{BASE}"]},
    )
    yield {"url": url, "conn": conn, "port": port}
    conn.unbind()
    process.terminate()
    process.wait(timeout=10)
    log.close()


def _configure(app, slapd, *, search=False):
    app.config.update(
        LDAP_URL=slapd["url"],
        LDAP_USER_BASE=f"ou=people,{BASE}",
        LDAP_GROUP_BASE=f"ou=groups,{BASE}",
        LDAP_GROUP_ROLES=f"cn=jinji,ou=groups,{BASE}=training_admin;cn=soudan,ou=groups,{BASE}=consultation",
        LDAP_BIND_DN_TEMPLATE="" if search else f"uid={{login}},ou=people,{BASE}",
        LDAP_SERVICE_DN=f"cn=portal,ou=service,{BASE}" if search else None,
        LDAP_SERVICE_PASSWORD="service-secret" if search else None,
    )


def _sign_in(client, login, password):
    return client.post("/login", data={"login": login, "password": password})


@pytest.mark.parametrize("search", [False, True], ids=["bind-as-user", "search-then-bind"])
def test_first_sign_in_creates_the_employee_with_roles_from_groups(app, client, db, slapd, search):
    _configure(app, slapd, search=search)
    tax = make_department(code="1040", name_ja="税務課")
    response = _sign_in(client, "tanaka", "tanaka-pass")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    employee = db.session.scalar(select(Employee).where(Employee.staff_number == "100201"))
    assert (employee.name, employee.email, employee.department_id) == (
        "田中 一郎",
        "tanaka@city.awara.test",
        tax.id,
    )
    assert employee.password_hash is None  # the password stays in the directory
    assert Role.CONSULTATION in employee.roles
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "role.consultation_granted")
        ).detail["via"]
        == "directory"
    )
    assert client.get("/").status_code == 200


def test_wrong_password_and_unknown_name_are_refused(app, client, db, slapd):
    _configure(app, slapd)
    assert "正しくありません" in _sign_in(client, "tanaka", "wrong").get_data(as_text=True)
    assert "正しくありません" in _sign_in(client, "nobody", "whatever").get_data(as_text=True)
    assert _sign_in(client, "tanaka", "").status_code == 200  # never an anonymous bind
    with app.test_request_context():
        assert directory.authenticate("tanaka", "") is None
    assert "正しくありません" in _sign_in(client, "tanaka)(uid=*", "tanaka-pass").get_data(
        as_text=True
    )
    assert db.session.scalar(select(Employee).where(Employee.staff_number == "100201")) is None


def test_sign_in_updates_the_record_and_follows_group_changes(app, client, db, slapd):
    _configure(app, slapd)
    hr = make_department(code="1020", name_ja="人事課")
    existing = make_employee(staff_number="100202", name="旧姓 花子", roles=[Role.DEPARTMENT_HEAD])
    assert _sign_in(client, "suzuki", "suzuki-pass").status_code == 302
    db.session.expire_all()
    suzuki = db.session.get(Employee, existing.id)
    assert suzuki.name == "鈴木 花子" and suzuki.department_id == hr.id
    assert {
        Role.TRAINING_ADMIN,
        Role.DEPARTMENT_HEAD,
    } <= suzuki.roles  # a role the directory does not manage stays
    slapd["conn"].modify(
        f"cn=jinji,ou=groups,{BASE}",
        {"member": [("MODIFY_REPLACE", [f"uid=tanaka,ou=people,{BASE}"])]},
    )
    try:
        client.post("/logout")
        assert _sign_in(client, "suzuki", "suzuki-pass").status_code == 302
        db.session.expire_all()
        assert Role.TRAINING_ADMIN not in db.session.get(Employee, existing.id).roles
    finally:
        slapd["conn"].modify(
            f"cn=jinji,ou=groups,{BASE}",
            {"member": [("MODIFY_REPLACE", [f"uid=suzuki,ou=people,{BASE}"])]},
        )


def test_a_deactivated_employee_is_not_let_in_by_the_directory(app, client, db, slapd):
    _configure(app, slapd)
    make_employee(staff_number="100201", active=False)
    assert _sign_in(client, "tanaka", "tanaka-pass").status_code == 200


def test_a_directory_that_is_down_is_said_plainly_in_both_languages(app, client, db):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here
    app.config.update(
        LDAP_URL=f"ldap://127.0.0.1:{port}",
        LDAP_TIMEOUT_SECONDS=1,
        LDAP_BIND_DN_TEMPLATE=f"uid={{login}},ou=people,{BASE}",
        LDAP_USER_BASE=f"ou=people,{BASE}",
    )
    response = _sign_in(client, "tanaka", "tanaka-pass")
    assert response.status_code == 503
    assert "認証サーバー（Active Directory）に接続できません" in response.get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    english = _sign_in(client, "tanaka", "tanaka-pass").get_data(as_text=True)
    assert "sign-in server (Active Directory) cannot be reached" in english
    # A break-glass account with a local password still signs in.
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    assert _sign_in(client, admin.staff_number, "correct-horse-battery").status_code == 302


def test_group_roles_setting_is_read_as_dn_to_role(app):
    app.config["LDAP_GROUP_ROLES"] = (
        "CN=Jinji,OU=Groups,DC=city,DC=local=training_admin; cn=x,dc=y=consultation"
    )
    assert directory.group_roles() == {
        "cn=jinji,ou=groups,dc=city,dc=local": "training_admin",
        "cn=x,dc=y": "consultation",
    }
