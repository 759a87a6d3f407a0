"""Watched progress: merged reports, refusals, completion, signals, resume, quality, progress_for."""

import json
import re
from datetime import timedelta

import pytest

from app.core.database import AUTOCOMMIT_BIND
from app.core.signals import learning_item_completed, learning_item_started
from app.videos import service
from app.videos.models import VideoProgress, ViewingSession
from tests.factories import login, make_employee


@pytest.fixture
def signals():
    received = []

    def on_started(sender, **kwargs):
        received.append(("started", kwargs))

    def on_completed(sender, **kwargs):
        received.append(("completed", kwargs))

    learning_item_started.connect(on_started)
    learning_item_completed.connect(on_completed)
    yield received
    learning_item_started.disconnect(on_started)
    learning_item_completed.disconnect(on_completed)


def later(viewing, seconds):
    return viewing.started_at + timedelta(seconds=seconds)


def test_reports_merge_into_a_union_and_are_idempotent(app, db, published, signals):
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    first = service.record_report(person.id, viewing.token, [[0, 0.5]], 0.5, now=later(viewing, 1))
    assert first.watched_seconds == pytest.approx(0.5) and not first.completed
    again = service.record_report(person.id, viewing.token, [[0, 0.5]], 0.5, now=later(viewing, 2))
    assert again.added_seconds == 0 and again.watched_seconds == pytest.approx(0.5)
    both = service.record_report(
        person.id, viewing.token, [[0, 0.5], [0.25, 0.9]], 0.9, now=later(viewing, 3)
    )
    assert both.watched_seconds == pytest.approx(0.9)
    row = service.progress_row(person.id, published)
    assert row.intervals == [[0.0, 0.9]] and row.position == pytest.approx(0.9)
    assert [kind for kind, _ in signals] == ["started"]
    assert signals[0][1] == {
        "employee_id": person.id,
        "kind": "video",
        "slug": "tax-desk-roleplay",
        "version": 1,
    }


def test_skipping_to_the_end_does_not_complete(app, db, published, signals):
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    duration = published.duration
    outcome = service.record_report(
        person.id,
        viewing.token,
        [[0, 0.2], [duration - 0.2, duration]],
        duration,
        now=later(viewing, 30),
    )
    assert outcome.fraction == pytest.approx(0.4 / duration) and not outcome.completed
    assert [kind for kind, _ in signals] == ["started"]


def test_watching_past_the_threshold_completes_once_and_only_forward(app, db, published, signals):
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    threshold = 0.8 * published.duration  # the video.yaml's completion_threshold
    below = service.record_report(
        person.id, viewing.token, [[0, threshold - 0.1]], 1, now=later(viewing, 30)
    )
    assert not below.completed
    done = service.record_report(
        person.id, viewing.token, [[0, threshold + 0.05]], 1, now=later(viewing, 31)
    )
    assert done.completed and done.newly_completed
    again = service.record_report(
        person.id, viewing.token, [[0, published.duration]], 0, now=later(viewing, 32)
    )
    assert again.completed and not again.newly_completed
    assert [kind for kind, _ in signals] == ["started", "completed"]
    row = service.progress_row(person.id, published)
    assert row.completed_at is not None and row.completed_version == 1
    assert service.progress_for(person.id, ["tax-desk-roleplay", "no-such-video"]) == {
        "tax-desk-roleplay": 1.0
    }


def test_default_threshold_is_ninety_percent(app, db, published):
    published.completion_threshold = None
    db.session.commit()
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    d = published.duration
    assert not service.record_report(
        person.id, viewing.token, [[0, 0.89 * d]], 0, now=later(viewing, 30)
    ).completed
    assert service.record_report(
        person.id, viewing.token, [[0, 0.9 * d]], 0, now=later(viewing, 30)
    ).completed


