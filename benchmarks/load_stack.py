"""Load and faults against the deployed stack (deploy/smoke/stack.py: nginx, two gunicorn
instances, the worker, PostgreSQL, Redis), on 127.0.0.1 only, bounded in time and size.

Learners sign in, open a video and report their progress every 10 s; referrers send a
referral every few seconds; HR staff reload the completion dashboard. Meanwhile the fault
drills run one after another, each ending when the portal serves again (/healthz 200):

  web      a gunicorn worker process is killed (SIGKILL) mid-request
  db       every database connection of the portal is cut (pg_terminate_backend)
  transcode  the task worker is killed mid-conversion (its ffmpeg left orphaned), then
           restarted as systemd would: the job must be taken over and finish, the orphan
           stopped, no temporary folder left
  disk     MEDIA_ROOT (a small filesystem of its own) is filled: an upload must be refused with
           the plain message and learners keep watching; once space is freed an upload works

Afterwards every accepted progress report and referral is checked in the database: each
stored exactly once (a request whose answer was lost may or may not be stored; those are
counted apart). Prints throughput, p50/p95 per endpoint, errors, and the drills' outcome.
Exits non-zero if anything accepted was lost or doubled, a drill failed, or the error rate is
above --max-error-rate.

    .venv/bin/python benchmarks/load_stack.py --learners 300 --duration 180
    .venv/bin/python benchmarks/load_stack.py --ci        # short and tolerant, for CI
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy" / "smoke"))

from client import Client, referral_form  # noqa: E402
from stack import PG_ADMIN, Stack  # noqa: E402

REPORT_EVERY = 10.0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_kinds: dict[str, int] = defaultdict(int)

    def ok(self, name: str, seconds: float) -> None:
        with self.lock:
            self.latency[name].append(seconds)

    def error(self, name: str, kind: str) -> None:
        with self.lock:
            self.errors[name] += 1
            self.error_kinds[f"{name}: {kind}"] += 1

    def total(self) -> tuple[int, int]:
        return sum(len(v) for v in self.latency.values()), sum(self.errors.values())


def timed(stats: Stats, name: str, call, expect: tuple[int, ...]):
    """Run one request; record its latency or its error. Returns the response or None."""
    try:
        response = call()
    except Exception as exc:  # noqa: BLE001 - a lost connection is an error to count, not a crash
        stats.error(name, type(exc).__name__)
        return None
    if response.status in expect:
        stats.ok(name, response.elapsed)
        return response
    stats.error(name, f"HTTP {response.status}")
    return None


class Learner(threading.Thread):
    def __init__(
        self, number: str, stack: Stack, stats: Stats, stop: threading.Event, delay: float
    ):
        super().__init__(daemon=True)
        self.number, self.stack, self.stats, self.stop, self.delay = (
            number,
            stack,
            stats,
            stop,
            delay,
        )
        self.token: str | None = None
        self.accepted = 0
        self.unknown = 0
        self.last_watched = 0.0

    def run(self) -> None:
        if self.stop.wait(self.delay):
            return
        client = Client(self.stack.port, timeout=20)
        seed = self.stack.seed
        for _attempt in range(5):
            response = timed(
                self.stats,
                "POST /login",
                lambda: client.sign_in(self.number, seed["password"]),
                (302,),
            )
            if response is not None:
                break
            if self.stop.wait(2):
                return
        else:
            return
        page = None
        while page is None and not self.stop.is_set():
            page = timed(
                self.stats,
                "GET /videos/<slug>",
                lambda: client.get(f"/videos/{seed['video']}"),
                (200,),
            )
            if page is None and self.stop.wait(2):
                return
        if page is None:
            return
        self.token = re.search(r'data-session="([^"]+)"', page.text).group(1)
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
        opened = time.monotonic()
        while not self.stop.wait(REPORT_EVERY + random.uniform(-0.5, 0.5)):
            played = round(time.monotonic() - opened - 0.5, 1)  # watching at normal speed
            form = {
                "csrf_token": csrf,
                "session": self.token,
                "ranges": json.dumps([[0, played]]),
                "position": str(played),
            }
            try:
                response = client.post(f"/videos/{seed['video']}/progress", form)
            except Exception as exc:  # noqa: BLE001
                self.unknown += 1  # sent, answer lost: it may or may not be stored
                self.stats.error("POST /videos/<slug>/progress", type(exc).__name__)
                continue
            if response.status == 200:
                self.accepted += 1
                self.last_watched = json.loads(response.body)["watched_seconds"]
                self.stats.ok("POST /videos/<slug>/progress", response.elapsed)
            else:
                if response.status >= 500:
                    self.unknown += 1
                self.stats.error("POST /videos/<slug>/progress", f"HTTP {response.status}")
        client.close()


class Referrer(threading.Thread):
    def __init__(
        self,
        number: str,
        stack: Stack,
        stats: Stats,
        stop: threading.Event,
        every: float,
        index: int,
    ):
        super().__init__(daemon=True)
        self.number, self.stack, self.stats, self.stop, self.every, self.index = (
            number,
            stack,
            stats,
            stop,
            every,
            index,
        )
        self.accepted: dict[str, str] = {}  # idempotency key → reference
        self.unconfirmed: list[str] = []

    def run(self) -> None:
        client = Client(self.stack.port, timeout=20)
        if (
            timed(
                self.stats,
                "POST /login",
                lambda: client.sign_in(self.number, self.stack.seed["password"]),
                (302,),
            )
            is None
        ):
            return
        n = 0
        while not self.stop.wait(random.uniform(0.6, 1.4) * self.every):
            n += 1
            page = timed(self.stats, "GET /refer", lambda: client.get("/refer"), (200,))
            if page is None:
                continue
            form = referral_form(page.csrf(), self.index * 100000 + n)
            key = form["idempotency_key"]
            for _attempt in range(4):  # an unanswered send is sent again with the same key
                response = timed(
                    self.stats, "POST /refer", lambda f=form: client.post("/refer", f), (303,)
                )
                if response is not None:
                    self.accepted[key] = response.headers["Location"].rsplit("/", 1)[-1]
                    break
                if self.stop.wait(1):
                    break
            else:
                self.unconfirmed.append(key)
            if key not in self.accepted and key not in self.unconfirmed:
                self.unconfirmed.append(key)
        client.close()


class HR(threading.Thread):
    def __init__(
        self, number: str, stack: Stack, stats: Stats, stop: threading.Event, every: float
    ):
        super().__init__(daemon=True)
        self.number, self.stack, self.stats, self.stop, self.every = (
            number,
            stack,
            stats,
            stop,
            every,
        )

    def run(self) -> None:
        client = Client(self.stack.port, timeout=30)
        if (
            timed(
                self.stats,
                "POST /login",
                lambda: client.sign_in(self.number, self.stack.seed["password"]),
                (302,),
            )
            is None
        ):
            return
        while not self.stop.wait(random.uniform(0.7, 1.3) * self.every):
            timed(self.stats, "GET /reports/", lambda: client.get("/reports/"), (200,))
        client.close()


# --- fault drills ---------------------------------------------------------------------------


def wait_serving(stack: Stack, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if stack.health()[0] == 200:
            return time.monotonic() - started
        time.sleep(0.25)
    return None


def drill_web(stack: Stack) -> str:
    master = stack.processes["web1"].pid
    children = [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True
        ).stdout.split()
    ]
    assert children, "no gunicorn worker found"
    os.kill(children[0], signal.SIGKILL)
    recovered = wait_serving(stack, 30)
    assert recovered is not None, "the portal did not serve again"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # gunicorn replaces the worker
        now = subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True
        ).stdout.split()
        if len(now) == len(children) and str(children[0]) not in now:
            break
        time.sleep(0.25)
    else:
        raise AssertionError("gunicorn did not replace the killed worker")
    return f"worker {children[0]} killed; serving after {recovered:.1f} s, replaced by gunicorn"


def drill_db(stack: Stack) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        cut = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (stack.database,),
        ).fetchone()[0]
    recovered = wait_serving(stack, 30)
    assert recovered is not None, "the portal did not serve again"
    return f"{cut} connections cut; serving after {recovered:.1f} s"


def _ffmpeg_in(media: Path) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if cmd.startswith("ffmpeg") and str(media) in cmd and ".tmp-job" in cmd:
                found.append(int(proc.name))
    return found


def _admin(stack: Stack) -> Client:
    admin = Client(stack.port, timeout=60)
    assert admin.sign_in(stack.seed["admin"], stack.seed["password"]).status == 302
    return admin


def _upload(stack: Stack, admin: Client, clip: Path, title: str):
    import uuid

    token = admin.get("/videos/admin").csrf()
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="title_ja"\r\n\r\n{title}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{clip.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + clip.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return admin.request(
        "POST",
        "/videos/admin",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


def _clip(stack: Stack, name: str, seconds: int, size: str = "640x360") -> Path:
    path = stack.work / name
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate=25:duration={seconds}",
            "-c:v",
            "mpeg4",
            "-q:v",
            "5",
            "-y",
            str(path),
        ],
        check=True,
    )
    return path


def _job_state(admin: Client, job_path: str) -> dict:
    return json.loads(admin.get(job_path + "/status").body)


def drill_transcode(stack: Stack, seconds: int) -> str:
    admin = _admin(stack)
    response = _upload(stack, admin, _clip(stack, "long.avi", seconds), "変換中に止める動画")
    assert response.status == 302, response.status
    job_path = response.headers["Location"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = _job_state(admin, job_path)
        if status["state"] == "running" and status["progress"] >= 4 and _ffmpeg_in(stack.media):
            break
        assert status["state"] != "done", (
            "the conversion finished before it could be interrupted: use a longer clip"
        )
        time.sleep(0.2)
    else:
        raise AssertionError(f"the conversion never got going: {status}")
    orphans = _ffmpeg_in(stack.media)
    os.kill(stack.processes["worker"].pid, signal.SIGKILL)  # the worker alone: its ffmpeg lives on
    stack.processes["worker"].wait(timeout=10)
    time.sleep(1)
    still = [pid for pid in orphans if pid in _ffmpeg_in(stack.media)]
    at = status["progress"]
    stack.start_worker()  # as systemd's Restart=always does
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        status = _job_state(admin, job_path)
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert status["state"] == "done", f"the job did not finish after the takeover: {status}"
    left = [pid for pid in orphans if pid in _ffmpeg_in(stack.media)]
    assert not left, f"orphaned ffmpeg still running: {left}"
    temporary = [p for p in stack.media.rglob(".tmp-job*")]
    assert not temporary, f"temporary folders left: {temporary}"
    assert wait_serving(stack, 30) is not None
    return (
        f"worker killed at {at:.0f}% with {len(still)} ffmpeg orphaned; the restarted worker took the job over, "
        "stopped the orphan, removed its temporary folder and published the video"
    )


def drill_disk(stack: Stack) -> str:
    if not stack.media_tmpfs:
        return "skipped (MEDIA_ROOT on its own filesystem needs root)"
    admin = _admin(stack)
    small = _clip(stack, "small.avi", 3, "320x180")
    filler = stack.media / "filler.bin"
    free = os.statvfs(stack.media)
    size = free.f_bavail * free.f_frsize - 20 * 1024 * 1024  # leave 20 MB: under MEDIA_MIN_FREE_MB
    subprocess.run(["fallocate", "-l", str(size), str(filler)], check=True)
    try:
        refused = _upload(stack, admin, small, "容量不足の確認")
        assert refused.status == 422 and "保存領域がほぼいっぱい" in refused.text, refused.status
        assert stack.health()[0] == 200
    finally:
        filler.unlink()
    accepted = _upload(stack, admin, small, "容量回復後の確認")
    assert accepted.status == 302, accepted.status
    job_path = accepted.headers["Location"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (status := _job_state(admin, job_path))["state"] not in (
        "done",
        "failed",
    ):
        time.sleep(0.5)
    assert status["state"] == "done", status
    return "upload refused with the plain message while full (learners kept reporting); accepted and converted once space was freed"


# --- verification ---------------------------------------------------------------------------


def verify(stack: Stack, learners: list[Learner], referrers: list[Referrer]) -> list[str]:
    import psycopg

    problems = []
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{stack.database}") as conn:
        stored = dict(  # each learner opens one page of one video: its row's reports are its own
            conn.execute(
                "SELECT s.token, p.reports FROM video_viewing_session s JOIN video_progress p "
                "ON p.employee_id = s.employee_id AND p.video_id = s.video_id"
            ).fetchall()
        )
        watched = dict(
            conn.execute(
                "SELECT s.token, p.watched_seconds FROM video_viewing_session s JOIN video_progress p "
                "ON p.employee_id = s.employee_id AND p.video_id = s.video_id"
            ).fetchall()
        )
        for learner in learners:
            if learner.token is None:
                continue
            count = stored.get(learner.token, 0)
            if not learner.accepted <= count <= learner.accepted + learner.unknown:
                problems.append(
                    f"learner {learner.number}: {learner.accepted} reports accepted, {count} stored"
                )
            if (
                learner.accepted
                and abs(watched.get(learner.token, 0) - learner.last_watched) > 0.01
                and not learner.unknown
            ):
                problems.append(
                    f"learner {learner.number}: {learner.last_watched} s acknowledged, {watched.get(learner.token)} stored"
                )
        accepted = {k: v for r in referrers for k, v in r.accepted.items()}
        rows = conn.execute("SELECT idempotency_key, reference FROM referral").fetchall()
        by_key = defaultdict(list)
        for key, reference in rows:
            by_key[key].append(reference)
        for key, reference in accepted.items():
            if by_key.get(key) != [reference]:
                problems.append(f"referral {reference}: stored as {by_key.get(key)}")
        unconfirmed = {k for r in referrers for k in r.unconfirmed}
        extra = set(by_key) - set(accepted) - unconfirmed
        if extra:
            problems.append(f"{len(extra)} referrals stored that nobody sent")
    return problems


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--referrers", type=int, default=4)
    parser.add_argument(
        "--referral-every", type=float, default=8.0, help="seconds between one referrer's referrals"
    )
    parser.add_argument("--hr", type=int, default=2)
    parser.add_argument(
        "--duration", type=float, default=180, help="seconds of load after everyone has started"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--drills", default="web,db,transcode,disk")
    parser.add_argument(
        "--transcode-seconds",
        type=int,
        default=120,
        help="length of the clip converted in the transcode drill",
    )
    parser.add_argument("--max-error-rate", type=float, default=0.02)
    parser.add_argument(
        "--ci",
        action="store_true",
        help="short and tolerant: 40 learners, 60 s, 5%% errors allowed",
    )
    args = parser.parse_args()
    if args.ci:
        args.learners, args.referrers, args.hr, args.duration = 40, 3, 1, 60
        args.referral_every, args.max_error_rate, args.transcode_seconds = 5.0, 0.05, 90
    args.learners = min(args.learners, 2000)  # bounded: this is one machine
    args.duration = min(args.duration, 1800)
    drills = [d for d in args.drills.split(",") if d]

    print(
        f"== load: {args.learners} learners reporting every {REPORT_EVERY:.0f} s, {args.referrers} referrers "
        f"(one referral each ~{args.referral_every:.0f} s), {args.hr} HR views; {args.duration:.0f} s; drills: {', '.join(drills) or 'none'}",
        flush=True,
    )
    stats = Stats()
    stop = threading.Event()
    outcome: dict[str, str] = {}
    failed = False
    with Stack(
        learners=args.learners + args.referrers + args.hr,
        gunicorn_workers=args.gunicorn_workers,
        video_seconds=int(args.duration) + 120,
        media_tmpfs_mb=300,
        extra_env={"LOGIN_ADDRESS_FAILURE_LIMIT": "10000 per 5 minutes"},
    ) as stack:
        numbers = stack.seed["learners"]
        ramp = min(REPORT_EVERY, args.duration / 4)
        learners = [
            Learner(n, stack, stats, stop, ramp * i / max(1, args.learners))
            for i, n in enumerate(numbers[: args.learners])
        ]
        referrers = [
            Referrer(n, stack, stats, stop, args.referral_every, i)
            for i, n in enumerate(numbers[args.learners : args.learners + args.referrers])
        ]
        hrs = [HR(stack.seed["hr"], stack, stats, stop, 3.0) for _ in range(args.hr)]
        threads = [*learners, *referrers, *hrs]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(ramp + 2)
        for drill in drills:
            drill_started = time.monotonic()
            try:
                result = {
                    "web": drill_web,
                    "db": drill_db,
                    "disk": drill_disk,
                    "transcode": lambda s: drill_transcode(s, args.transcode_seconds),
                }[drill](stack)
                outcome[drill] = f"ok    {result} ({time.monotonic() - drill_started:.0f} s)"
            except Exception as exc:  # noqa: BLE001
                failed = True
                outcome[drill] = f"FAIL  {type(exc).__name__}: {exc}"
            print(f"  drill {drill:9} {outcome[drill]}", flush=True)
            time.sleep(3)
        remaining = args.duration - (time.monotonic() - started - ramp)
        if remaining > 0:
            stop.wait(remaining)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        elapsed = time.monotonic() - started
        problems = verify(stack, learners, referrers)
        healthy = stack.health()[0] == 200

    ok_count, error_count = stats.total()
    rate = error_count / max(1, ok_count + error_count)
    print(f"\n{'endpoint':34} {'ok':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for name in sorted(set(stats.latency) | set(stats.errors)):
        values = stats.latency.get(name, [])
        p50 = f"{statistics.median(values) * 1000:7.0f}" if values else "      -"
        p95 = f"{percentile(values, 0.95) * 1000:7.0f}" if values else "      -"
        print(f"{name:34} {len(values):7d} {stats.errors.get(name, 0):6d} {p50} {p95}")
    print(
        f"\nthroughput {ok_count / elapsed:.1f} requests/s over {elapsed:.0f} s; errors {error_count} ({rate:.2%})"
    )
    for kind, count in sorted(stats.error_kinds.items(), key=lambda item: -item[1])[:8]:
        print(f"  {count:5d}  {kind}")
    reports = sum(learner.accepted for learner in learners)
    unknown = sum(learner.unknown for learner in learners)
    referrals = sum(len(r.accepted) for r in referrers)
    print(
        f"verified: {reports} progress reports accepted ({unknown} unanswered), {referrals} referrals accepted — "
        + ("each stored exactly once" if not problems else f"{len(problems)} PROBLEMS")
    )
    for problem in problems[:20]:
        print(f"  {problem}")
    if not healthy:
        print("the portal was not healthy at the end")
    bad = failed or problems or not healthy or rate > args.max_error_rate
    print("== load run " + ("FAILED" if bad else "passed"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
