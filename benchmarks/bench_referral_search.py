"""Finding a household by kana: the keyed-hash column against decrypting every record.

    python benchmarks/bench_referral_search.py [N]

Prints the time of each approach and their ratio, measured in the same run on the same data
(the machines are shared, so only the ratio means much).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402


def main(n: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.sqlite3")
        app = create_app(config)
        app.instance_path = tmp
        with app.app_context():
            from app.referrals import crypto
            from app.referrals.models import SupportCase

            db.create_all()
            kana = [f"カクウ タロウ{i}" for i in range(n)]
            for i, k in enumerate(kana):
                db.session.add(
                    SupportCase(
                        reference=f"C-2026-{i:05d}",
                        household_name=f"架空 太郎{i}",
                        household_kana=k,
                        household_kana_hash=crypto.kana_hash(k),
                        next_review_on=date(2027, 1, 1),
                    )
                )
            db.session.commit()
            wanted = kana[n // 2]
            rounds = 20

            start = time.perf_counter()
            for _ in range(rounds):
                db.session.expunge_all()
                digest = crypto.kana_hash(wanted)
                hits = list(
                    db.session.scalars(
                        select(SupportCase.id).where(SupportCase.household_kana_hash == digest)
                    )
                )
            hashed = (time.perf_counter() - start) / rounds
            assert len(hits) == 1

            start = time.perf_counter()
            for _ in range(max(1, rounds // 10)):
                db.session.expunge_all()
                target = crypto.normalise_kana(wanted)
                hits = [
                    c.id
                    for c in db.session.scalars(select(SupportCase))
                    if crypto.normalise_kana(c.household_kana or "") == target
                ]
            scanned = (time.perf_counter() - start) / max(1, rounds // 10)
            assert len(hits) == 1

    print(f"cases: {n}")
    print(f"keyed-hash lookup:   {hashed * 1000:8.2f} ms")
    print(f"decrypt every case:  {scanned * 1000:8.2f} ms")
    print(f"ratio (decrypt / hash): {scanned / hashed:.0f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
