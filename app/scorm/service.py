"""SCORM 1.2 packages: loading zips, the run-time data a SCO reads and writes, completion.

Completion and score come from what the package itself reports (``cmi.core.lesson_status``
and ``cmi.core.score.raw``); a package is complete for an employee when every SCO of its
current version reports ``completed`` or ``passed``. Services flush; the request (or the
content sync) commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.content.lookups import VersionedLookups
from app.core import audit
from app.core.models import utcnow
from app.core.signals import learning_item_completed, learning_item_started, send_progress
from app.extensions import db
from app.scorm import package as packages
from app.scorm.models import (
    SOURCE_CONTENT,
    LessonStatus,
    ScormPackage,
    ScormRuntime,
    ScormVersion,
)

KIND = "scorm"
LOOKUPS = VersionedLookups(ScormPackage, ScormVersion, "package_id")
active_packages = LOOKUPS.active
get_active = LOOKUPS.get_active
get_by_slug = LOOKUPS.get_by_slug
current_version = LOOKUPS.current_version

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
DONE = LessonStatus.done()
#: cmi.core.lesson_status values a SCO may set ("not attempted" is the LMS's alone)
STATUSES = LessonStatus.set_by_sco()
EXITS = ("time-out", "suspend", "logout", "")
TIMESPAN_RE = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d)(\.\d{1,2})?$")
DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")


class RuntimeRefused(ValueError):
    """A value the SCORM 1.2 data model does not allow; ``code`` is the SCORM error code."""

    def __init__(self, element: str, code: int):
        super().__init__(f"{element}: {code}")
        self.element = element
        self.code = code


def storage_root() -> Path:
    # Beside the videos by default, so the media backup (and its manifest) covers packages too.
    configured = current_app.config.get("SCORM_ROOT")
    return Path(configured) if configured else Path(current_app.config["MEDIA_ROOT"]) / "scorm"


def files_dir(version: ScormVersion) -> Path:
    return storage_root() / version.checksum


# --- loading packages ----------------------------------------------------------------------------


@dataclass
class Loaded:
    package: ScormPackage
    version: ScormVersion
    outcome: str  # "created", "updated" or "unchanged"


def load_zip(path: Path, slug: str, *, source: str, actor_id: int | None = None) -> Loaded:
    """Check, unpack and record a package; a changed zip becomes the next version.

    Raises ``PackageError`` with every problem found; nothing is recorded then.
    """
    checked = packages.inspect(path)
    packages.unpack(path, storage_root() / checked.checksum)
    package = get_by_slug(slug)
    outcome = "updated"
    if package is None:
        package = ScormPackage(slug=slug, title_ja=checked.title, current_number=0, source=source)
        db.session.add(package)
        db.session.flush()
        outcome = "created"
    latest = current_version(package) if package.current_number else None
    if latest is not None and latest.checksum == checked.checksum:
        outcome = "unchanged" if package.active else "updated"
        version = latest
    else:
        package.current_number += 1
        version = ScormVersion(
            package_id=package.id,
            number=package.current_number,
            checksum=checked.checksum,
            definition=checked.definition(),
        )
        db.session.add(version)
    package.title_ja = checked.title[:200]
    package.active = True
    package.source = source
    db.session.flush()
    if outcome != "unchanged":
        audit.record(
            "scorm.loaded",
            "scorm_package",
            package.id,
            actor_id=actor_id,
            slug=slug,
            version=version.number,
            scos=len(checked.scos),
            source=source,
        )
    return Loaded(package, version, outcome)


def retire_missing(seen: set[str]) -> list[str]:
    """Packages a content folder loaded whose zip is gone: hidden, never deleted."""
    retired = []
    for package in db.session.scalars(
        select(ScormPackage).where(
            ScormPackage.active.is_(True), ScormPackage.source == SOURCE_CONTENT
        )
    ):
        if package.slug not in seen:
            package.active = False
            audit.record("scorm.retired", "scorm_package", package.id, slug=package.slug)
            retired.append(package.slug)
    return retired


# --- the run-time data --------------------------------------------------------------------------


def runtime(employee_id: int, version: ScormVersion, sco: str) -> ScormRuntime | None:
    return db.session.scalar(
        select(ScormRuntime).where(
            ScormRuntime.employee_id == employee_id,
            ScormRuntime.version_id == version.id,
            ScormRuntime.sco == sco,
        )
    )


def runtimes(employee_id: int, version: ScormVersion) -> dict[str, ScormRuntime]:
    return {
        r.sco: r
        for r in db.session.scalars(
            select(ScormRuntime).where(
                ScormRuntime.employee_id == employee_id, ScormRuntime.version_id == version.id
            )
        )
    }


def timespan(seconds: float) -> str:
    """CMITimespan: HHHH:MM:SS.SS."""
    hundredths = round(seconds * 100)
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    return f"{hours:04d}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def seconds_of(value: str) -> float:
    match = TIMESPAN_RE.match(value)
    if match is None:
        raise RuntimeRefused("cmi.core.session_time", 405)
    return (
        int(match.group(1)) * 3600
        + int(match.group(2)) * 60
        + int(match.group(3))
        + float(match.group(4) or 0)
    )


def student_name(name: str) -> str:
    """SCORM wants "family, given"; staff names are stored "family given"."""
    parts = name.replace("\u3000", " ").split(" ", 1)
    return f"{parts[0]}, {parts[1].strip()}" if len(parts) == 2 else name


def _number(value: str) -> float | None:
    if value == "":
        return None
    return float(value)


def launch_values(employee, version: ScormVersion, sco: dict) -> dict:
    """The ``cmi`` data a SCO finds when it starts (the run-time script serves it)."""
    row = runtime(employee.id, version, sco["identifier"])
    if row is None or row.sessions == 0:
        entry = "ab-initio"
    else:
        entry = "resume" if row.exit == "suspend" else ""

    def shown(value):
        return "" if value is None else f"{value:g}"

    return {
        "cmi.core.student_id": employee.staff_number,
        "cmi.core.student_name": student_name(employee.name),
        "cmi.core.lesson_location": row.lesson_location if row else "",
        "cmi.core.credit": "credit",
        "cmi.core.lesson_status": row.lesson_status if row else LessonStatus.NOT_ATTEMPTED,
        "cmi.core.entry": entry,
        "cmi.core.score.raw": shown(row.score_raw) if row else "",
        "cmi.core.score.min": shown(row.score_min) if row else "",
        "cmi.core.score.max": shown(row.score_max) if row else "",
        "cmi.core.total_time": timespan(row.total_seconds if row else 0),
        "cmi.core.lesson_mode": "normal",
        "cmi.suspend_data": row.suspend_data if row else "",
        "cmi.launch_data": sco.get("launch_data") or "",
        "cmi.student_data.mastery_score": shown(sco.get("mastery_score")),
    }


def _score(element: str, value: str) -> float | None:
    if value != "" and not DECIMAL_RE.match(value):
        raise RuntimeRefused(element, 405)
    number = _number(value)
    if number is not None and not 0 <= number <= 100:
        raise RuntimeRefused(element, 405)
    return number


def _apply(row: ScormRuntime, element: str, value) -> float | None:
    """Set one element on the row; returns a session time in seconds when one was reported."""
    if not isinstance(value, str):
        raise RuntimeRefused(element, 405)
    if element == "cmi.core.lesson_location":
        if len(value) > 255:
            raise RuntimeRefused(element, 405)
        row.lesson_location = value
    elif element == "cmi.core.lesson_status":
        if value not in STATUSES:
            raise RuntimeRefused(element, 405)
        row.lesson_status = value
    elif element in ("cmi.core.score.raw", "cmi.core.score.min", "cmi.core.score.max"):
        setattr(row, "score_" + element.rsplit(".", 1)[1], _score(element, value))
    elif element == "cmi.core.exit":
        if value not in EXITS:
            raise RuntimeRefused(element, 405)
        row.exit = value
    elif element == "cmi.core.session_time":
        return seconds_of(value)
    elif element == "cmi.suspend_data":
        if len(value) > 4096:
            raise RuntimeRefused(element, 405)
        row.suspend_data = value
    else:
        raise RuntimeRefused(element, 201)
    return None


def package_done(employee_id: int, version: ScormVersion) -> bool:
    done = {r.sco for r in runtimes(employee_id, version).values() if r.lesson_status in DONE}
    return bool(version.scos) and all(s["identifier"] in done for s in version.scos)


def commit(
    employee_id: int,
    package: ScormPackage,
    version: ScormVersion,
    sco: dict,
    values: dict,
    *,
    initialize: bool = False,
    finish: bool = False,
) -> ScormRuntime:
    """Store what a SCO reported (LMSInitialize, LMSCommit, LMSFinish) and move completion on.

    Every value is checked again here: the browser's checks are a convenience, these are the
    rules. On a refused value nothing of this call is stored.
    """
    row = runtime(employee_id, version, sco["identifier"])
    first_in_package = False
    if row is None:
        first_in_package = (
            db.session.scalar(
                select(func.count(ScormRuntime.id)).where(
                    ScormRuntime.employee_id == employee_id, ScormRuntime.version_id == version.id
                )
            )
            == 0
        )
        row = ScormRuntime(
            employee_id=employee_id,
            package_id=package.id,
            version_id=version.id,
            sco=sco["identifier"],
            lesson_status=LessonStatus.NOT_ATTEMPTED,
            lesson_location="",
            suspend_data="",
            exit="",
            total_seconds=0.0,
            sessions=0,
        )
        db.session.add(row)
    was_done = package_done(employee_id, version) if row.id else False
    session_seconds = None
    for element, value in values.items():
        reported = _apply(row, element, value)
        session_seconds = reported if reported is not None else session_seconds
    if initialize:
        row.sessions = (row.sessions or 0) + 1
        if row.lesson_status == LessonStatus.NOT_ATTEMPTED:
            # opened: credited only when the SCO reports completion
            row.lesson_status = LessonStatus.INCOMPLETE
    mastery = sco.get("mastery_score")
    if (
        mastery is not None
        and row.score_raw is not None
        and row.lesson_status in (*DONE, LessonStatus.FAILED, LessonStatus.INCOMPLETE)
    ):
        row.lesson_status = LessonStatus.PASSED if row.score_raw >= mastery else LessonStatus.FAILED
    if finish and session_seconds is not None:
        row.total_seconds = (row.total_seconds or 0.0) + session_seconds
    if row.lesson_status in DONE and row.completed_at is None:
        row.completed_at = utcnow()
    row.updated_at = utcnow()
    db.session.flush()
    if first_in_package:  # inside the view's transaction: the courses record it with the package
        send_progress(
            learning_item_started,
            employee_id=employee_id,
            kind=KIND,
            slug=package.slug,
            version=version.number,
        )
    if not was_done and package_done(employee_id, version):
        audit.record(
            "scorm.completed",
            "scorm_package",
            package.id,
            actor_id=employee_id,
            version=version.number,
            score=row.score_raw,
        )
        send_progress(
            learning_item_completed,
            employee_id=employee_id,
            kind=KIND,
            slug=package.slug,
            version=version.number,
        )
    return row


def progress_for(employee_id: int, slugs: list[str]) -> dict[str, float]:
    """1.0 every SCO of the current version completed or passed, 0.5 started, 0.0 not started.

    Two queries whatever the number of packages (the list page and the course pages use it).
    """
    if not slugs:
        return {}
    versions = db.session.execute(
        select(ScormPackage.slug, ScormVersion)
        .join(
            ScormVersion,
            (ScormVersion.package_id == ScormPackage.id)
            & (ScormVersion.number == ScormPackage.current_number),
        )
        .where(ScormPackage.slug.in_(slugs))
    ).all()
    rows: dict[int, list[ScormRuntime]] = {}
    if versions:
        for row in db.session.scalars(
            select(ScormRuntime).where(
                ScormRuntime.employee_id == employee_id,
                ScormRuntime.version_id.in_([v.id for _s, v in versions]),
            )
        ):
            rows.setdefault(row.version_id, []).append(row)
    progress = {}
    for slug, version in versions:
        mine = rows.get(version.id, [])
        done = {r.sco for r in mine if r.lesson_status in DONE}
        complete = bool(version.scos) and all(s["identifier"] in done for s in version.scos)
        progress[slug] = 1.0 if complete else (0.5 if mine else 0.0)
    return progress


def completions() -> list[tuple[int, str, int]]:
    """(employee_id, slug, version) of every package version whose SCOs an employee all
    completed or passed: what ``flask courses reconcile`` compares with the courses' records."""
    scos = {
        v.id: (slug, v.number, {s["identifier"] for s in v.scos})
        for slug, v in db.session.execute(
            select(ScormPackage.slug, ScormVersion).join(
                ScormVersion, ScormVersion.package_id == ScormPackage.id
            )
        )
    }
    done: dict[tuple[int, int], set[str]] = {}
    for employee_id, version_id, sco in db.session.execute(
        select(ScormRuntime.employee_id, ScormRuntime.version_id, ScormRuntime.sco).where(
            ScormRuntime.lesson_status.in_(DONE)
        )
    ):
        done.setdefault((employee_id, version_id), set()).add(sco)
    return [
        (employee_id, scos[version_id][0], scos[version_id][1])
        for (employee_id, version_id), finished in sorted(done.items())
        if version_id in scos and scos[version_id][2] and scos[version_id][2] <= finished
    ]
