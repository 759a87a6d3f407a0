import time

from app.core.models import AuditEvent
from app.core.permissions import Role
from app.extensions import db as _db
from app.extensions import limiter
from tests.factories import PASSWORD, login, make_employee


def test_sign_in_with_staff_number_or_email_and_sign_out(client, db):
    person = make_employee(email="yamada@example.jp")
    response = client.post("/login", data={"login": person.staff_number, "password": PASSWORD})
    assert response.status_code == 302
    assert "つなぐ" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/").status_code == 302
    response = client.post("/login", data={"login": "YAMADA@example.jp", "password": PASSWORD})
    assert response.status_code == 302
    assert (
        db.session.query(AuditEvent).filter_by(action="sign_in", object_id=str(person.id)).count()
        == 2
    )


def test_wrong_password_is_refused_with_a_translated_message(client):
    person = make_employee()
    response = client.post("/login", data={"login": person.staff_number, "password": "nope"})
    assert response.status_code == 200
    assert "パスワードが正しくありません" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_inactive_employee_cannot_sign_in(client):
    person = make_employee(active=False)
    response = client.post("/login", data={"login": person.staff_number, "password": PASSWORD})
    assert response.status_code == 200


def _sign_in(client, person, password, **kwargs):
    return client.post(
        "/login", data={"login": person.staff_number, "password": password}, **kwargs
    )


def test_failed_sign_ins_back_off_that_account_only(app, client):
    app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] = "10 per 3 seconds"
    target, colleague = make_employee(), make_employee()
    statuses = [_sign_in(client, target, "wrong").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # While the back-off holds, even the right password waits…
    assert _sign_in(client, target, PASSWORD).status_code == 429
    # …but a colleague at the same address (the same proxy) signs in.
    other = app.test_client()
    assert _sign_in(other, colleague, PASSWORD).status_code == 302
    time.sleep(3.2)
    assert _sign_in(client, target, PASSWORD).status_code == 302


def test_successful_sign_ins_are_not_counted(app):
    app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] = "3 per 5 minutes"
    app.config["LOGIN_ADDRESS_FAILURE_LIMIT"] = "3 per 5 minutes"
    person = make_employee()
    for _ in range(6):
        client = app.test_client()
        assert _sign_in(client, person, PASSWORD).status_code == 302


def test_failures_from_one_address_are_limited_across_accounts(app, client):
    app.config["LOGIN_ADDRESS_FAILURE_LIMIT"] = "5 per 5 minutes"
    people = [make_employee() for _ in range(6)]
    statuses = [_sign_in(client, person, "wrong").status_code for person in people]
    assert statuses == [200] * 5 + [429]


def test_forwarded_address_is_ignored_without_trusted_proxies(client, db):
    person = make_employee()
    _sign_in(client, person, "wrong", headers={"X-Forwarded-For": "203.0.113.7"})
    event = db.session.query(AuditEvent).filter_by(action="sign_in.failed").one()
    assert event.remote_addr == "127.0.0.1"


def test_forwarded_address_is_the_client_behind_one_trusted_proxy(database_url, instance_dir):
    from tests.conftest import build_app, empty_all_tables

    app = build_app(
        database_url,
        instance_dir,
        TRUSTED_PROXY_COUNT=1,
        LOGIN_ADDRESS_FAILURE_LIMIT="2 per 5 minutes",
    )
    limiter.reset()
    try:
        with app.app_context():
            person = make_employee()
            client = app.test_client()
            # A client's own X-Forwarded-For entry comes first; the proxy appends the real one.
            forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
            assert _sign_in(client, person, "wrong", headers=forwarded).status_code == 200
            event = _db.session.query(AuditEvent).filter_by(action="sign_in.failed").one()
            assert event.remote_addr == "203.0.113.7"
            # The address limit counts per client address, not per proxy.
            assert _sign_in(client, person, "wrong", headers=forwarded).status_code == 200
            assert _sign_in(client, person, "wrong", headers=forwarded).status_code == 429
            another = {"X-Forwarded-For": "203.0.113.8"}
            assert _sign_in(client, person, "wrong", headers=another).status_code == 200
    finally:
        empty_all_tables(app)


def test_unknown_account_names_take_as_long_as_known_ones(db):
    from werkzeug.security import generate_password_hash

    from app.accounts import service

    person = make_employee()
    person.password_hash = generate_password_hash(PASSWORD)  # production's default (scrypt)
    db.session.commit()
    service.authenticate("no-such-person", "wrong")  # the dummy hash is made once

    def median_seconds(login):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            assert service.authenticate(login, "wrong") is None
            times.append(time.perf_counter() - start)
        return sorted(times)[2]

    known, unknown = median_seconds(person.staff_number), median_seconds("no-such-person")
    # Without a hash for unknown names they answer many times faster (no scrypt at all).
    assert unknown > known * 0.4, (known, unknown)


