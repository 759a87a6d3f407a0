#!/usr/bin/env bash
# Start nginx, two gunicorn instances and the task worker from the files in deploy/, on
# PostgreSQL and Redis, unprivileged in a temporary folder on 127.0.0.1 only, and run the
# smoke test through nginx. Needs: .venv, nginx, ffmpeg, PostgreSQL at 127.0.0.1:5432 (user
# postgres) and Redis at 127.0.0.1:6379 (database 12 is flushed).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec timeout 600 .venv/bin/python deploy/smoke/smoke.py "$@"