def test_more_than_double_speed_is_refused(app, db, published):
    app.config["VIDEO_REPORT_SLACK_SECONDS"] = 0.0
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    with pytest.raises(service.ReportRejected) as caught:
        service.record_report(person.id, viewing.token, [[0, 1.5]], 1.5, now=later(viewing, 0.5))
    assert caught.value.code == "too_fast"
    assert service.progress_row(person.id, published) is None  # nothing stored
    ok = service.record_report(person.id, viewing.token, [[0, 1.0]], 1.0, now=later(viewing, 0.5))
    assert ok.watched_seconds == pytest.approx(1.0)
    with pytest.raises(service.ReportRejected):  # the 1 s credited already used up the budget
        service.record_report(person.id, viewing.token, [[0, 1.6]], 1.6, now=later(viewing, 0.6))
    row = service.progress_row(person.id, published)
    assert row.credited_until == later(viewing, 0.5) and row.watched_seconds == pytest.approx(1.0)
    assert row.reports == 1  # the refused reports wrote nothing


def test_pages_open_at_once_share_one_budget(app, db, published):
    app.config["VIDEO_REPORT_SLACK_SECONDS"] = 0.0
    person = make_employee()
    first = service.start_viewing(person.id, published)
    second = service.start_viewing(person.id, published)
    second.started_at = first.started_at
    db.session.commit()
    at = later(first, 0.5)  # time for 1 s at double speed, on either page
    service.record_report(person.id, first.token, [[0, 1.0]], 1.0, now=at)
    with pytest.raises(service.ReportRejected) as caught:
        service.record_report(person.id, second.token, [[1.0, 1.5]], 1.5, now=at)
    assert caught.value.code == "too_fast"
    # a page opened later starts its own count from its opening, idle time is not banked
    third = service.start_viewing(person.id, published)
    third.started_at = later(first, 10)
    db.session.commit()
    with pytest.raises(service.ReportRejected):
        service.record_report(person.id, third.token, [[0, 1.5]], 1.5, now=later(first, 10.2))
    done = service.record_report(person.id, third.token, [[0, 1.5]], 1.5, now=later(first, 10.25))
    assert done.watched_seconds == pytest.approx(1.5)


def test_a_report_overtaken_by_another_is_merged_again(app, db, published, monkeypatch):
    """Two pages report at once: the write that finds the row changed merges on top of it."""
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    service.record_report(person.id, viewing.token, [[0, 0.5]], 0.5, now=later(viewing, 30))
    record_once = service._record_once
    calls = []

    def overtaken_once(employee_id, token, raw_ranges, position, now, found=None):
        if not calls:  # this report reads, another page's report lands, this one writes
            calls.append(1)
            found = db.session.execute(service._report_statements()["read"], {"token": token})
            found = found.first()
            db.session.rollback()
            service.record_report(employee_id, token, [[1.0, 1.5]], 1.5, now=now)
            values = {
                "intervals": [[0, 0.5], [1.2, 1.3]],
                "watched_seconds": 0.6,
                "version": found.video_version,
                "position": 0.7,
                "updated_at": now,
                "credited_until": now,
                "completed_at": None,
                "completed_version": None,
            }
            service._write(found, employee_id, values, now)  # raises: the row has moved on
        return record_once(employee_id, token, raw_ranges, position, now, found)

    monkeypatch.setattr(service, "_record_once", overtaken_once)
    outcome = service.record_report(
        person.id, viewing.token, [[0, 0.9]], 0.9, now=later(viewing, 31)
    )
    assert outcome.watched_seconds == pytest.approx(1.4)
    row = service.progress_row(person.id, published)  # the stale write changed nothing
    assert calls == [1] and row.intervals == [[0.0, 0.9], [1.0, 1.5]] and row.reports == 3


@pytest.mark.parametrize("ranges", [[[-1, 1]], [[1, 0.5]], [[0, 60]], "nonsense"])
def test_impossible_ranges_are_refused(app, db, published, ranges):
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    with pytest.raises(service.ReportRejected):
        service.record_report(person.id, viewing.token, ranges, 0, now=later(viewing, 60))


