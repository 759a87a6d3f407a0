"""Reminders: notices on the home page; e-mail only when configured, never to someone who
has completed, never twice for the same due date. A small real SMTP server receives them."""

import email
import socketserver
import threading
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.models import AuditEvent
from app.courses import reminders
from app.courses.models import Assignment, Course
from tests.courses.support import complete_course, content_root, sync
from tests.factories import make_department, make_employee


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 test SMTP")
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                self.server.messages.append(
                    email.message_from_bytes(data[:-5], policy=policy.default)
                )
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def staff(app, db, tmp_path):
    hr = make_department(code="1020", name_ja="人事課")
    due_soon = make_employee(department=hr, name="期限 近子", email="soon@example.jp")
    done = make_employee(department=hr, name="修了 済男", email="done@example.jp")
    no_mail = make_employee(department=hr, name="メール 無し")
    relaxed = make_employee(department=hr, name="余裕 有子", email="later@example.jp")
    sync(app, content_root(tmp_path))
    starter = db.session.scalar(select(Course).where(Course.slug == "all-staff-tsunagu"))
    complete_course(app, done, starter)
    for person, days in ((due_soon, 3), (done, 3), (no_mail, -2)):
        row = db.session.scalar(
            select(Assignment).where(
                Assignment.employee_id == person.id, Assignment.course_id == starter.id
            )
        )
        row.due_on = clock.today() + timedelta(days=days)
    db.session.commit()
    return dict(due_soon=due_soon, done=done, no_mail=no_mail, relaxed=relaxed, starter=starter)


def test_email_is_off_by_default(app, staff, smtp_server):
    result = app.test_cli_runner().invoke(args=["courses", "remind"])
    assert result.exit_code == 0 and "無効" in result.output
    dry = app.test_cli_runner().invoke(args=["courses", "remind", "--dry-run"])
    assert (
        "1人" in dry.output
    )  # only 期限 近子: done has completed, no_mail has no address, relaxed is not due
    assert smtp_server.messages == []


def test_reminders_are_sent_once_per_due_date(app, db, staff, smtp_server):
    app.config.update(
        REMINDER_EMAIL="1",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.server_address[1],
        MAIL_FROM="kenshu@city.example.jp",
        PORTAL_URL="http://portal.example/",
    )
    result = app.test_cli_runner().invoke(args=["courses", "remind"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp_server.messages] == ["soon@example.jp"]
    message = smtp_server.messages[0]
    assert "必修研修" in message["Subject"]
    body = message.get_content()
    assert (
        "期限 近子 様" in body
        and "全職員研修　気づいて、つなぐ" in body
        and "http://portal.example/courses/" in body
    )
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "course.reminder_sent")
    ).object_id == str(staff["due_soon"].id)

    # Never twice for the same due date …
    app.test_cli_runner().invoke(args=["courses", "remind"])
    assert len(smtp_server.messages) == 1
    # … but again once the due date changes (e.g. a recertification cycle).
    row = db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == staff["due_soon"].id,
            Assignment.course_id == staff["starter"].id,
        )
    )
    row.due_on = clock.today() + timedelta(days=1)
    db.session.commit()
    run = reminders.send_reminders()
    assert run.sent == 1 and len(smtp_server.messages) == 2
