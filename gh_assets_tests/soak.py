"""The soak: 30 generated days through a loopback mirror that injects faults at random (seeded).

Run with `make soak`. Every day is checked against rows computed independently of the pipeline;
the figures printed are the ones the README quotes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import dagster as dg

from gh_assets.defs.assets import archive_tables, gharchive_manifest
from gh_assets.defs.resources import (
    ArchiveResource,
    DaskResource,
    RebuildResource,
    StorageResource,
)
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.oracles.expected import expected_rows
from gh_assets_tests.oracles.gharchive_contract import commit_sort_key, push_sort_key
from gh_assets_tests.oracles.tables_read import read_day
from gh_assets_tests.synthetic.days import fake_day

FIRST_DAY = dt.date(2014, 12, 20)  # the timeline era, then the Events API from 2015-01-01


def row_keys(rows: list[dict], sort_key) -> Counter:
    """Rows as comparable keys that ignore event_id (timeline ids are derived)."""
    return Counter(sort_key(row) for row in rows)


def soak(days: int, seed: int, fault_rate: float, workdir: Path) -> bool:
    mirror_root, tables = workdir / "mirror", workdir / "tables"
    calendar = [FIRST_DAY + dt.timedelta(days=n) for n in range(days)]
    fakes = {
        day: fake_day(day, seed=seed + n, hours=range(0, 24, 4)) for n, day in enumerate(calendar)
    }
    for fake in fakes.values():
        fake.write(mirror_root)
    with ArchiveMirror(mirror_root, stall_seconds=2) as mirror, dg.instance_for_test() as instance:
        mirror.random_faults(fault_rate, seed)
        started = time.monotonic()
        result = dg.materialize(
            [gharchive_manifest, archive_tables],
            resources={
                "archive": ArchiveResource(
                    base_url=mirror.base_url, timeout_seconds=1, backoff_seconds=0.05
                ),
                "storage": StorageResource(url=str(tables)),
                "dask": DaskResource(mode="local"),
                "rebuild": RebuildResource(),
            },
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": calendar[0].isoformat(),
                "dagster/asset_partition_range_end": calendar[-1].isoformat(),
            },
            raise_on_error=False,
        )
        seconds = time.monotonic() - started
        injected = mirror.faults_injected
    correct = lost = duplicated = 0
    for day, fake in fakes.items():
        pushes, commits = expected_rows(fake)
        try:
            actual = read_day(tables, "push_events", day), read_day(tables, "commits", day)
        except FileNotFoundError:
            lost += len(pushes) + len(commits)
            continue
        day_lost = day_duplicated = 0
        for got, want, key in (
            (actual[0], pushes, push_sort_key),
            (actual[1], commits, commit_sort_key),
        ):
            got_keys, want_keys = row_keys(got, key), row_keys(want, key)
            day_lost += sum((want_keys - got_keys).values())
            day_duplicated += sum((got_keys - want_keys).values())
        lost += day_lost
        duplicated += day_duplicated
        correct += day_lost == day_duplicated == 0
    total_faults = sum(injected.values())
    print(
        f"run: {'succeeded' if result.success else 'FAILED'} in {seconds:.1f}s (seed {seed}, "
        f"fault rate {fault_rate:.0%} of GETs)"
    )
    print(f"days correct / days run: {correct} / {days}")
    by_kind = ", ".join(f"{kind} {count}" for kind, count in sorted(injected.items()))
    print(f"faults injected: {total_faults} ({by_kind})")
    print(f"faults survived: {total_faults if result.success else 0}")
    print(f"rows lost: {lost}")
    print(f"duplicate rows: {duplicated}")
    return result.success and correct == days and lost == duplicated == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fault-rate", type=float, default=0.25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gh-assets-soak-") as workdir:
        ok = soak(args.days, args.seed, args.fault_rate, Path(workdir))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