def test_someone_elses_session_is_refused(app, db, published):
    owner, other = make_employee(), make_employee()
    viewing = service.start_viewing(owner.id, published)
    with pytest.raises(service.ReportRejected) as caught:
        service.record_report(other.id, viewing.token, [[0, 1]], 1, now=later(viewing, 5))
    assert caught.value.code == "session"


# --- over HTTP ------------------------------------------------------------------------------


def page_session(html: str) -> str:
    return re.search(r'data-session="([^"]+)"', html).group(1)


def test_player_page_reports_over_http_and_survives_a_second_browser(app, client, db, published):
    person = make_employee()
    login(client, person)
    page = client.get("/videos/tax-desk-roleplay").get_data(as_text=True)
    assert '<track kind="captions" srclang="ja"' in page and " default>" in page
    assert 'data-src-360="/videos/media/tax-desk-roleplay/v1/360.mp4"' in page
    token = page_session(page)
    # an immediate claim of the whole video is impossible (0 s of wall-clock time)
    app.config["VIDEO_REPORT_SLACK_SECONDS"] = 0.5
    refused = client.post(
        "/videos/tax-desk-roleplay/progress",
        data={"session": token, "ranges": json.dumps([[0, published.duration]]), "position": "2"},
    )
    assert refused.status_code == 422 and refused.get_json() == {"error": "too_fast"}
    viewing = db.session.scalar(db.select(ViewingSession).where(ViewingSession.token == token))
    viewing.started_at -= timedelta(seconds=10)
    db.session.commit()
    response = client.post(
        "/videos/tax-desk-roleplay/progress",
        data={"session": token, "ranges": json.dumps([[0, 1.0]]), "position": "1.0"},
    )
    assert response.status_code == 200
    assert response.get_json()["percent"] == 50 and response.get_json()["completed"] is False

    second = app.test_client()
    login(second, person)
    again = second.get("/videos/tax-desk-roleplay").get_data(as_text=True)
    assert 'value="50"' in again and "視聴済み: 50%" in again
    assert 'data-resume="1.000"' in again
    listing = second.get("/videos/").get_data(as_text=True)
    assert "納税相談の窓口で" in listing and "視聴済み 50%" in listing


def test_report_with_bad_json_is_400(client, published):
    login(client, make_employee())
    response = client.post(
        "/videos/tax-desk-roleplay/progress", data={"session": "x", "ranges": "[[0,"}
    )
    assert response.status_code == 400


def test_quality_choice_is_remembered_on_the_server(app, client, published):
    person = make_employee()
    login(client, person)
    assert 'src="/videos/media/tax-desk-roleplay/v1/720.mp4"' in client.get(
        "/videos/tax-desk-roleplay"
    ).get_data(as_text=True)
    response = client.post(
        "/videos/quality", data={"quality": "360"}, headers={"Accept": "application/json"}
    )
    assert response.get_json() == {"quality": "360"}
    other = app.test_client()
    login(other, person)
    assert 'src="/videos/media/tax-desk-roleplay/v1/360.mp4"' in other.get(
        "/videos/tax-desk-roleplay"
    ).get_data(as_text=True)
    # without JavaScript the form posts and comes back
    back = client.post(
        "/videos/quality", data={"quality": "720", "next": "/videos/tax-desk-roleplay"}
    )
    assert back.status_code == 302 and back.headers["Location"] == "/videos/tax-desk-roleplay"
    assert client.post("/videos/quality", data={"quality": "4k"}).status_code == 400


def test_unpublished_or_unknown_videos_are_404(client, db):
    login(client, make_employee())
    assert client.get("/videos/no-such-video").status_code == 404


