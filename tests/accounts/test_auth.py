from app.core.models import AuditEvent
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
    assert db.session.query(AuditEvent).filter_by(action="sign_in", object_id=str(person.id)).count() == 2


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


def test_sign_in_attempts_are_rate_limited(client):
    person = make_employee()
    statuses = [
        client.post("/login", data={"login": person.staff_number, "password": "wrong"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # the right password is refused too while the limit holds
    assert client.post("/login", data={"login": person.staff_number, "password": PASSWORD}).status_code == 429


def test_open_redirect_after_sign_in_is_refused(client):
    person = make_employee()
    response = client.post("/login", data={"login": person.staff_number, "password": PASSWORD, "next": "//evil.example.com/x"})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login", data={"login": person.staff_number, "password": PASSWORD, "next": "/account/password"})
    assert response.headers["Location"] == "/account/password"


def test_change_password(client, db):
    person = make_employee()
    login(client, person)
    bad = client.post("/account/password", data={"current": "wrong", "new": "x" * 12, "confirm": "x" * 12})
    assert "現在のパスワードが正しくありません" in bad.get_data(as_text=True)
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert short.status_code == 200
    ok = client.post("/account/password", data={"current": PASSWORD, "new": "a-new-long-password", "confirm": "a-new-long-password"})
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
