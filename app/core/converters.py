"""URL converters used app-wide."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id a PostgreSQL INTEGER column holds. A larger number in a URL cannot name
# anything; without a bound it reaches the database and fails there (a 500, not a 404).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that answers 404 for numbers no row can have."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    """Replace Flask's ``int`` converter; call before any route is registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def bounded_int(value: str) -> int:
    """For ``request.args.get(name, default, type=bounded_int)``: a page number or an id in a
    query string; a number no row can have falls back to the default like any other junk."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number
