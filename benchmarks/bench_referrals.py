"""The 相談室's pages at city scale: statements and time at two sizes, on SQLite and PostgreSQL.

Loads referrals through the real services (encryption, reference numbers, triage, cases,
agencies, contacts, closures, the meeting agenda — ``app/referrals/scale.py``) into two
databases side by side: one office of the small size, and one built the same way and then grown
tenfold. Each 相談室 page and the home page's panel is then measured on both, the two sizes
taking turns request by request, so that whatever else the machine does in the meantime weighs
on both sizes alike. Prints per page the SQL statements at both sizes (must be equal) and the
median time ratio (goal: ≤ 2× for ten times the cases). With ``--postgres`` or ``--full``,
PostgreSQL too when ``--url`` (or ``TEST_DATABASE_URL``) answers; a schema per size is created
for the run and dropped after.

    .venv/bin/python benchmarks/bench_referrals.py                # 100 → 1,000 referrals, SQLite (under 2 minutes)
    .venv/bin/python benchmarks/bench_referrals.py --postgres     # the same on SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_referrals.py --full         # 500 → 5,000 referrals on both (the issue's sizes)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import _city

WORK = _city.work_folder("bench-referrals-")

from sqlalchemy import create_engine, event, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app.accounts.models import Department, Employee, EmployeeRole  # noqa: E402
from app.extensions import db  # noqa: E402
from app.referrals import scale  # noqa: E402

GOAL = 2.0
REPEATS = 9
PASSWORD = _city.PASSWORD
PAGES = {
    "home (panels)": ("GET", "/", None),
    "inbox": ("GET", "/consultation/inbox", None),
    "case list": ("GET", "/consultation/cases", None),
    "case search (kana)": ("POST", "/consultation/cases", {"kana": "アワタ", "status": "all"}),
    "stale list": ("GET", "/consultation/cases/stale", None),
    "meetings": ("GET", "/consultation/meetings", None),
    "agenda": ("GET", "/consultation/meetings/{meeting}", None),
    "referral (triage)": ("GET", "/consultation/referrals/{new_referral}", None),
    "triage picker search": (
        "POST",
        "/consultation/referrals/{new_referral}",
        {"lookup-case_query": "アワタ ハナコ"},
    ),
    "case": ("GET", "/consultation/cases/{case}", None),
    "statistics": ("GET", "/consultation/statistics", None),
    "audit log": ("GET", "/consultation/audit", None),
}


def make_app(url: str | None, size: str):
    """The portal for one size: on SQLite, or in a schema of its own on PostgreSQL at ``url``
    (the schema is returned, to be dropped after)."""
    if not url:
        return _city.make_app(WORK / f"referrals-{size}.sqlite3"), None
    schema = f"bench_referrals_{os.getpid()}_{size}"
    return _city.make_app(**_city.postgres_schema(url, schema)), schema


def people():
    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    office = Department(code="3050", name_ja="福祉まるごと相談室")
    desks = [
        Department(code=f"10{n}0", name_ja=name)
        for n, name in enumerate(("税務課", "上下水道課", "市民課", "保険年金課"))
    ]
    db.session.add_all([office, *desks])
    db.session.flush()
    staff = []
    for n in range(2):
        worker = Employee(
            staff_number=f"20000{n}",
            name=f"相談 {n}",
            name_kana="ソウダン",
            department_id=office.id,
            active=True,
            password_hash=password,
        )
        worker.role_rows = [EmployeeRole(role="consultation")]
        staff.append(worker)
    referrers = [
        Employee(
            staff_number=f"30000{n}",
            name=f"窓口 {n}",
            name_kana="マドグチ",
            department_id=d.id,
            active=True,
        )
        for n, d in enumerate(desks)
    ]
    db.session.add_all(staff + referrers)
    db.session.commit()
    return staff, referrers


def analyze() -> None:
    """Planner statistics after a bulk load, as the database's own maintenance would gather
    them (right after loading, PostgreSQL's plans are those of empty tables). On PostgreSQL
    also VACUUM, as autovacuum does after many inserts: it marks the pages all-visible, without
    which no index-only scan is possible."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _client(app):
    client = app.test_client()
    assert client.post("/login", data={"login": "200000", "password": PASSWORD}).status_code == 302
    with app.app_context():
        return client, db.engine


def _request(client, engine, method: str, url: str, data) -> tuple[int, float]:
    statements = []

    def count(*args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    response = client.open(url, method=method, data=data)
    elapsed = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), elapsed


def measure(apps: list, ids: dict) -> list[dict[str, tuple[int, float]]]:
    """Per app and page: (most statements, median seconds), the apps taking turns."""
    clients = [_client(app) for app in apps]
    results: list[dict[str, tuple[int, float]]] = [{} for _ in apps]
    for name, (method, url, data) in PAGES.items():
        url = url.format(**ids)
        for client, _engine in clients:
            client.open(url, method=method, data=data)  # warm-up
        counts: list[list[int]] = [[] for _ in apps]
        times: list[list[float]] = [[] for _ in apps]
        for _ in range(REPEATS):
            for n, (client, engine) in enumerate(clients):
                statements, elapsed = _request(client, engine, method, url, data)
                counts[n].append(statements)
                times[n].append(elapsed)
        for n in range(len(apps)):
            results[n][name] = (max(counts[n]), statistics.median(times[n]))
    return results


def load(app, label: str, steps: list[tuple[int, int]]) -> dict:
    """Build the office through the services in ``steps`` of (count, start)."""
    with app.app_context():
        (worker, colleague), referrers = people()
        started = time.perf_counter()
        ids = {}
        for count, start in steps:
            built = scale.build(count, referrers, worker, colleague, start=start)
            ids = ids or built
        total = sum(count for count, _start in steps)
        print(f"[{label}] {total:,} referrals loaded in {time.perf_counter() - started:.0f} s")
        analyze()
    return ids


def drop(app, schema: str | None) -> None:
    if schema:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            db.engine.dispose()


def run(label: str, url: str | None, small: int, large: int) -> bool:
    built = []
    try:
        for size in ("small", "large"):
            built.append(make_app(url, size))
        (app_small, _s), (app_large, _l) = built
        ids = load(app_small, label, [(small, 0)])
        # The large office grows from the same first referrals, so the pages show the same rows.
        load(app_large, label, [(small, 0), (large - small, small)])
        at_small, at_large = measure([app_small, app_large], ids)
    finally:
        for app, schema in built:
            drop(app, schema)
    print(f"\n[{label}] {'page':24} {'stmts':>6} {'stmts':>6} {'ms':>8} {'ms':>8} {'ratio':>6}")
    print(f"[{label}] {'':24} {small:>6,} {large:>6,} {small:>8,} {large:>8,}")
    ok = True
    for name in PAGES:
        (q1, t1), (q2, t2) = at_small[name], at_large[name]
        ratio = t2 / t1 if t1 else float("inf")
        good = q1 == q2 and ratio <= GOAL
        ok = ok and good
        print(
            f"[{label}] {name:24} {q1:>6} {q2:>6} {t1 * 1000:>8.1f} {t2 * 1000:>8.1f} {ratio:>5.2f}×"
            + ("" if good else "  <-- over the goal")
        )
    print()
    return ok


def postgres_url(url: str | None) -> str | None:
    url = url or os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return url
    except Exception as exc:  # noqa: BLE001 - an unreachable server only skips that half
        print(f"PostgreSQL not reachable ({type(exc).__name__}): SQLite only")
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full", action="store_true", help="500 → 5,000 referrals (the issue's sizes)"
    )
    parser.add_argument("--small", type=int)
    parser.add_argument("--large", type=int)
    parser.add_argument("--url", help="PostgreSQL URL (default: TEST_DATABASE_URL)")
    parser.add_argument("--postgres", action="store_true", help="also measure on PostgreSQL")
    args = parser.parse_args()
    small = args.small or (500 if args.full else 100)
    large = args.large or (5000 if args.full else 1000)
    ok = run("sqlite", None, small, large)
    url = postgres_url(args.url) if (args.postgres or args.full) else None
    if url:
        ok = run("postgresql", url, small, large) and ok
    print(
        f"goal: equal statements and time ≤ {GOAL:.0f}× for {large / small:.0f}× the referrals — "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
