"""The fiscal-year figures of the 重層的支援体制整備事業 (April–March, labelled in 和暦).

Only codes, dates and ids are read — nothing encrypted is decrypted — and each table comes
from one aggregate statement, so the report costs the same at 50 cases as at 5,000. The
screen and the XLSX file are drawn from the same ``Table`` objects, so they show the same
numbers.

Counting rules (the notes on the page say the same):
- a referral belongs to the fiscal year of the day it was sent (city time: a referral at
  23:30 on 3月31日 is the old year's, one at 0:10 on 4月1日 the new year's);
- a new case was opened in the year; a continuing case was opened before the year and not
  closed before it began; cases supported = new + continuing;
- open cases and long cases (open longer than ``PROGRAMME_LONG_CASE_MONTHS``) are counted at
  the end of the year, or today while the year is running;
- meetings count when held in the year up to today; a meeting counts as a 支援会議 when at
  least one case was discussed there under 社会福祉法第106条の6 (without the resident's consent).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, not_, or_, select

from app.accounts.models import Department
from app.casework.models import CaseReview, FollowUpCheck, ProposalOutcome, Readiness
from app.core import audit, clock
from app.core.wareki import (
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_end,
    fiscal_year_label,
    wareki_date,
)
from app.extensions import db
from app.referrals.choices import CLOSURE_REASONS
from app.referrals.models import (
    CaseAgency,
    CaseEntry,
    CaseStatus,
    Meeting,
    MeetingItem,
    Referral,
    ReferralStatus,
    SupportCase,
)

# --- dates: the one place this area reads the clock -------------------------------------------


def today() -> date:
    """The city-hall date."""
    return clock.today()


def utc_start(day: date) -> datetime:
    """Stored timestamps are naive UTC: the instant local midnight begins ``day``."""
    return clock.day_start(day)


def local_date(stamp: datetime) -> date:
    return clock.local_date(stamp)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- routes of a referral ---------------------------------------------------------------------

ROUTES = {
    "consent": _l("Referred with the resident's consent"),
    "anonymous": _l("Consultation without identifying the resident"),
    "notification": _l("Notification under a duty (abuse, violence, danger to life)"),
    "other": _l("Other or not recorded"),
}
NOTIFICATION_BASES = frozenset({"child_abuse", "elder_abuse", "dv", "life_risk"})
OUTCOMES = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.LINKED,
    ReferralStatus.REDIRECTED,
    ReferralStatus.INFO_ONLY,
    ReferralStatus.NEW,
)


def route_of(legal_basis: str | None) -> str:
    if legal_basis in ("consent", "anonymous"):
        return legal_basis
    if legal_basis in NOTIFICATION_BASES:
        return "notification"
    return "other"


def outcome_labels() -> dict[str, str]:
    return {
        "accepted": _("Accepted as a new case"),
        "linked": _("Linked to an existing case"),
        "redirected": _("Redirected to another agency"),
        "info_only": _("Information only"),
        "new": _("Not yet triaged"),
    }


# --- the report -------------------------------------------------------------------------------


@dataclass
class Table:
    """One table of the report, shown on screen and written as one XLSX sheet."""

    key: str
    sheet: str  # the XLSX sheet's name (at most 31 characters)
    title: str
    header: list[str]
    rows: list[list]
    footer: list | None = None
    note: str = ""
    label_columns: int = 1  # leading columns that name the row (the rest are numbers)

    def value(self, row_label: str, column: str):
        """A number by its row's first cell and its column's heading (for tests and checks)."""
        col = self.header.index(column)
        for row in [*self.rows, *([self.footer] if self.footer else [])]:
            if row[0] == row_label:
                return row[col]
        raise KeyError(row_label)


@dataclass
class FiscalYearReport:
    fy: int
    label: str
    start: date
    end: date  # the last day, inclusive
    as_of: date  # stocks (open, long) are counted at the end of this day
    complete: bool  # the year has ended
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def available_years(on: date | None = None) -> list[int]:
    """Fiscal years from the first referral or case to the current one, newest first."""
    on = on or today()
    current = fiscal_year(on)
    first_referral = db.session.scalar(select(func.min(Referral.created_at)))
    first_case = db.session.scalar(select(func.min(SupportCase.opened_at)))
    firsts = [fiscal_year(local_date(t)) for t in (first_referral, first_case) if t is not None]
    first = min(firsts + [current])
    return list(range(current, first - 1, -1))


def fiscal_year_report(fy: int, locale: str = "ja", on: date | None = None) -> FiscalYearReport:
    on = on or today()
    start, end_exclusive = fiscal_year_bounds(fy)
    last_day = fiscal_year_end(fy)
    as_of = min(last_day, on)
    report = FiscalYearReport(
        fy, fiscal_year_label(fy), start, last_day, as_of, complete=on > last_day
    )
    referral_rows = _referral_counts(start, end_exclusive)
    cases = _case_counts(start, end_exclusive, as_of)
    closures = _closures(start, end_exclusive)
    meetings = _meeting_counts(start, end_exclusive, as_of)
    activity = _activity_counts(start, end_exclusive)
    report.tables = [
        _summary_table(referral_rows, cases, closures, meetings, activity, as_of),
        _routes_table(referral_rows),
        _departments_table(referral_rows, locale),
        _cases_table(cases, closures, activity, meetings, as_of),
        _meetings_table(meetings),
        _closures_table(closures),
    ]
    return report


def _referral_counts(start: date, end: date) -> list[tuple[str | None, int | None, str, int]]:
    """(legal basis, source department, status, count) of the referrals sent in [start, end)."""
    stmt = (
        select(
            Referral.legal_basis,
            Referral.source_department_id,
            Referral.status,
            func.count(Referral.id),
        )
        .where(Referral.created_at >= utc_start(start), Referral.created_at < utc_start(end))
        .group_by(Referral.legal_basis, Referral.source_department_id, Referral.status)
    )
    return [(basis, dept, status, int(n)) for basis, dept, status, n in db.session.execute(stmt)]


def _case_counts(start: date, end: date, as_of: date) -> dict[str, int]:
    S, E = utc_start(start), utc_start(end)
    C = utc_start(as_of + timedelta(days=1))
    long_before = utc_start(
        months_before(as_of + timedelta(days=1), current_app.config["PROGRAMME_LONG_CASE_MONTHS"])
    )

    def closed_before(t):
        return and_(SupportCase.closed_at.is_not(None), SupportCase.closed_at < t)

    new = and_(SupportCase.opened_at >= S, SupportCase.opened_at < E)
    continuing = and_(SupportCase.opened_at < S, not_(closed_before(S)))
    open_at = and_(SupportCase.opened_at < C, not_(closed_before(C)))
    conditions = {
        "new": new,
        "continuing": continuing,
        "with_plan": and_(or_(new, continuing), SupportCase.plan_goal.is_not(None)),
        "open_at_end": open_at,
        "long_at_end": and_(open_at, SupportCase.opened_at < long_before),
        "reached_new": and_(new, SupportCase.first_contact_at.is_not(None)),
    }
    columns = [
        func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
        for condition in conditions.values()
    ]
    values = db.session.execute(select(*columns).select_from(SupportCase)).one()
    counts = {key: int(v or 0) for key, v in zip(conditions, values, strict=True)}
    counts["supported"] = counts["new"] + counts["continuing"]
    return counts


@dataclass
class Closures:
    by_reason: Counter
    long: int  # of them, open longer than the long-case threshold when closed

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())


def _closures(start: date, end: date) -> Closures:
    rows = db.session.execute(
        select(SupportCase.closure_reason, SupportCase.opened_at, SupportCase.closed_at).where(
            SupportCase.status == CaseStatus.CLOSED,
            SupportCase.closed_at >= utc_start(start),
            SupportCase.closed_at < utc_start(end),
        )
    ).all()
    months = current_app.config["PROGRAMME_LONG_CASE_MONTHS"]
    long = sum(
        1
        for _r, opened, closed in rows
        if local_date(opened) < months_before(local_date(closed), months)
    )
    return Closures(Counter(reason or "" for reason, _o, _c in rows), long)


def _meeting_counts(start: date, end: date, as_of: date) -> dict[str, int]:
    in_year = and_(Meeting.held_on >= start, Meeting.held_on < end, Meeting.held_on <= as_of)
    held = db.session.scalar(select(func.count(Meeting.id)).where(in_year)) or 0
    items = db.session.execute(
        select(
            func.count(func.distinct(MeetingItem.meeting_id)).filter(
                MeetingItem.legal_basis == "support_meeting"
            ),
            func.count(MeetingItem.id).filter(MeetingItem.decided_at.is_not(None)),
            func.count(func.distinct(MeetingItem.case_id)).filter(
                MeetingItem.decided_at.is_not(None)
            ),
            func.count(MeetingItem.id).filter(MeetingItem.legal_basis == "support_meeting"),
        )
        .join(Meeting, Meeting.id == MeetingItem.meeting_id)
        .where(in_year)
    ).one()
    proposals = db.session.execute(
        select(
            func.count(CaseReview.id),
            func.count(CaseReview.id).filter(CaseReview.outcome == ProposalOutcome.CLOSED),
        ).where(
            CaseReview.readiness == Readiness.READY,
            CaseReview.reviewed_on >= start,
            CaseReview.reviewed_on < end,
        )
    ).one()
    checks = db.session.scalar(
        select(func.count(FollowUpCheck.id)).where(
            FollowUpCheck.done_at >= utc_start(start), FollowUpCheck.done_at < utc_start(end)
        )
    )
    return {
        "held": int(held),
        "support_meetings": int(items[0] or 0),
        "decisions": int(items[1] or 0),
        "cases_discussed": int(items[2] or 0),
        "support_meeting_decisions": int(items[3] or 0),
        "proposals": int(proposals[0] or 0),
        "proposals_closed": int(proposals[1] or 0),
        "follow_up_checks": int(checks or 0),
    }


def _activity_counts(start: date, end: date) -> dict[str, int]:
    rows = db.session.execute(
        select(CaseEntry.kind, func.count(CaseEntry.id))
        .where(
            CaseEntry.occurred_on >= start,
            CaseEntry.occurred_on < end,
            CaseEntry.kind.in_(("contact", "visit", "review", "meeting_decision")),
        )
        .group_by(CaseEntry.kind)
    ).all()
    counts = Counter({kind: int(n) for kind, n in rows})
    # Contacts, visits and notes the partner agencies recorded themselves (app/partners).
    counts["by_partners"] = int(
        db.session.scalar(
            select(func.count(CaseEntry.id)).where(
                CaseEntry.occurred_on >= start,
                CaseEntry.occurred_on < end,
                CaseEntry.agency_id.is_not(None),
            )
        )
        or 0
    )
    counts["agencies"] = int(
        db.session.scalar(
            select(func.count(func.distinct(CaseAgency.name)))
            .join(SupportCase, SupportCase.id == CaseAgency.case_id)
            .where(
                CaseAgency.added_at < utc_start(end),
                or_(CaseAgency.ended_at.is_(None), CaseAgency.ended_at >= utc_start(start)),
            )
        )
        or 0
    )
    return counts


# --- tables -----------------------------------------------------------------------------------


def _summary_table(
    referral_rows, cases, closures: Closures, meetings, activity, as_of: date
) -> Table:
    routes = Counter()
    for basis, _dept, _status, n in referral_rows:
        routes[route_of(basis)] += n
    rows = [
        [_("Referrals and consultations received"), sum(routes.values())],
        [_("of which consultations without identifying the resident"), routes["anonymous"]],
        [_("Cases supported"), cases["supported"]],
        [_("New cases"), cases["new"]],
        [_("Continuing cases (from earlier years)"), cases["continuing"]],
        [_("Cases with a support plan"), cases["with_plan"]],
        [_("Contacts and home visits"), activity["contact"] + activity["visit"]],
        [_("Coordination meetings held (支援調整会議)"), meetings["held"]],
        [_("of which held as a support meeting (支援会議)"), meetings["support_meetings"]],
        [_("Cases closed"), closures.total],
        [_("Open cases at %(day)s", day=wareki_date(as_of)), cases["open_at_end"]],
        [_("Long cases at %(day)s", day=wareki_date(as_of)), cases["long_at_end"]],
    ]
    return Table("summary", _("Summary"), _("Summary"), [_("Item"), _("Number")], rows)


def _routes_table(referral_rows) -> Table:
    labels = outcome_labels()
    counts: dict[str, Counter] = {route: Counter() for route in ROUTES}
    for basis, _dept, status, n in referral_rows:
        counts[route_of(basis)][status if status in OUTCOMES else ReferralStatus.NEW] += n
    rows = []
    for route, label in ROUTES.items():
        c = counts[route]
        if route == "other" and not sum(c.values()):
            continue
        rows.append([str(label), sum(c.values()), *[c[o] for o in OUTCOMES]])
    footer = [_("Total"), *[sum(r[i] for r in rows) for i in range(1, len(OUTCOMES) + 2)]]
    return Table(
        "routes",
        _("By route"),
        _("Referrals and consultations by route and outcome"),
        [_("Route"), _("Number received"), *[labels[o] for o in OUTCOMES]],
        rows,
        footer,
        _(
            "The route is the basis the referring desk recorded: the resident's consent, a consultation "
            "that does not identify the resident, or a duty to notify that overrides consent."
        ),
    )


def _departments_table(referral_rows, locale: str) -> Table:
    per_department: dict[int | None, Counter] = {}
    for basis, dept, _status, n in referral_rows:
        per_department.setdefault(dept, Counter())[route_of(basis)] += n
    ids = [d for d in per_department if d is not None]
    departments = {
        d.id: d
        for d in db.session.scalars(select(Department).where(Department.id.in_(ids or [-1])))
    }
    parent_ids = {d.parent_id for d in departments.values() if d.parent_id} - set(departments)
    parents = {
        d.id: d
        for d in db.session.scalars(select(Department).where(Department.id.in_(parent_ids or [-1])))
    }
    parents.update(departments)

    def sort_key(dept_id):
        d = departments.get(dept_id)
        if d is None:
            return (1, 0, 0, "")
        parent = parents.get(d.parent_id) if d.parent_id else None
        return (0, parent.sort_order if parent else d.sort_order, d.sort_order, d.code)

    rows = []
    for dept_id in sorted(per_department, key=sort_key):
        d = departments.get(dept_id)
        parent = parents.get(d.parent_id) if d is not None and d.parent_id else None
        division = (
            parent.display_name(locale)
            if parent
            else (d.display_name(locale) if d else _("Not recorded"))
        )
        section = d.display_name(locale) if d is not None and parent else ""
        c = per_department[dept_id]
        rows.append(
            [division, section, sum(c.values()), c["consent"], c["anonymous"], c["notification"]]
        )
    footer = [_("Total"), "", *[sum(r[i] for r in rows) for i in range(2, 6)]]
    return Table(
        "departments",
        _("By department"),
        _("Referrals and consultations by source department"),
        [
            _("Division (部)"),
            _("Section (課)"),
            _("Number received"),
            _("With consent"),
            _("Without identifying the resident"),
            _("Notifications"),
        ],
        rows,
        footer,
        _("The department is the referring employee's department on the day of the referral."),
        2,
    )


def _cases_table(cases, closures: Closures, activity, meetings, as_of: date) -> Table:
    months = current_app.config["PROGRAMME_LONG_CASE_MONTHS"]
    rows = [
        [_("New cases"), cases["new"]],
        [_("of which the resident was reached"), cases["reached_new"]],
        [_("Continuing cases (from earlier years)"), cases["continuing"]],
        [_("Cases supported"), cases["supported"]],
        [_("Cases with a support plan"), cases["with_plan"]],
        [_("Contacts with the resident"), activity["contact"]],
        [_("Home visits"), activity["visit"]],
        [_("Entries recorded by partner agencies"), activity["by_partners"]],
        [_("Agencies with a role in a case"), activity["agencies"]],
        [
            _("Reviews (by the lead worker or at a meeting)"),
            activity["review"] + activity["meeting_decision"],
        ],
        [_("Cases closed"), closures.total],
        [_("of which long cases (open more than %(n)d months)", n=months), closures.long],
        [_("Checks on closed cases (見守り) carried out"), meetings["follow_up_checks"]],
        [_("Open or paused cases at %(day)s", day=wareki_date(as_of)), cases["open_at_end"]],
        [
            _(
                "Long cases (open more than %(n)d months) at %(day)s",
                n=months,
                day=wareki_date(as_of),
            ),
            cases["long_at_end"],
        ],
    ]
    return Table(
        "cases",
        _("Cases sheet"),
        _("Cases, plans and support"),
        [_("Item"), _("Number")],
        rows,
        None,
        _("A continuing case was opened before the year began and not closed before it."),
    )


def _meetings_table(meetings) -> Table:
    rows = [
        [_("Coordination meetings held (支援調整会議)"), meetings["held"]],
        [_("of which held as a support meeting (支援会議)"), meetings["support_meetings"]],
        [_("Decisions recorded"), meetings["decisions"]],
        [
            _("of which under the support meeting's confidentiality duty"),
            meetings["support_meeting_decisions"],
        ],
        [_("Cases discussed"), meetings["cases_discussed"]],
        [_("Closure proposals (cases found ready to close at a review)"), meetings["proposals"]],
        [_("of which closed by the meeting's decision"), meetings["proposals_closed"]],
    ]
    return Table(
        "meetings",
        _("Meetings sheet"),
        _("Meetings held"),
        [_("Item"), _("Number")],
        rows,
        None,
        _(
            "A meeting counts as a support meeting (社会福祉法第106条の6) when a case without the "
            "resident's consent was discussed there."
        ),
    )  # legal: support-meeting


def _closures_table(closures: Closures) -> Table:
    rows = [
        [str(label), closures.by_reason.get(code, 0)] for code, label in CLOSURE_REASONS.items()
    ]
    unknown = sum(n for code, n in closures.by_reason.items() if code not in CLOSURE_REASONS)
    if unknown:
        rows.append([_("Other or not recorded"), unknown])
    return Table(
        "closures",
        _("Closures"),
        _("Closures by reason"),
        [_("Closure reason"), _("Number of cases")],
        rows,
        [_("Total"), closures.total],
    )


# --- audit ------------------------------------------------------------------------------------


def record_view(action: str, **detail) -> None:
    """Views and exports of the programme's figures are audit-logged (codes only)."""
    audit.record(action, "programme_report", None, **detail)
