"""E-mail reminders about required courses, through the city's SMTP server (off by default).

Never sent to someone who has completed the course, and never twice for the same due date
(``Assignment.reminded_due_on``). The learner's home shows the same notices without e-mail.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import Employee
from app.core import audit
from app.core.i18n import jdate
from app.courses.models import Assignment, AssignmentStatus, Course
from app.courses.service import today
from app.extensions import db


def setting(name: str, default=None):
    """A reminder setting (app/config.py; ``default`` when it is unset)."""
    value = current_app.config.get(name)
    return default if value is None else value


def email_enabled() -> bool:
    flag = str(setting("REMINDER_EMAIL", "0")).strip().lower() in {"1", "true", "yes", "on"}
    return flag and bool(setting("SMTP_HOST"))


def days_before() -> int:
    return int(setting("REMINDER_DAYS_BEFORE", 7))


@dataclass
class Reminder:
    employee: Employee
    rows: list[Assignment] = field(default_factory=list)


def due_reminders(on: date | None = None) -> list[Reminder]:
    """Staff with a required, unfinished course due within the reminder window (or overdue)
    that has not been reminded for this due date yet."""
    on = on or today()
    stmt = (
        select(Assignment, Employee)
        .join(Employee, Employee.id == Assignment.employee_id)
        .join(Course, Course.id == Assignment.course_id)
        .where(
            Assignment.required.is_(True),
            Assignment.status != AssignmentStatus.COMPLETED,
            Assignment.due_on.is_not(None),
            Assignment.due_on <= on + timedelta(days=days_before()),
            or_(
                Assignment.reminded_due_on.is_(None),
                Assignment.reminded_due_on != Assignment.due_on,
            ),
            Employee.active.is_(True),
            Employee.email.is_not(None),
            Course.active.is_(True),
        )
        .order_by(Employee.id, Assignment.due_on)
    )
    reminders: dict[int, Reminder] = {}
    for row, employee in db.session.execute(stmt):
        reminders.setdefault(employee.id, Reminder(employee)).rows.append(row)
    return list(reminders.values())


def compose(reminder: Reminder, on: date) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _("[Tsunagu] Required training due")
    message["From"] = setting("MAIL_FROM", "tsunagu@localhost")
    message["To"] = reminder.employee.email
    lines = [
        _("%(name)s,", name=reminder.employee.name),
        "",
        _("The following required training is not complete yet:"),
        "",
    ]
    for row in reminder.rows:
        state = _("overdue") if row.due_on < on else _("due")
        lines.append(f"・{row.course.title_ja}（{state} {jdate(row.due_on)}）")
    portal = setting("PORTAL_URL")
    lines += ["", _("Please open the portal and continue where you left off.")]
    if portal:
        lines.append(str(portal).rstrip("/") + "/courses/")
    message.set_content("\n".join(lines))
    return message


@dataclass
class ReminderRun:
    candidates: int = 0
    sent: int = 0
    failed: int = 0
    enabled: bool = False


def send_reminders(*, dry_run: bool = False, on: date | None = None) -> ReminderRun:
    on = on or today()
    run = ReminderRun(enabled=email_enabled())
    reminders = due_reminders(on)
    run.candidates = len(reminders)
    if dry_run or not run.enabled:
        return run
    host, port = setting("SMTP_HOST"), int(setting("SMTP_PORT", 25))
    user, password = setting("SMTP_USER"), setting("SMTP_PASSWORD")
    starttls = str(setting("SMTP_STARTTLS", "0")).lower() in {"1", "true", "yes", "on"}
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if starttls:
            smtp.starttls()
        if user:
            smtp.login(user, password or "")
        for reminder in reminders:
            try:
                smtp.send_message(compose(reminder, on))
            except smtplib.SMTPException:
                run.failed += 1
                current_app.logger.warning("reminder to employee %s failed", reminder.employee.id)
                continue
            for row in reminder.rows:
                row.reminded_due_on = row.due_on
            audit.record(
                "course.reminder_sent", "employee", reminder.employee.id, courses=len(reminder.rows)
            )
            db.session.commit()  # one by one: a failure later never re-sends these
            run.sent += 1
    return run
