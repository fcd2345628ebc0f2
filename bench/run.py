"""Benchmark: query counts and server time of the dashboard and people pages and their API twins.

    .venv/bin/python bench/run.py --size demo
    .venv/bin/python bench/run.py --size large          # 200 schools, 12,000 staff
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coachloop_bench .venv/bin/python bench/run.py

Each size gets its own SQLite file under var/ (generated once, then reused), unless DATABASE_URL
names a database. Requests go through Django's test client in-process, as the administrator (the
widest scope), so the time is the server's own: URL routing, middleware, policy, queries and
template rendering, without network or browser. Results are printed and written to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URLS = ["/dashboard/", "/people/", "/people/?q=ann", "/api/people", "/api/me", "/organisations/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["demo", "large"], default="demo")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per URL")
    args = parser.parse_args()

    os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{ROOT / 'var' / f'bench-{args.size}.sqlite3'}"
    )
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "coachloop.settings"
    (ROOT / "var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from coachloop.accounts.models import User
    from coachloop.demo.generator import generate
    from coachloop.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    if not Organisation.objects.exists():
        started = time.perf_counter()
        generate(size=args.size, seed=2026)
        print(f"generated the {args.size} dataset in {time.perf_counter() - started:.1f} s")
    admin = User.objects.get(email="admin@demo.coachloop.test")
    client = Client()
    client.force_login(admin)

    rows = []
    for url in URLS:
        client.get(url)  # warm up
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return execute(sql, params, many, context)

        # execute_wrapper survives the reconnect at each request's end (a query log would not)
        with connection.execute_wrapper(count):
            status = client.get(url).status_code
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        rows.append(
            {
                "url": url,
                "status": status,
                "queries": len(executed),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            }
        )

    people = User.objects.count()
    vendor = connection.vendor
    print(f"\n{args.size} dataset on {vendor}: {people} people, {args.requests} requests per URL")
    print(f"{'URL':<18} {'status':>6} {'queries':>8} {'median ms':>10} {'p95 ms':>8}")
    for r in rows:
        print(
            f"{r['url']:<18} {r['status']:>6} {r['queries']:>8} "
            f"{r['median_ms']:>10} {r['p95_ms']:>8}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{args.size}-{vendor}.json").write_text(
        json.dumps({"size": args.size, "vendor": vendor, "people": people, "rows": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
