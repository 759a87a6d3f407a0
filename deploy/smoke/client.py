"""A tiny HTTP client for the smoke and load runs: cookies, CSRF tokens, no redirects followed."""

from __future__ import annotations

import http.client
import re
import secrets
import time
from urllib.parse import urlencode

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, elapsed: float):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf(self) -> str:
        match = _CSRF.search(self.text)
        if not match:
            raise AssertionError(f"no CSRF token in the page (HTTP {self.status})")
        return match.group(1)


class Client:
    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 30):
        assert host == "127.0.0.1", "runs against this machine only"
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, *, form: dict | None = None, body: bytes | None = None,
                headers: dict | None = None, port: int | None = None) -> Response:
        headers = dict(headers or {})
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        if port is not None and port != self.port:  # one request straight to one instance
            connection = http.client.HTTPConnection(self.host, port, timeout=self.timeout)
        else:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            connection = self.connection
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            if connection is self.connection:
                self.connection = None
            raise
        finally:
            if connection is not self.connection:
                connection.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower() or value == "":
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return Response(raw.status, raw.headers, data, time.perf_counter() - started)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs) -> Response:
        return self.request("POST", path, form=form, **kwargs)

    def sign_in(self, login: str, password: str, port: int | None = None) -> Response:
        token = self.get("/login", port=port).csrf()
        return self.post("/login", {"csrf_token": token, "login": login, "password": password}, port=port)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def referral_form(token: str, n: int) -> dict:
    return {
        "csrf_token": token, "resident_name": f"検証 花子{n}", "resident_kana": "ケンショウ ハナコ", "area": "",
        "concerns": ["arrears", "care"], "observed": f"滞納分を小銭で支払われた（検証 {n}）。",
        "urgency": "routine", "consent": "verbal", "told_about_office": "yes", "preferred_contact": "phone",
        "idempotency_key": secrets.token_urlsafe(24),
    }
