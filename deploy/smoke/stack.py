"""The deployed stack on one machine, from the files in deploy/: nginx in front of two
gunicorn instances and the task worker, on PostgreSQL and Redis.

Everything runs unprivileged in a temporary folder and listens on 127.0.0.1 only: a fresh
PostgreSQL database, one Redis database (flushed before and after), nginx with the shipped
site file (its listen address, upstreams and media folder pointed at the temporary ones).
The two web instances have separate instance folders and share only what two web hosts
would share: the configuration, the database, Redis and MEDIA_ROOT.

Used by deploy/smoke/smoke.py and benchmarks/load_stack.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = os.environ.get("SMOKE_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379/12")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_config(work: Path, port: int, upstreams: list[int], media: Path) -> Path:
    """The shipped site file with its addresses and folder replaced, in a minimal nginx.conf."""
    site = (ROOT / "deploy" / "nginx" / "tsunagu.conf").read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;\n" for p in upstreams)
    site, n1 = re.subn(r"^\s*server 127\.0\.0\.1:8000[^\n]*\n", servers, site, flags=re.M)
    site, n2 = re.subn(r"listen 80;", f"listen 127.0.0.1:{port};", site)
    site, n3 = re.subn(r"alias /srv/tsunagu/media/;", f"alias {media}/;", site)
    assert (n1, n2, n3) == (1, 1, 1), "deploy/nginx/tsunagu.conf changed shape: update stack.py"
    (work / "site.conf").write_text(site, encoding="utf-8")
    temp = work / "nginx"
    temp.mkdir()
    conf = work / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # as root, workers must read the 0700 temp folders
        + f"worker_processes 2;\npid {work}/nginx.pid;\nerror_log {work}/nginx-error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  sendfile on;\n"
        + "".join(f"  {kind}_temp_path {temp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  access_log {work}/nginx-access.log;\n  include {work}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return conf


class Stack:
    def __init__(self, *, web_instances: int = 2, gunicorn_workers: int = 2, learners: int = 3, video_seconds: int = 600,
                 extra_env: dict | None = None, keep: bool = False, media_tmpfs_mb: int = 0):
        self.web_instances, self.gunicorn_workers = web_instances, gunicorn_workers
        self.learners, self.video_seconds = learners, video_seconds
        self.extra_env, self.keep = extra_env or {}, keep
        self.work = Path(tempfile.mkdtemp(prefix="tsunagu-stack-"))
        self.database = f"tsunagu_stack_{os.getpid()}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.port = free_port()
        self.web_ports = [free_port() for _ in range(web_instances)]
        self.media = self.work / "media"
        self.seed: dict = {}
        # A small filesystem of its own for MEDIA_ROOT (as root only), so a full disk is real.
        self.media_tmpfs = False
        self.media.mkdir(mode=0o700)
        if media_tmpfs_mb and os.geteuid() == 0:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={media_tmpfs_mb}m,mode=0700", "tmpfs", str(self.media)],
                                     capture_output=True)
            self.media_tmpfs = mounted.returncode == 0

    # --- environment ---
    def env(self, instance: str = "a") -> dict:
        from cryptography.fernet import Fernet

        if not hasattr(self, "_keys"):
            self._keys = {"SECRET_KEY": os.urandom(24).hex(), "REFERRAL_KEYS": Fernet.generate_key().decode(),
                          "REFERRAL_HASH_KEY": os.urandom(32).hex()}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TSUNAGU_", "PYTEST"))}
        env.update(self._keys)
        env.update(
            PYTHONPATH=str(ROOT), FLASK_APP="app",
            INSTANCE_PATH=str(self.work / f"instance-{instance}"), MEDIA_ROOT=str(self.media),
            DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database}",
            TASK_BACKEND="redis", REDIS_URL=REDIS, RATELIMIT_STORAGE_URI=REDIS,
            VIDEO_SENDFILE="x-accel", VIDEO_X_ACCEL_PREFIX="/protected-media/",
            TRUSTED_PROXY_COUNT="1", TRUSTED_PROXY_ADDRESSES="127.0.0.1",
            WORKER_HEARTBEAT_SECONDS="2", JOB_LEASE_SECONDS="20", JOB_REQUEUE_AFTER_SECONDS="10",
            MEDIA_MIN_FREE_MB="50", VIDEO_X264_PRESET="ultrafast",
        )
        env.update(self.extra_env)
        return env

    def log(self, name: str):
        return open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child process

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(args, env=self.env(), cwd=ROOT, check=True, capture_output=True, text=True, timeout=600, **kwargs)

    # --- lifecycle ---
    def start(self) -> Stack:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self._redis("FLUSHDB")
        self.run(str(BIN / "flask"), "db", "upgrade")
        self.seed = json.loads(self.run(str(BIN / "python"), str(ROOT / "deploy" / "smoke" / "seed.py"),
                                        "--learners", str(self.learners), "--seconds", str(self.video_seconds)).stdout.strip().splitlines()[-1])
        for index, port in enumerate(self.web_ports):
            self.start_web(index, port)
        self.start_worker()
        conf = nginx_config(self.work, self.port, self.web_ports, self.media)
        self.processes["nginx"] = subprocess.Popen(["/usr/sbin/nginx", "-p", str(self.work), "-c", str(conf), "-g", "daemon off;"],
                                                   stdout=self.log("nginx"), stderr=subprocess.STDOUT)
        self.wait_healthy()
        return self

    def start_web(self, index: int, port: int) -> None:
        name = f"web{index + 1}"
        self.processes[name] = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
             "--workers", str(self.gunicorn_workers), "app:create_app()"],
            env=self.env("ab"[index % 2] if index < 2 else str(index)), cwd=ROOT, stdout=self.log(name), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        self.processes["worker"] = subprocess.Popen(
            [str(BIN / "flask"), "tasks", "worker", "--workers", "2"], env=self.env("worker"), cwd=ROOT,
            stdout=self.log("worker"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def url(self, path: str = "/", port: int | None = None) -> str:
        return f"http://127.0.0.1:{port or self.port}{path}"

    def health(self, port: int | None = None) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(self.url("/healthz", port), timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read() or b"{}")
            except ValueError:  # nginx's own error page: no instance answered
                return exc.code, {}
        except (OSError, ValueError):
            return 0, {}

    def wait_healthy(self, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.health()
            if status == 200:
                return body
            for name, process in self.processes.items():
                if process.poll() is not None and name in ("nginx",):
                    raise RuntimeError(f"{name} exited: {self.tail(name)}")
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not become healthy: {self.health()}\n{self.tails()}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig) if name != "nginx" else process.send_signal(sig)
        process.wait(timeout=30)

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM) if name != "nginx" else process.send_signal(signal.SIGQUIT)
                    process.wait(timeout=15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    process.kill()
                    process.wait()
        try:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001
            print(f"could not drop {self.database}: {exc}", file=sys.stderr)
        self._redis("FLUSHDB")
        if self.media_tmpfs:
            subprocess.run(["umount", "-l", str(self.media)], check=False)
        if not self.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def _redis(self, *command: str) -> None:
        import redis

        redis.Redis.from_url(REDIS).execute_command(*command)

    def tail(self, name: str, lines: int = 15) -> str:
        path = self.work / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def tails(self) -> str:
        return "\n".join(f"--- {name}\n{self.tail(name)}" for name in [*self.processes, "nginx-error"])

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            print(self.tails(), file=sys.stderr)
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            print(self.tails(), file=sys.stderr)
        self.stop()
