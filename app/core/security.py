"""Response headers for a portal inside a closed network: nothing from another host."""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: Sent on every response unless the view set its own value.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_LOWER = tuple((name.lower(), name, value) for name, value in SECURITY_HEADERS)


def init_app(app) -> None:
    @app.after_request
    def set_security_headers(response):
        # One pass over the response's few headers, not a search per header: this runs on
        # every response, the player's progress reports included.
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        headers.extend([(name, value) for lower, name, value in _LOWER if lower not in present])
        if "cache-control" not in present and response.mimetype == "text/html":
            # Pages may show personal data: never keep them in a shared browser cache.
            headers["Cache-Control"] = "no-store"
        return response
