"""Video lessons in Chromium: an upload with its live progress bar, and a learner whose watched
percentage counts only what was played (seeking ahead does not count), then completes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.core.permissions import Role
from app.videos import service
from app.videos.models import VideoPreference, VideoProgress
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_employee
from tests.videos.conftest import JA_VTT, make_clip, make_video_folder

LONG_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:12.000\n納税のご相談ですね。どうぞおかけください。\n"

FORCE_REPORT = """() => new Promise((resolve) => {
  const player = document.getElementById('player');
  player.addEventListener('videos:reported', resolve, { once: true });
  player.dispatchEvent(new Event('videos:report'));
})"""


@pytest.fixture
def video_app(app, tmp_path):
    app.config.update(
        MEDIA_ROOT=tmp_path / "media",
        CONTENT_ROOT=tmp_path / "content",
        VIDEO_X264_PRESET="ultrafast",
    )
    return app


def publish_clip(app, tmp_path, slug, title, vtt, *, seconds, size="160x90", rate=15):
    """A generated clip published as ``slug`` with Japanese captions only: (video, folder)."""
    clip = make_clip(tmp_path / f"{slug}.mp4", size=size, seconds=seconds, rate=rate)
    folder = make_video_folder(
        Path(app.config["CONTENT_ROOT"]),
        slug,
        clip,
        captions=False,
        yaml_text=f'title: {{ja: "{title}"}}\n',
    )
    (folder / "captions.ja.vtt").write_text(vtt, encoding="utf-8")
    return service.ingest_path(folder, wait=True), folder


def leave_player(page, db, employee):
    """Leave the player page and wait for its sendBeacon report to reach the server (so that
    no request is still running when the test's database is emptied)."""

    def reports():
        db.session.expire_all()
        return db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(VideoProgress.reports), 0)).where(
                VideoProgress.employee_id == employee.id
            )
        )

    before = reports()
    page.goto("/videos/")
    for _ in range(100):
        if reports() > before:
            break
        page.wait_for_timeout(50)
    assert reports() > before  # the beacon sent on leaving arrived
    settled = reports()
    page.wait_for_timeout(500)
    while reports() != settled:  # an earlier page's beacon may still be arriving
        settled = reports()
        page.wait_for_timeout(500)


def server_progress(db, employee, video):
    db.session.expire_all()
    return service.progress_row(employee.id, service.get_published(video.slug))


def test_content_admin_uploads_and_sees_the_bar_reach_100(
    page, video_app, db, tmp_path, monkeypatch
):
    clip = make_clip(tmp_path / "madoguchi.mp4", size="320x180", seconds=4)
    captions = tmp_path / "captions.vtt"
    captions.write_text(JA_VTT, encoding="utf-8")

    # The conversion runs beside the web server, as the worker thread of `make run` does.
    def in_background(job_id):
        def work():
            with video_app.app_context():
                service.run_job(job_id)
                db.session.remove()

        threading.Thread(target=work, daemon=True).start()

    monkeypatch.setattr("app.videos.tasks.transcode", in_background)
    admin = make_employee(roles=[Role.CONTENT_ADMIN])
    sign_in(page, admin, PASSWORD)
    page.get_by_role("link", name="動画の登録").click()
    assert_accessible(page, "video uploads")
    page.set_input_files("#file", str(clip))
    page.fill("#title_ja", "窓口での声かけ")
    page.set_input_files("#captions_ja", str(captions))
    page.get_by_role("button", name="登録して変換する").click()
    page.wait_for_url("**/videos/admin/jobs/*")
    assert_accessible(page, "conversion progress")
    page.wait_for_function(
        "() => document.getElementById('job-progress').value === 100", timeout=60_000
    )
    assert "完了しました" in page.locator("#job-status").inner_text()
    page.get_by_role("link", name="動画を開く").click()
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    assert page.locator("h1").inner_text() == "窓口での声かけ"
    leave_player(page, db, admin)


