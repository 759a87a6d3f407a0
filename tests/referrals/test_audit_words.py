"""The 相談室's audit log in words: records by their reference numbers, actions and details in
Japanese, searchable by R-/C- numbers, paged, with a statement count that does not grow with
the page."""

import re

from sqlalchemy import event

from app.core import audit
from app.extensions import db as _db
from app.referrals import cases, service
from tests.factories import login
from tests.referrals.helpers import make_referral, office_staff


def _page(client, **params) -> str:
    return client.get("/consultation/audit", query_string=params).get_data(as_text=True)


def _events_table(html: str) -> str:
    return html[html.index('id="audit-events"') : html.index("</table>")]


def _story(client):
    worker, other = office_staff(2)
    referral = make_referral()
    case = service.triage(
        referral, "accept", "介護負担のため", lead_worker_id=worker.id, actor_id=worker.id
    )
    cases.record_entry(case, "visit", "訪問した", service.today(), actor_id=worker.id)
    _db.session.commit()
    unrelated = make_referral()
    login(client, worker)
    client.get(f"/consultation/cases/{case.id}")
    client.get(f"/consultation/referrals/{unrelated.id}")
    return worker, referral, case, unrelated


def test_entries_name_the_reference_and_say_what_happened(client, db):
    worker, referral, case, unrelated = _story(client)
    table = _events_table(_page(client))
    assert referral.reference in table and case.reference in table and unrelated.reference in table
    for words in ("つなぎの送信", "対応方針の判断", "ケース開始", "支援経過の記録", "ケースの閲覧"):
        assert words in table, words
    assert "対応方針: 新規ケースとして受理" in table and "ケース: " + case.reference in table
    assert "家庭訪問" in table and f"主担当: {worker.name}（{worker.staff_number}）" in table
    # Nothing of the database: no table names, no #ids, no JSON, no action codes.
    assert not re.search(r"support_case|referral #|#\d|[{}]|\w+\.\w+_\w+|\bcase\.\w+", table)


def test_search_by_referral_number_shows_it_with_its_case(client, db):
    _worker, referral, case, unrelated = _story(client)
    table = _events_table(_page(client, reference=referral.reference))
    assert "つなぎの送信" in table and "ケースの閲覧" in table and "支援経過の記録" in table
    assert unrelated.reference not in table
    # Typed loosely: lower case, no zero padding.
    year, number = referral.reference.split("-")[1:]
    assert _events_table(_page(client, reference=f" r-{year}-{int(number)} ")) == table


def test_search_by_case_number_shows_its_referrals_too(client, db):
    _worker, referral, case, unrelated = _story(client)
    table = _events_table(_page(client, reference=case.reference))
    assert "ケース開始" in table and referral.reference in table and "つなぎの送信" in table
    assert unrelated.reference not in table


def test_an_unknown_number_says_so(client, db):
    _story(client)
    html = _page(client, reference="R-2026-9999")
    assert "R-2026-9999 という受付番号・ケース番号は見つかりません" in html
    assert (
        "記録はありません" in _events_table(html)
        or "No events" in _events_table(html)
        or "<td colspan" in _events_table(html)
    )
    assert "つなぎの送信" not in _events_table(html)


def test_the_log_is_paged_and_keeps_the_search(client, db):
    _worker, referral, _case, _unrelated = _story(client)
    for _ in range(105):
        audit.record("referral.viewed", "referral", referral.id)
    _db.session.commit()
    first = _page(client, reference=referral.reference)
    assert _events_table(first).count("<tr>") == 1 + 100  # header row + one page
    assert f"reference={referral.reference}" in first and "page=2" in first
    second = _events_table(_page(client, reference=referral.reference, page=2))
    assert "つなぎの送信" in second  # the oldest event is on the last page


def test_statements_do_not_grow_with_the_rows(client, db):
    _worker, referral, case, _unrelated = _story(client)

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            _page(client)
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
        return seen

    few = statements()
    # session user, page count, page, referrals, cases, employees, the view's own audit row (+ commit)
    assert len(few) <= 9, few
    for _ in range(60):
        other = make_referral()
        audit.record("referral.viewed", "referral", other.id)
        audit.record("case.entry_added", "support_case", case.id, kind="contact")
    _db.session.commit()
    after = statements()
    assert len(after) == len(few)
