"""Demo data: the city's information-security e-learning, as a content admin would upload it."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

PACKAGES = Path(__file__).parent / "demo_packages"
DEMO_SLUG = "info-security-basics"


def zip_folder(folder: Path, target: Path) -> Path:
    """A package folder as the zip a vendor would deliver (imsmanifest.xml at the top)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def load_demo() -> str:
    from app.extensions import db
    from app.scorm import service
    from app.scorm.models import SOURCE_UPLOAD

    with tempfile.TemporaryDirectory() as work:
        package = zip_folder(PACKAGES / DEMO_SLUG, Path(work) / f"{DEMO_SLUG}.zip")
        loaded = service.load_zip(package, DEMO_SLUG, source=SOURCE_UPLOAD)
    db.session.commit()
    return f"SCORM: {loaded.package.title_ja} ({loaded.outcome}, {len(loaded.version.scos)} SCO)"
