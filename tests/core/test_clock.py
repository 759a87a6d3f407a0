"""One clock: no code in app/ reads the machine's date or local zone except app/core/clock.py."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
FORBIDDEN = re.compile(
    r"\bdate\.today\(|\bdatetime\.(?:now|utcnow|today)\(|\btime\.localtime\(|\bZoneInfo\(|timedelta\(hours=9\)"
)


def test_only_the_clock_reads_the_time_of_day():
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "core" / "clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(APP.parent)}:{number}: {line.strip()}")
    assert offenders == [], (
        "use app.core.clock (today(), now(), utcnow(), local_date()):\n" + "\n".join(offenders)
    )
