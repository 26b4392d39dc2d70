"""Open data (/data/complaints.json) on a big table, against /lacak measured in the same run.

    python bench/opendata.py [--complaints 50000] [--requests 20]

Fills a temp SQLite file with complaints (one in five moderated for publication, one in fifty of those
confidential), then times the JSON page uncached (an odd page size is never cached) at the first page and
a deep page, the default page size (cached), and /lacak with an unknown code as the baseline. Prints
milliseconds per request and ratios to the baseline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from bench.support import bulk_insert
from bot.setup import build_engine
from models.clock import FixedClock
from models.config import load_settings
from models.environment import Environment
from models.runtime import prepare_database
from models.tables import Complaint, Reporter
from web.dashboard import install_dashboard

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 1, 1, tzinfo=UTC)
BENCH_SECRET = "b7e2c91f4a0d6e3b8c5f1a2d9e7c4b60a3f8d1e6c2b9a7f4"


def complaint_rows(count: int) -> Any:
    for number in range(count):
        yield {"code": f"BTL-{number:04X}-{number:04X}"[:13], "kind": "pengaduan", "status": "dispatched",
               "text": "jalan rusak", "public_text": "jalan rusak" if number % 5 == 0 else None,
               "category": "Infrastruktur", "agency_code": "PUPR", "reporter_id": 1, "channel": "whatsapp",
               "anonymous": False, "confidential": number % 50 == 0, "misconduct": False,
               "created_at": START + timedelta(minutes=number), "updated_at": START, "escalation_level": 0,
               "reopen_count": 0, "supporter_count": 0}


def timed(client: FlaskClient, url: str, requests: int) -> float:
    began = time.perf_counter()
    for number in range(requests):  # a new address each time: the public budget is not what is measured
        answer = client.get(url, environ_base={"REMOTE_ADDR": f"10.0.{number % 250}.{number // 250 + 1}"})
        assert answer.status_code in (200, 404), answer.status_code
    return (time.perf_counter() - began) / requests * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    settings = load_settings(ROOT / "config.yaml")
    with tempfile.TemporaryDirectory() as directory:
        database = prepare_database(settings, Environment.of({}), f"sqlite:///{directory}/opendata.db")
        with database.engine.begin() as connection:
            connection.execute(insert(Reporter), [{"id": 1, "channel": "whatsapp", "provider_id": "bench",
                                                   "created_at": START}])
        bulk_insert(database.engine, Complaint.__table__, complaint_rows(args.complaints))
        engine = build_engine(settings, database.sessions, FixedClock(datetime(2026, 12, 5, 2, 0, tzinfo=UTC)))
        app = Flask("opendata-bench")
        install_dashboard(app, settings, database, engine, Environment.of({"SECRET_KEY": BENCH_SECRET}))
        client = app.test_client()
        total = client.get("/data/complaints.json").get_json()["total"]
        baseline = timed(client, "/lacak?code=BTL-0000-0000", args.requests)
        first = timed(client, "/data/complaints.json?per_page=99", args.requests)
        deep = timed(client, f"/data/complaints.json?per_page=99&page={max(1, total // 99)}", args.requests)
        cached = timed(client, "/data/complaints.json", args.requests)
    print(f"{args.complaints} complaints, {total} public")
    print(f"/lacak (baseline) {baseline:.2f} ms; open data uncached page 1 {first:.1f} ms "
          f"({first / baseline:.1f}x), last page {deep:.1f} ms ({deep / baseline:.1f}x), "
          f"cached {cached:.2f} ms ({cached / baseline:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
