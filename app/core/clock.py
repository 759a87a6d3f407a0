"""One clock for the whole portal.

Every date the portal shows, stores as a day or compares is the city's date (``TIME_ZONE``,
Asia/Tokyo by default), whatever zone the server's clock is set to: a server on UTC at 23:30
is already 08:30 the next morning at the city hall. Timestamps are stored as naive UTC
(``utcnow()``); turn them into the city's time with ``local()`` / ``local_date()`` before
taking a date, and compare them with the UTC start of a city day (``day_start()``).

Tests freeze the clock by replacing ``system_now``, the one place the real time is read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIME_ZONE = "Asia/Tokyo"


def system_now() -> datetime:
    """The real time, aware, in UTC (the only read of the machine's clock)."""
    return datetime.now(UTC)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The city's time zone, from the ``TIME_ZONE`` setting."""
    name = current_app.config.get("TIME_ZONE") if has_app_context() else None
    return _zone(name or DEFAULT_TIME_ZONE)


def now() -> datetime:
    """The current time at the city hall, aware."""
    return system_now().astimezone(zone())


def today() -> date:
    """The current date at the city hall."""
    return now().date()


def utcnow() -> datetime:
    """The current time as stored in the database: naive UTC."""
    return system_now().replace(tzinfo=None)


def local(value: datetime) -> datetime:
    """A stored timestamp (naive means UTC) in the city's time, aware."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone())


def local_date(value: datetime | date) -> date:
    """The city-hall date of a stored timestamp (a date is returned as is)."""
    if isinstance(value, datetime):
        return local(value).date()
    return value


def day_start(day: date) -> datetime:
    """The stored (naive UTC) time at which the city's ``day`` begins.

    ``stored_at < day_start(d + 1 day)`` means "on or before ``d`` at the city hall".
    """
    return datetime.combine(day, time.min, tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def day_end(day: date) -> datetime:
    """The last stored (naive UTC) instant of the city's ``day``."""
    return day_start(day + timedelta(days=1)) - timedelta(microseconds=1)
