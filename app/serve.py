"""``make run``: serve the portal, with the background task worker beside it.

A deployment runs gunicorn and a separate worker (``flask --app app tasks worker``); for a
demo on one machine this starts both in one process.
"""

from __future__ import annotations

import argparse

from app import create_app
from app.core.worker import start_worker_thread


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = create_app()
    start_worker_thread(app)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)


if __name__ == "__main__":
    main()