def test_learner_watch_progress_counts_only_what_was_played(
    page, browser, live_server, video_app, db, tmp_path
):
    video, _folder = publish_clip(
        video_app, tmp_path, "tax-desk-roleplay", "納税相談の窓口で", LONG_VTT, seconds=12
    )
    assert video.is_published and video.completion_threshold is None

    learner = make_employee()
    sign_in(page, learner, PASSWORD)
    page.get_by_role("link", name="研修動画").click()
    assert_accessible(page, "video list")
    page.get_by_role("link", name="納税相談の窓口で").click()
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    # Japanese captions are on by default
    assert page.evaluate(
        "[...document.getElementById('video').textTracks].map(t => [t.language, t.mode])"
    ) == [["ja", "showing"]]
    assert_accessible(page, "player")

    # 「軽量」 is remembered on the server
    page.get_by_label("軽量（360p）").check()
    page.wait_for_function("() => document.getElementById('video').currentSrc.endsWith('/360.mp4')")
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    for _ in range(50):
        db.session.expire_all()
        if db.session.get(VideoPreference, learner.id) is not None:
            break
        page.wait_for_timeout(100)
    assert db.session.get(VideoPreference, learner.id).quality == "360"

    # Play the first 3 s at double speed from the keyboard, then pause.
    page.evaluate(
        "() => { const v = document.getElementById('video'); v.muted = true; v.playbackRate = 2; }"
    )
    page.locator("#video").focus()
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('video').currentTime >= 3")
    page.keyboard.press("k")
    assert page.evaluate("document.getElementById('video').paused")
    paused_at = page.evaluate("document.getElementById('video').currentTime")
    assert 3 <= paused_at < 8
    # Drag ahead to 9 s and let it play to the end.
    page.evaluate(
        "() => { const v = document.getElementById('video'); v.currentTime = 9; v.play(); }"
    )
    page.wait_for_function("() => document.getElementById('video').ended", timeout=60_000)
    page.evaluate(FORCE_REPORT)

    row = server_progress(db, learner, video)
    # Only 0 → paused_at and 9 → the end were played: the dragged-over middle does not count.
    assert row.watched_seconds == pytest.approx(paused_at + (video.duration - 9), abs=0.3), (
        row.intervals
    )
    assert [round(start) for start, _ in row.intervals] == [0, 9]
    assert row.completed_at is None
    fraction = row.watched_seconds / video.duration
    shown = int(page.locator("#watched-text").get_attribute("data-percent"))
    assert shown == int(fraction * 100)

    page.reload()  # the server's figure survives a reload, and the player comes back in 「軽量」
    assert page.locator("#watched-bar").get_attribute("value") == str(shown)
    assert page.locator("#video").get_attribute("src").endswith("/360.mp4")

    # Watch the skipped middle: now at least 90% is covered.
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    page.evaluate(
        "() => { const v = document.getElementById('video'); v.muted = true; v.playbackRate = 2; v.currentTime = 2.5; v.play(); }"
    )
    page.wait_for_function(
        "() => document.getElementById('video').currentTime >= 9.3", timeout=60_000
    )
    page.evaluate("document.getElementById('video').pause()")
    page.evaluate(FORCE_REPORT)
    assert page.locator("#watched-text").get_attribute("data-completed") == "true"
    assert "視聴完了" in page.locator("#watched-text").inner_text()
    row = server_progress(db, learner, video)
    assert row.completed_at is not None and row.watched_seconds >= 0.9 * video.duration

    page.reload()
    assert "視聴完了" in page.locator("#watched-text").inner_text()
    leave_player(page, db, learner)
    # …and in a second browser
    other = browser.new_context(base_url=live_server.url, locale="ja-JP")
    try:
        second = other.new_page()
        sign_in(second, learner, PASSWORD)
        second.goto(f"/videos/{video.slug}")
        assert "視聴完了" in second.locator("#watched-text").inner_text()
        second.goto("/videos/")
        assert "視聴完了" in second.locator("#video-list").inner_text()
    finally:
        other.close()


SPOKEN_VTT = (
    "WEBVTT\n\n00:00:00.500 --> 00:00:02.500\n<v ナレーション>税務課の収納窓口です。\n\n"
    "00:00:02.500 --> 00:00:04.000\n<v 住民>督促状のことで\n来たんですけど。\n\n"
    "00:00:04.000 --> 00:00:05.500\n<v 住民>今月は、これだけで。\n\n"
    "00:00:05.500 --> 00:00:07.500\n<v 職員>どうぞ、おかけください。\n"
)


def test_the_player_fits_a_1366x768_screen_and_has_a_transcript(
    page, live_server, video_app, db, tmp_path
):
    publish_clip(
        video_app,
        tmp_path,
        "tax-desk-roleplay",
        "納税相談の窓口で",
        SPOKEN_VTT,
        size="1280x720",
        seconds=8,
        rate=10,
    )

    # A 1366×768 screen leaves about 660 px to the page under the browser's own bars.
    page.set_viewport_size({"width": 1366, "height": 660})
    sign_in(page, make_employee(), PASSWORD)
    page.goto("/videos/tax-desk-roleplay")
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    box = page.locator("#video").bounding_box()
    assert box["y"] + box["height"] <= 660, box  # controls and captions sit inside the video's box
    assert box["width"] >= 640

    # The transcript: one paragraph per turn, the speaker named, the wrapped line joined.
    page.locator("#transcript summary").click()
    lines = page.locator(".transcript__lines li").all_inner_texts()
    assert len(lines) == 3
    assert "住民" in lines[1] and "督促状のことで来たんですけど。今月は、これだけで。" in lines[1]
    assert_accessible(page, "player with transcript")
    page.locator(".transcript__lines li").nth(2).get_by_role("button").click()
    assert page.evaluate("document.getElementById('video').currentTime") == pytest.approx(
        5.5, abs=0.3
    )


