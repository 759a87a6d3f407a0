"""The content admin's upload page: conversion progress, retry, and clear refusals that leave nothing."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.permissions import Role
from app.videos.models import IngestJob, Video
from tests.factories import login, make_employee
from tests.videos.conftest import JA_VTT


@pytest.fixture
def admin_client(client, db):
    login(client, make_employee(roles=[Role.CONTENT_ADMIN]))
    return client


def upload(client, path: Path, *, name=None, captions: str | None = None, title="窓口での声かけ"):
    data = {"title_ja": title, "file": (io.BytesIO(path.read_bytes()), name or path.name)}
    if captions:
        data["captions_ja"] = (io.BytesIO(captions.encode()), "captions.vtt")
    return client.post("/videos/admin", data=data, content_type="multipart/form-data")


def leftovers(app) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_learners_cannot_open_the_upload_page(client, db):
    login(client, make_employee())
    assert client.get("/videos/admin").status_code == 403


def test_upload_converts_and_publishes_with_status_json(app, admin_client, db, clips):
    response = upload(admin_client, clips["normal"], name="窓口研修.mp4", captions=JA_VTT)
    assert response.status_code == 302
    job_url = response.headers["Location"]
    job = db.session.scalar(select(IngestJob))
    assert job_url == f"/videos/admin/jobs/{job.id}"
    status = admin_client.get(f"/videos/admin/jobs/{job.id}/status").get_json()
    assert status["state"] == "done" and status["progress"] == 100
    video = db.session.scalar(select(Video))
    assert status["watch_url"] == f"/videos/{video.slug}"
    assert video.title_ja == "窓口での声かけ" and video.caption_languages == ["ja"]
    assert video.slug.startswith("video-")  # a Japanese file name gives no ASCII slug
    page = admin_client.get(job_url).get_data(as_text=True)
    assert '<progress id="job-progress" max="100" value="100.0">' in page
    assert "完了しました" in page
    assert not list((Path(app.config["MEDIA_ROOT"]) / "incoming").iterdir())
    # the same file again adds nothing
    again = upload(admin_client, clips["normal"], name="copy.mp4")
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Video)) == 1
    assert "登録済みです" in admin_client.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("clip", "message"),
    [
        ("corrupt", "破損していて読み取れません"),
        ("text", "動画ではありません"),
        ("sound", "映像がありません"),
    ],
)
def test_bad_uploads_are_refused_clearly_and_leave_nothing(
    app, admin_client, db, clips, clip, message
):
    response = upload(admin_client, clips[clip])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "何も保存されていません" in html
    assert db.session.scalar(select(func.count()).select_from(Video)) == 0
    assert db.session.scalar(select(func.count()).select_from(IngestJob)) == 0
    assert leftovers(app) == []


def test_too_large_and_too_long_are_refused(app, admin_client, db, clips):
    app.config["VIDEO_MAX_MB"] = 0
    response = upload(admin_client, clips["normal"])
    assert response.status_code == 422 and "ファイルが大きすぎます" in response.get_data(
        as_text=True
    )
    app.config["VIDEO_MAX_MB"] = 200
    app.config["VIDEO_MAX_MINUTES"] = 0.01
    response = upload(admin_client, clips["normal"])
    assert response.status_code == 422 and "動画が長すぎます" in response.get_data(as_text=True)
    # past the server's request limit the same message is shown, not an error page
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(admin_client, clips["normal"])
    assert response.status_code == 422 and "ファイルが大きすぎます" in response.get_data(
        as_text=True
    )
    assert leftovers(app) == []
    assert db.session.scalar(select(func.count()).select_from(Video)) == 0


def test_unparseable_captions_are_refused(app, admin_client, db, clips):
    response = upload(admin_client, clips["normal"], captions="not captions at all")
    assert response.status_code == 422
    assert "字幕（ja）を読み取れません" in response.get_data(as_text=True)
    assert leftovers(app) == [] and db.session.scalar(select(func.count()).select_from(Video)) == 0


def test_a_failed_conversion_shows_details_and_can_be_retried(app, admin_client, db, clips):
    app.config["VIDEO_X264_PRESET"] = "no-such-preset"
    response = upload(admin_client, clips["silent"])
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "変換に失敗しました" in page and "変換をやり直す" in page and "preset" in page.lower()
    job = db.session.scalar(select(IngestJob))
    app.config["VIDEO_X264_PRESET"] = "ultrafast"
    retried = admin_client.post(f"/videos/admin/jobs/{job.id}/retry")
    assert retried.status_code == 302
    assert admin_client.get(f"/videos/admin/jobs/{job.id}/status").get_json()["state"] == "done"
    listing = admin_client.get("/videos/admin").get_data(as_text=True)
    assert "公開済み" in listing