def test_a_new_version_starts_a_fresh_union_but_keeps_the_completion(app, db, published):
    person = make_employee()
    viewing = service.start_viewing(person.id, published)
    service.record_report(
        person.id, viewing.token, [[0, published.duration]], 0, now=later(viewing, 60)
    )
    published.version = 2  # as if a new source was published
    db.session.commit()
    fresh = service.start_viewing(person.id, published)
    with pytest.raises(service.ReportRejected):  # the old page's session is stale
        service.record_report(person.id, viewing.token, [[0, 1]], 0, now=later(viewing, 61))
    outcome = service.record_report(person.id, fresh.token, [[0, 0.5]], 0, now=later(fresh, 60))
    assert outcome.watched_seconds == pytest.approx(0.5)
    row = db.session.get(VideoProgress, service.progress_row(person.id, published).id)
    assert row.completed_at is not None and row.completed_version == 1
    assert service.progress_for(person.id, ["tax-desk-roleplay"]) == {"tax-desk-roleplay": 1.0}


# --- the report's hot path ------------------------------------------------------------------


def _player_report(client, token: str, end: float):
    """A report as the player sends it: a multipart form (FormData), asking for JSON."""
    return client.post(
        "/videos/tax-desk-roleplay/progress",
        data={"session": token, "ranges": json.dumps([[0, end]]), "position": str(end)},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def _watching(client, db) -> str:
    login(client, make_employee())
    token = page_session(client.get("/videos/tax-desk-roleplay").get_data(as_text=True))
    viewing = db.session.scalar(db.select(ViewingSession).where(ViewingSession.token == token))
    viewing.started_at -= timedelta(seconds=60)  # the page has been open a minute
    db.session.commit()
    return token


def test_a_progress_report_sends_no_cookie(client, db, published):
    token = _watching(client, db)
    for end in (0.5, 1.0, 1.0):
        response = _player_report(client, token, end)
        assert response.status_code == 200
        assert response.headers.getlist("Set-Cookie") == []


def test_a_progress_report_runs_a_pinned_number_of_statements(client, db, published):
    from tests.referrals.test_statement_counts import StatementCounter

    token = _watching(client, db)
    assert _player_report(client, token, 0.5).status_code == 200  # the row exists from now on
    with StatementCounter() as counter:
        response = _player_report(client, token, 1.0)
    assert response.status_code == 200 and response.get_json()["percent"] == 50
    # the signed-in check (employee, generation, active, roles) together with the viewing session,
    # its video and the progress row; one UPDATE of the progress row (union, position and
    # wall-clock budget together)
    assert counter.count == 2
    # both on the autocommit connection: the UPDATE is atomic alone, no BEGIN/COMMIT around it
    assert counter.by_engine == {db.engine: 0, db.engines[AUTOCOMMIT_BIND]: 2}
    db.session.expire_all()
    assert _progress_row_of(db, _employee_of(db, token).id).watched_seconds == pytest.approx(1.0)


def test_a_completing_report_and_its_course_commit_together(client, db, published):
    """Only a report that merely moves the union on is a statement of its own: one that
    completes the video tells the courses in the same transaction, so a failing receiver
    leaves the row as it was and the next report completes it."""
    token = _watching(client, db)
    assert _player_report(client, token, 0.5).status_code == 200  # creates the row (started)
    assert _player_report(client, token, 1.0).status_code == 200  # moves it on

    def broken(sender, **kwargs):
        raise RuntimeError("the course tables are unavailable")

    learning_item_completed.connect(broken)
    try:
        failed = _player_report(client, token, 2.0)
    finally:
        learning_item_completed.disconnect(broken)
    assert failed.status_code == 503
    assert failed.get_json()["error"] == "progress_not_recorded"
    db.session.expire_all()
    row = _progress_row_of(db, _employee_of(db, token).id)
    assert row.watched_seconds == pytest.approx(1.0) and row.reports == 2
    assert row.completed_at is None
    assert _player_report(client, token, 2.0).get_json()["completed"] is True


def test_a_connection_the_server_dropped_costs_no_report(client, db, published):
    """The autocommit engine does not ping a pooled connection: a dropped one (a server
    restart, a firewall's idle timeout) fails the first read, which runs again on a new one."""
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        pytest.skip("only a database server drops a pooled connection")
    token = _watching(client, db)
    assert _player_report(client, token, 0.5).status_code == 200
    engine = db.engines[AUTOCOMMIT_BIND]
    assert engine.pool.checkedin() == 1  # the report's connection, back in its pool
    with engine.connect() as pooled:
        pid = pooled.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.session.commit()

    response = _player_report(client, token, 1.0)
    assert response.status_code == 200 and response.get_json()["percent"] == 50
    with engine.connect() as pooled:
        assert pooled.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid


# --- the report's light sign-in check -------------------------------------------------------


def _progress_row_of(db, employee_id):
    return db.session.scalar(
        db.select(VideoProgress).where(VideoProgress.employee_id == employee_id)
    )


def _employee_of(db, token):
    from app.accounts.models import Employee

    viewing = db.session.scalar(db.select(ViewingSession).where(ViewingSession.token == token))
    return db.session.get(Employee, viewing.employee_id)


def test_a_deactivated_employees_report_is_refused(client, db, published):
    token = _watching(client, db)
    assert _player_report(client, token, 0.5).status_code == 200
    employee = _employee_of(db, token)
    employee.active = False
    db.session.commit()
    refused = _player_report(client, token, 1.0)
    assert refused.status_code == 401 and refused.get_json() == {"error": "signed_out"}
    db.session.expire_all()
    assert _progress_row_of(db, employee.id).watched_seconds == pytest.approx(0.5)


def test_an_ended_sessions_report_is_refused(client, db, published):
    from app.accounts import service as accounts_service

    token = _watching(client, db)
    employee = _employee_of(db, token)
    accounts_service.end_sessions(employee)  # signed out elsewhere, password changed …
    db.session.commit()
    refused = _player_report(client, token, 1.0)
    assert refused.status_code == 401
    assert _progress_row_of(db, employee.id) is None


def test_a_session_past_its_lifetime_cannot_report(app, client, db, published):
    token = _watching(client, db)
    with client.session_transaction() as session:
        session["signed_in_at"] -= app.config["SESSION_MAX_HOURS"] * 3600 + 1
    assert _player_report(client, token, 1.0).status_code == 401
    assert _progress_row_of(db, _employee_of(db, token).id) is None


def test_a_report_with_another_employees_session_touches_nothing(app, client, db, published):
    owner = make_employee()
    viewing = service.start_viewing(owner.id, published)
    service.record_report(owner.id, viewing.token, [[0, 0.5]], 0.5, now=later(viewing, 30))
    _watching(client, db)  # someone else, signed in, sends the owner's viewing session
    response = _player_report(client, viewing.token, 2.0)
    assert response.status_code == 409 and response.get_json() == {"error": "session"}
    db.session.expire_all()
    row = _progress_row_of(db, owner.id)
    assert row.intervals == [[0.0, 0.5]] and row.reports == 1


def test_the_permission_policy_still_governs_the_light_path(client, db, published):
    """A partner agency's account is not a learner: the same decorator refuses it."""
    from app.core.permissions import Role

    token = _watching(client, db)
    partner = make_employee(roles=[Role.PARTNER])
    second = client.application.test_client()
    login(second, partner)
    refused = _player_report(second, token, 1.0)
    assert refused.status_code == 403
    assert _progress_row_of(db, _employee_of(db, token).id) is None


def test_a_report_without_a_session_is_refused(client, db, published):
    token = _watching(client, db)
    stranger = client.application.test_client()  # no session cookie at all
    assert _player_report(stranger, token, 1.0).status_code == 401
    assert _progress_row_of(db, _employee_of(db, token).id) is None