def test_open_redirect_after_sign_in_is_refused(client):
    person = make_employee()
    response = client.post(
        "/login",
        data={"login": person.staff_number, "password": PASSWORD, "next": "//evil.example.com/x"},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login",
        data={"login": person.staff_number, "password": PASSWORD, "next": "/account/password"},
    )
    assert response.headers["Location"] == "/account/password"


def test_change_password(client, db):
    person = make_employee()
    login(client, person)
    bad = client.post(
        "/account/password", data={"current": "wrong", "new": "x" * 12, "confirm": "x" * 12}
    )
    assert "現在のパスワードが正しくありません" in bad.get_data(as_text=True)
    short = client.post(
        "/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"}
    )
    assert short.status_code == 200
    ok = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a-new-long-password", "confirm": "a-new-long-password"},
    )
    assert ok.status_code == 302
    db.session.refresh(person)
    assert person.check_password("a-new-long-password")
    assert not person.check_password(PASSWORD)


def test_session_cookie_is_httponly_and_samesite(client):
    person = make_employee()
    response = client.post("/login", data={"login": person.staff_number, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_trusted_header_sso_is_off_by_default(client):
    person = make_employee()
    response = client.get("/", environ_base={"REMOTE_USER": person.staff_number})
    assert response.status_code == 302


def test_trusted_header_sso_signs_in_when_enabled(app, client):
    app.config["TRUSTED_HEADER_SSO"] = True
    person = make_employee()
    assert client.get("/", environ_base={"REMOTE_USER": person.staff_number}).status_code == 200
    other = client.application.test_client()
    assert other.get("/", environ_base={"REMOTE_USER": "no-such-person"}).status_code == 302


def test_trusted_header_from_a_client_directly_is_refused(app, client):
    app.config["TRUSTED_HEADER_SSO"] = True
    person = make_employee(roles=[Role.CONSULTATION])
    direct = {"REMOTE_ADDR": "10.20.30.40"}
    response = client.get(
        "/consultation/inbox", headers={"Remote-User": person.staff_number}, environ_base=direct
    )
    assert response.status_code == 302
    assert (
        client.get("/", environ_base={"REMOTE_USER": person.staff_number, **direct}).status_code
        == 302
    )
    # The same header through the configured proxy signs in.
    app.config["TRUSTED_PROXY_ADDRESSES"] = ("10.20.30.0/24",)
    inbox = client.get(
        "/consultation/inbox", headers={"Remote-User": person.staff_number}, environ_base=direct
    )
    assert inbox.status_code == 200


def test_trusted_header_checks_the_peer_not_the_forwarded_address(database_url, instance_dir):
    from tests.conftest import build_app, empty_all_tables

    app = build_app(database_url, instance_dir, TRUSTED_PROXY_COUNT=1, TRUSTED_HEADER_SSO=True)
    try:
        with app.app_context():
            person = make_employee()
            client = app.test_client()
            # A client claiming to be the proxy in X-Forwarded-For is still a client.
            forged = {"X-Forwarded-For": "127.0.0.1", "Remote-User": person.staff_number}
            assert (
                client.get(
                    "/", headers=forged, environ_base={"REMOTE_ADDR": "10.20.30.40"}
                ).status_code
                == 302
            )
            # Through the proxy on 127.0.0.1 (the default), with the client's address forwarded.
            proxied = {"X-Forwarded-For": "10.20.30.40", "Remote-User": person.staff_number}
            assert client.get("/", headers=proxied).status_code == 200
            event = _db.session.query(AuditEvent).filter_by(action="sign_in").one()
            assert event.detail == {"method": "trusted_header"}
            assert event.remote_addr == "10.20.30.40"
    finally:
        empty_all_tables(app)


def test_csrf_is_required_on_forms(database_url, instance_dir):
    from tests.conftest import build_app, empty_all_tables

    app = build_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    try:
        with app.app_context():
            person = make_employee()
            number = person.staff_number
        client = app.test_client()
        response = client.post("/login", data={"login": number, "password": PASSWORD})
        assert response.status_code == 400
        assert "有効期限" in response.get_data(as_text=True)
    finally:
        empty_all_tables(app)


def test_a_scripts_request_without_a_session_is_told_it_is_signed_out(database_url, instance_dir):
    """With CSRF on, a script's POST after the session went (its token went with it) gets the
    same plain 401 the permission check gives, so the page can say "sign in again"; a page's
    form post without a token still gets the translated 400 page."""
    from tests.conftest import build_app, empty_all_tables

    app = build_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    try:
        client = app.test_client()
        script = client.post(
            "/videos/any/progress", data={"ranges": "[]"}, headers={"Accept": "application/json"}
        )
        assert script.status_code == 401
        assert script.get_json() == {"error": "signed_out"}
        page = client.post("/videos/any/progress", data={"ranges": "[]"})
        assert page.status_code == 400
        assert "有効期限" in page.get_data(as_text=True)
    finally:
        empty_all_tables(app)
