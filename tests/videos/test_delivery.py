"""Media delivery: Range (206), conditional requests (304), types, signed-in only, X-Accel mode."""

from app.videos import service
from tests.factories import login, make_employee


def get(client, url, **kwargs):
    """GET, read the body and close the response (the file it streamed from is closed too)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def media_url(video, name):
    return f"/videos/media/{video.slug}/v{video.version}/{name}"


def test_signed_out_gets_nothing(client, published):
    response = get(client, media_url(published, "720.mp4"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert get(client, f"/videos/media/{published.slug}/captions.ja.vtt").status_code == 302


def test_full_file_with_validators_and_types(client, published):
    login(client, make_employee())
    response = get(client, media_url(published, "720.mp4"))
    assert response.status_code == 200
    assert response.mimetype == "video/mp4"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert response.headers["Cache-Control"] == "private, max-age=86400"
    body = response.get_data()
    assert body == (service.version_dir(published) / "720.mp4").read_bytes()
    assert get(client, media_url(published, "poster.jpg")).mimetype == "image/jpeg"
    captions = get(client, f"/videos/media/{published.slug}/captions.ja.vtt")
    assert captions.mimetype == "text/vtt" and captions.get_data(as_text=True).startswith("WEBVTT")


def test_range_requests_get_206_with_the_exact_bytes(client, published):
    login(client, make_employee())
    whole = (service.version_dir(published) / "360.mp4").read_bytes()
    response = get(client, media_url(published, "360.mp4"), headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 100-299/{len(whole)}"
    assert response.get_data() == whole[100:300]
    tail = get(client, media_url(published, "360.mp4"), headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.get_data() == whole[-50:]
    open_ended = get(
        client, media_url(published, "360.mp4"), headers={"Range": f"bytes={len(whole) - 10}-"}
    )
    assert open_ended.get_data() == whole[-10:]
    beyond = get(
        client, media_url(published, "360.mp4"), headers={"Range": f"bytes={len(whole) + 10}-"}
    )
    assert beyond.status_code == 416


def test_conditional_requests_get_304(client, published):
    login(client, make_employee())
    first = get(client, media_url(published, "720.mp4"))
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (
        get(client, media_url(published, "720.mp4"), headers={"If-None-Match": etag}).status_code
        == 304
    )
    assert (
        get(
            client, media_url(published, "720.mp4"), headers={"If-Modified-Since": modified}
        ).status_code
        == 304
    )
    # If-Range with a stale validator sends the whole file, not a wrong slice
    stale = get(
        client,
        media_url(published, "720.mp4"),
        headers={"Range": "bytes=0-9", "If-Range": '"stale"'},
    )
    assert stale.status_code == 200
    fresh = get(
        client, media_url(published, "720.mp4"), headers={"Range": "bytes=0-9", "If-Range": etag}
    )
    assert fresh.status_code == 206 and len(fresh.get_data()) == 10


def test_unknown_names_and_versions_are_404(client, published):
    login(client, make_employee())
    assert get(client, media_url(published, "../../sources/x.mp4")).status_code == 404
    assert get(client, media_url(published, "1080.mp4")).status_code == 404
    assert get(client, f"/videos/media/{published.slug}/v9/720.mp4").status_code == 404
    assert get(client, f"/videos/media/{published.slug}/captions.fr.vtt").status_code == 404


def test_x_accel_redirect_mode(app, client, published):
    app.config["VIDEO_SENDFILE"] = "x-accel"
    login(client, make_employee())
    response = get(client, media_url(published, "720.mp4"))
    assert (
        response.headers["X-Accel-Redirect"]
        == f"/protected-media/videos/{published.slug}/v1/720.mp4"
    )
    assert response.get_data() == b"" and response.mimetype == "video/mp4"
    app.config["VIDEO_SENDFILE"] = "x-sendfile"
    response = get(client, media_url(published, "720.mp4"))
    assert response.headers["X-Sendfile"] == str(service.version_dir(published) / "720.mp4")