def test_starter_videos_play_within_a_minute_of_a_fresh_demo_load(page, video_app, db, monkeypatch):
    """`make run` on a fresh machine: `flask demo load`, then the server. The shipped starter
    videos already fit 「標準」, so they are published by stream copy during the load and play
    at once, while their 「軽量」 conversion is still waiting in the queue."""
    from app.accounts import demo as accounts_demo
    from app.accounts.models import Employee
    from app.videos.models import IngestJob

    held: list[int] = []
    monkeypatch.setattr("app.videos.tasks.transcode", held.append)  # the worker has not run yet
    video_app.config["CONTENT_ROOT"] = Path(__file__).resolve().parents[2]  # the shipped content
    began = time.monotonic()
    result = video_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert "研修動画: 新規 3 件" in result.output and "失敗 0 件" in result.output

    jobs = db.session.scalars(db.select(IngestJob)).all()
    assert len(held) == 3 and sorted(held) == sorted(job.id for job in jobs)
    assert {(job.state, job.attempts, job.stream_copied) for job in jobs} == {("queued", 0, True)}

    learner = db.session.scalar(
        db.select(Employee).where(Employee.staff_number == accounts_demo.DEMO_ACCOUNTS[0][0])
    )
    sign_in(page, learner, accounts_demo.DEMO_PASSWORD)
    page.goto("/videos/")
    page.get_by_role("link", name="納税の窓口で ― 手続きだけの対応と、つなぐ対応").click()
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    assert page.locator("#video").get_attribute("src").endswith("/tax-desk-roleplay/v1/720.mp4")
    assert (
        page.locator("#quality-form").count() == 0 and page.locator("#quality-pending").is_visible()
    )
    page.evaluate("() => { const v = document.getElementById('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.getElementById('video').currentTime >= 2")
    assert time.monotonic() - began < 60
    assert_accessible(page, "player with 「標準」 only")
    page.evaluate("document.getElementById('video').pause()")

    db.session.expire_all()
    assert {job.state for job in db.session.scalars(db.select(IngestJob))} == {
        "queued"
    }  # still nothing converted
    leave_player(page, db, learner)


@pytest.fixture
def short_video(video_app, tmp_path):
    """A published 4-second clip with Japanese captions, and its folder (to publish again)."""
    return publish_clip(
        video_app, tmp_path, "water-desk-roleplay", "水道の窓口で", JA_VTT, seconds=4
    )


def test_a_report_after_the_session_ended_says_so_with_a_way_back(
    page, live_server, short_video, db
):
    video, _folder = short_video
    learner = make_employee()
    sign_in(page, learner, PASSWORD)
    page.goto(f"/videos/{video.slug}")
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    alert = page.locator("#watched-alert")
    assert alert.is_hidden()
    page.evaluate(FORCE_REPORT)
    assert alert.is_hidden()  # a report in a live session says nothing

    page.context.clear_cookies()  # the session ends (signed out in another tab, or timed out)
    page.evaluate(FORCE_REPORT)
    assert alert.is_visible()
    assert "セッションが終了" in alert.inner_text()
    expected = [e for e in page.recorder.console_errors if "status of 401" in e]
    assert len(expected) == 1  # the refused report, and nothing else
    page.recorder.console_errors.remove(expected[0])
    link = alert.get_by_role("link", name="ログイン")
    assert link.get_attribute("href") == f"/login?next=/videos/{video.slug}"
    assert_accessible(page, "player, signed out")
    link.click()
    page.fill("#login", learner.staff_number)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/videos/{video.slug}")  # back at the player after signing in


def test_a_report_after_the_video_was_updated_says_to_open_it_again(
    page, live_server, short_video, db, tmp_path
):
    """A new version published while the page is open: the old page's reports are refused
    (409), and the player says so instead of going on as if they counted."""
    video, folder = short_video
    first_version = video.version
    learner = make_employee()
    sign_in(page, learner, PASSWORD)
    page.goto(f"/videos/{video.slug}")
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    alert = page.locator("#watched-alert")
    page.evaluate(FORCE_REPORT)
    assert alert.is_hidden()  # a report on the current version says nothing

    recut = make_clip(tmp_path / "recut.mp4", size="160x90", seconds=3, rate=15)
    (folder / "source.mp4").write_bytes(recut.read_bytes())
    assert service.ingest_path(folder, wait=True).version == first_version + 1
    page.evaluate(FORCE_REPORT)
    assert alert.is_visible()
    assert "動画が更新された" in alert.inner_text()
    expected = [e for e in page.recorder.console_errors if "status of 409" in e]
    assert len(expected) == 1  # the refused report, and nothing else
    page.recorder.console_errors.remove(expected[0])
    assert_accessible(page, "player, video updated")
    link = alert.get_by_role("link", name="動画を開き直す")
    assert link.get_attribute("href") == f"/videos/{video.slug}"
    link.click()
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    page.evaluate(FORCE_REPORT)
    assert page.locator("#watched-alert").is_hidden()  # the new page's reports count again
    leave_player(page, db, learner)
