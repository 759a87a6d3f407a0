"""Locale selection (ja by default, the employee's choice remembered) and date formatting."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import current_app, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from app.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background tasks speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translation_directories(app) -> list[str]:
    """The site-wide catalogue first, then each area's own ``translations/`` folder."""
    root = Path(app.root_path)
    dirs = [root / "translations"]
    dirs += sorted(p for p in root.glob("*/translations") if p.is_dir())
    return [str(d) for d in dirs if d.is_dir()]


def current_locale() -> str:
    return str(get_locale() or "ja")


def jdate(value: date | datetime | None, fmt: str = "long") -> str:
    """2026年4月1日 in Japanese, 1 April 2026 in English."""
    if value is None:
        return ""
    # A datetime is stored in UTC: flask-babel turns it into Tokyo time before taking the date.
    return format_date(value, fmt)


def jdatetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if current_locale() == "ja":
        return format_datetime(value, "y年M月d日 H:mm")
    return format_datetime(value, "d MMM y HH:mm")


def official_date(value: date | datetime | None) -> str:
    """A date as the city writes it on official documents: 和暦 (令和8年12月3日) unless
    OFFICIAL_DATE_STYLE is "seireki"; English pages keep the English date."""
    if value is None:
        return ""
    from app.core import clock
    from app.core.wareki import wareki_date

    if (
        current_locale() != "ja"
        or current_app.config.get("OFFICIAL_DATE_STYLE", "wareki") == "seireki"
    ):
        return jdate(value)
    return wareki_date(clock.local_date(value) if isinstance(value, datetime) else value)


def init_app(app) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(app))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["jdate"] = jdate
    app.jinja_env.filters["jdatetime"] = jdatetime
    app.jinja_env.filters["official_date"] = official_date
    if app.config.get("OFFICIAL_DATE_STYLE", "wareki") not in ("wareki", "seireki"):
        raise ValueError(
            f"OFFICIAL_DATE_STYLE must be wareki or seireki, not {app.config['OFFICIAL_DATE_STYLE']!r}"
        )
    app.jinja_env.globals["current_locale"] = current_locale

    from app.core.wareki import register_filters

    register_filters(app)
