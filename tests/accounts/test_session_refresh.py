"""The session cookie is signed again only every SESSION_REFRESH_SECONDS, not on every response."""

from app.accounts import sso
from tests.factories import login, make_employee


def _sets_session_cookie(response) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_the_cookie_is_renewed_only_after_the_refresh_interval(client, app, monkeypatch):
    clock = {"now": 1_900_000_000.0}
    monkeypatch.setattr(sso.time, "time", lambda: clock["now"])
    login(client, make_employee())
    first = client.get("/")
    assert first.status_code == 200
    clock["now"] += 10
    assert not _sets_session_cookie(client.get("/"))  # a busy page: nothing to sign again
    clock["now"] += app.config["SESSION_REFRESH_SECONDS"]
    renewed = client.get("/")
    assert renewed.status_code == 200 and _sets_session_cookie(renewed)
    clock["now"] += 10
    assert not _sets_session_cookie(client.get("/"))
