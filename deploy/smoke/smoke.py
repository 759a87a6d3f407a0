"""The deployed-stack smoke test: nginx → two gunicorn instances → PostgreSQL, Redis, the worker.

Every step goes through nginx unless it is about one instance; each prints one line. Exit 0
only when all pass. Run by deploy/smoke/run.sh (and .ci/run).
"""

from __future__ import annotations

import io
import json
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client import Client, referral_form  # noqa: E402
from stack import Stack  # noqa: E402

STEPS: list[str] = []


def step(text: str) -> None:
    STEPS.append(text)
    print(f"  ok  {text}", flush=True)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def run(stack: Stack) -> None:
    seed, (port_a, port_b) = stack.seed, stack.web_ports[:2]
    status, health = stack.health()
    assert status == 200 and health["database"]["ok"] and health["queue"]["backend"] == "redis" and health["worker"]["live"] >= 1, health
    step(f"/healthz through nginx: database, Redis queue and {health['worker']['live']} live worker")

    learner = Client(stack.port)
    response = learner.sign_in(seed["learners"][0], seed["password"])
    assert response.status == 302, response.status
    for port in (port_a, port_b):
        assert learner.get("/", port=port).status == 200, f"instance {port} does not know the session"
    step("sign-in through nginx; the session is known to both instances")

    token = learner.get("/refer").csrf()
    response = learner.post("/refer", referral_form(token, 1))
    assert response.status == 303 and "/refer/sent/" in response.headers["Location"], (response.status, response.text[:300])
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    for port in (port_a, port_b):
        assert reference in learner.get("/refer/mine", port=port).text
    step(f"referral {reference} sent through nginx, listed by both instances")

    watch = learner.get(f"/videos/{seed['video']}")
    assert watch.status == 200, watch.status
    session_token = re.search(r'data-session="([^"]+)"', watch.text).group(1)
    csrf = re.search(r'data-csrf="([^"]+)"', watch.text).group(1)
    source = re.search(r'data-src-720="([^"]+)"', watch.text).group(1).replace("&amp;", "&")
    time.sleep(2.2)
    report = learner.post(f"/videos/{seed['video']}/progress", {"csrf_token": csrf, "session": session_token, "ranges": "[[0, 4]]", "position": "4"})
    assert report.status == 200 and json.loads(report.body)["watched_seconds"] > 0, (report.status, report.text[:200])
    step(f"progress reported: {json.loads(report.body)['watched_seconds']} s watched")

    ranged = learner.get(source, headers={"Range": "bytes=100-1123"})
    file = stack.media / "videos" / seed["video"] / source.rsplit("/", 2)[-2] / "720.mp4"
    assert ranged.status == 206 and ranged.body == file.read_bytes()[100:1124], ranged.status
    assert "X-Accel-Redirect" not in ranged.headers and ranged.headers["Content-Range"].startswith("bytes 100-1123/")
    direct = learner.get(source, port=port_a, headers={"Range": "bytes=100-1123"})
    assert direct.headers.get("X-Accel-Redirect", "").startswith("/protected-media/videos/") and not direct.body
    assert learner.get("/protected-media/videos/" + seed["video"] + "/v1/720.mp4").status == 404
    step("ranged video request: 206 from nginx via X-Accel (the portal sent no bytes; /protected-media/ is internal)")

    admin = Client(stack.port)
    assert admin.sign_in(seed["admin"], seed["password"]).status == 302
    token = admin.get("/videos/admin").csrf()
    clip = stack.work / "upload.mp4"
    import subprocess

    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=6",
                    "-c:v", "mpeg4", "-y", str(clip)], check=True)  # not H.264: the worker must transcode it
    body, content_type = multipart({"csrf_token": token, "title_ja": "検証用の動画"}, {"file": ("smoke.avi", clip.read_bytes())})
    response = admin.request("POST", "/videos/admin", body=body, headers={"Content-Type": content_type})
    assert response.status == 302 and "/videos/admin/jobs/" in response.headers["Location"], (response.status, response.text[:300])
    job_path = response.headers["Location"] + "/status"
    seen = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for port in (port_a, port_b):
            status = json.loads(admin.get(job_path, port=port).body)
            seen.setdefault(port, set()).add(status["state"])
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert status["state"] == "done", status
    assert all("done" in states for states in seen.values())
    step(f"upload through nginx converted by the worker; its progress seen from both instances ({sorted(seen[port_a] | seen[port_b])})")

    cookie = dict(learner.cookies)
    token = learner.get("/").csrf()
    assert learner.post("/logout", {"csrf_token": token}).status == 302
    replay = Client(stack.port)
    replay.cookies = cookie
    for port in (port_a, port_b):
        response = replay.get("/refer/mine", port=port)
        assert response.status == 302 and "/login" in response.headers["Location"], response.status
    step("sign-out: the copied session cookie is refused by both instances")

    attacker = Client(stack.port)
    target = seed["learners"][1]
    for attempt in range(3):  # LOGIN_ACCOUNT_FAILURE_LIMIT is 3 per 5 minutes here
        response = attacker.sign_in(target, "wrong-password", port=(port_a, port_b)[attempt % 2])
        assert response.status == 200, response.status
    blocked = [attacker.sign_in(target, seed["password"], port=port).status for port in (port_a, port_b)]
    assert blocked == [429, 429], blocked
    other = Client(stack.port)
    assert other.sign_in(seed["learners"][2], seed["password"]).status == 302
    step("rate limit: 3 failures spread over both instances hold that account back on both (429); others sign in")

    status, health = stack.health()
    assert status == 200, health
    step("/healthz still ok")


def main() -> int:
    started = time.monotonic()
    print("== deployed-stack smoke test (nginx, 2 gunicorn instances, worker; PostgreSQL, Redis)", flush=True)
    with Stack(extra_env={"LOGIN_ACCOUNT_FAILURE_LIMIT": "3 per 5 minutes"}, video_seconds=20) as stack:
        run(stack)
    print(f"== smoke test passed: {len(STEPS)} steps in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
