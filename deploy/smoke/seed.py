"""Seed a fresh database for the deployed-stack smoke and load runs (not for real use).

Creates a department, a content admin, an HR training admin and N learners (one password for
all, hashed cheaply: the runs measure the portal, not scrypt), and publishes one short video
made by ffmpeg. Prints what the runs need as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from werkzeug.security import generate_password_hash

PASSWORD = "smoke-password-2026"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=600, help="length of the published video")
    args = parser.parse_args()

    from app import create_app
    from app.accounts.models import Department, DepartmentMembership, Employee, EmployeeRole
    from app.extensions import db
    from app.videos import service

    app = create_app()
    with app.app_context():
        department = Department(code="S100", name_ja="税務課")
        db.session.add(department)
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

        def employee(number: str, name: str, roles=()) -> str:
            row = Employee(staff_number=number, name=name, name_kana="ケンショウ", position="主事",
                           department=department, active=True, password_hash=password_hash)
            row.role_rows = [EmployeeRole(role=r) for r in roles]
            db.session.add(row)
            db.session.add(DepartmentMembership(employee=row, department=department, started_on=date(2026, 4, 1)))
            return number

        admin = employee("800001", "検証 管理", ("content_admin",))
        hr = employee("800002", "検証 人事", ("training_admin",))
        learners = [employee(f"81{n:04d}", f"検証 職員{n}") for n in range(args.learners)]
        db.session.commit()

        with tempfile.TemporaryDirectory() as tmp:
            clip = Path(tmp) / "smoke-lesson.mp4"
            # Small but long enough for learners to report every 10 s for a while.
            subprocess.run(
                ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=10:duration={args.seconds}",
                 "-f", "lavfi", "-i", f"sine=frequency=440:duration={args.seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                 "-tune", "stillimage", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k", "-shortest", "-movflags", "+faststart", str(clip)],
                check=True,
            )
            app.config["VIDEO_PUBLISH_AS_IS"] = True
            video = service.ingest_path(clip, wait=True)
            slug = video.slug
        print(json.dumps({"password": PASSWORD, "admin": admin, "hr": hr, "learners": learners, "video": slug}))


if __name__ == "__main__":
    main()
