"""``scorm/<id>.zip`` in the content folder: checked by ``content check``, loaded by ``content sync``."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _

from app.content.registry import ContentKind, Problem, SyncResult, register, zip_holding
from app.scorm import package as packages


def find(root: Path) -> list[Path]:
    folder = root / "scorm"
    return sorted(folder.glob("*.zip")) if folder.is_dir() else []


def check(paths: list[Path], root: Path) -> list[Problem]:
    from app.scorm.service import SLUG_RE

    problems = []
    for path in paths:
        if not SLUG_RE.match(path.stem):
            problems.append(
                Problem(
                    path,
                    None,
                    _("the file name %(name)s is not a valid package id", name=path.name),
                    _("Use lower-case letters, digits and - (e.g. info-security-2027.zip)."),
                )
            )
        try:
            packages.inspect(path)
        except packages.PackageError as exc:
            problems += [Problem(path, None, p.message, p.hint) for p in exc.problems]
    return problems


def sync(paths: list[Path], root: Path) -> SyncResult:
    """Load every zip; a changed zip is a new version, a removed one retires its package."""
    from app.extensions import db
    from app.scorm import service
    from app.scorm.models import SOURCE_CONTENT

    result = SyncResult(kind="scorm")
    seen = set()
    for path in paths:
        loaded = service.load_zip(path, path.stem, source=SOURCE_CONTENT)
        seen.add(path.stem)
        if loaded.outcome == "unchanged":
            result.unchanged += 1
        else:
            setattr(result, loaded.outcome, getattr(result, loaded.outcome) + 1)
            result.messages.append(f"{path.stem}: v{loaded.version.number}")
    for slug in service.retire_missing(seen):
        result.messages.append(f"{slug}: retired")
    db.session.commit()
    return result


def register_kind(app) -> ContentKind:
    # Packages are not prose the portal wrote: the legal-marker and vocabulary checks skip them.
    return register(
        app,
        ContentKind(
            name="scorm",
            find=find,
            check=check,
            sync=sync,
            order=40,
            prose=False,
            recognise=zip_holding("imsmanifest.xml"),
        ),
    )
