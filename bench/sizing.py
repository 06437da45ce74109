"""Coiled runs on paper: how many workers, how long, what it costs, and where the bound is.

    .venv/bin/python -m bench.sizing --year 2021 [--download-mb-s 40] [--vcpus 4] [--usd-hour 0.2]

From figures measured here (`bench/latest.json`, written by `make bench`): the transform's CPU
(every table, as the daily job reads them) per compressed MB of each generated style (2015-style
hours for the years to 2016, 2020-style after: pull requests and reviews grow the files more than
pushes do), its publish per day, and the archive's hour sizes by year (GH Archive, compressed;
see ../shared/GHARCHIVE.md). The download rate of one worker (`--download-mb-s`: what one VM gets
from data.gharchive.org or a bucket copy) and a cluster's start-up are
parameters: this machine cannot measure them.

Model: each hourly file is one task on one worker thread (one per vCPU). A worker goes through
files at the lower of two rates: its vCPUs over the CPU per file (CPU-bound) or its download rate
over the file size (network-bound; a task streams its download into the transform), and all
workers together at most at the archive's own rate (`--archive-mb-s`, if given). Work comes in
rounds of `workers x vCPUs` files, so workers beyond `files / vCPUs` only wait; the publish of a
day follows its last file. A run costs its workers' time from the start, start-up included, plus
the scheduler. The advice is the worker count whose work takes about as long as the start-up:
past it, the start-up dominates and more workers mostly add cost (each bills it), and with
`--archive-mb-s` no more than the archive can feed.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# Compressed MB of one hour, by year (GH Archive; ../shared/GHARCHIVE.md): 2011 ~0.5, 2015 ~6,
# 2018 ~38, 2021 ~100; in between, interpolated geometrically.
HOUR_MB = {2011: 0.5, 2015: 6.0, 2018: 38.0, 2021: 100.0, 2025: 100.0}
# Used when bench/latest.json lacks the figures (this machine, `make bench` of 2026-11-30): the
# transform's CPU seconds per compressed MB, every table; the publish's, from the week end to end.
DEFAULT_CPU_S_PER_MB = {"2015": 0.0666, "2020": 0.0441}
PUBLISH_CPU_S_PER_MB = 0.004


@dataclass(frozen=True)
class Era:
    year: int
    hour_mb: float
    cpu_s_per_mb: float
    style: str

    @property
    def file_cpu_s(self) -> float:
        return self.hour_mb * self.cpu_s_per_mb


@dataclass(frozen=True)
class Plan:
    workers: int
    minutes: float
    usd: float
    bound: str
    busy_threads: int


def hour_mb(year: int) -> float:
    """Compressed size of one hour of `year`, interpolated between the known years."""
    known = sorted(HOUR_MB)
    if year <= known[0]:
        return HOUR_MB[known[0]]
    if year >= known[-1]:
        return HOUR_MB[known[-1]]
    low = max(y for y in known if y <= year)
    high = min(y for y in known if y >= year)
    if low == high:
        return HOUR_MB[low]
    share = (year - low) / (high - low)
    return HOUR_MB[low] * (HOUR_MB[high] / HOUR_MB[low]) ** share


def measured_cpu_s_per_mb(latest: Path) -> dict[str, float]:
    """Transform CPU per compressed MB of each style, from `make bench`'s per-file scenarios."""
    found = dict(DEFAULT_CPU_S_PER_MB)
    if latest.exists():
        scenarios = json.loads(latest.read_text()).get("scenarios", {})
        for style in found:
            scenario = scenarios.get(f"synthetic-{style}", {})
            results = scenario.get("results", {})
            # the daily job reads every table: the all-tables reading, else the push tables'
            result = (results.get("gh_assets_all") or results.get("gh_assets") or {}).get("1")
            if isinstance(result, dict) and scenario.get("gz_bytes"):
                found[style] = result["cpu_s"] / (scenario["gz_bytes"] / 1e6)
    return found


def era_of(year: int, cpu_s_per_mb: dict[str, float]) -> Era:
    style = "2015" if year <= 2016 else "2020"
    return Era(year, hour_mb(year), cpu_s_per_mb[style], style)


def plan(
    era: Era,
    days: int,
    workers: int,
    vcpus: int,
    download_mb_s: float,
    start_s: float,
    usd_hour: float,
    scheduler_usd_hour: float,
    archive_mb_s: float | None = None,
) -> Plan:
    files = 24 * days
    threads = workers * vcpus
    cpu_rate = 1 / era.file_cpu_s  # files a second, one thread
    net_rate = download_mb_s / vcpus / era.hour_mb  # files a second, one thread's share
    rate = min(cpu_rate, net_rate)
    bound = "CPU" if cpu_rate <= net_rate else "network"
    work_s = math.ceil(files / threads) / rate
    if archive_mb_s and files * era.hour_mb / archive_mb_s > work_s:
        work_s, bound = files * era.hour_mb / archive_mb_s, "archive"
    publish_s = 24 * era.hour_mb * PUBLISH_CPU_S_PER_MB
    seconds = start_s + work_s + publish_s
    usd = (workers * usd_hour + scheduler_usd_hour) * seconds / 3600
    return Plan(workers, seconds / 60, usd, bound, min(files, threads))


def advised_workers(era: Era, days: int, args: argparse.Namespace) -> int:
    """Workers whose work takes about as long as the start-up, within what is useful."""
    one = plan(era, days, 1, args.vcpus, args.download_mb_s, 0.0, 0.0, 0.0)
    wanted = math.ceil(one.minutes * 60 / args.start_s)
    useful = math.ceil(24 * days / args.vcpus)  # beyond that, workers only wait
    if args.archive_mb_s:  # beyond that, the archive cannot feed them
        per_worker = min(args.download_mb_s, args.vcpus * era.hour_mb / era.file_cpu_s)
        useful = min(useful, math.ceil(args.archive_mb_s / per_worker))
    return max(1, min(wanted, useful))


def plans(era: Era, days: int, args: argparse.Namespace) -> tuple[list[Plan], int]:
    useful = math.ceil(24 * days / args.vcpus)
    advised = advised_workers(era, days, args)
    counts = sorted({n for n in (1, 2, 5, 10, 20, 40, 80, 160, 320) if n <= useful} | {advised})
    options = [
        plan(
            era,
            days,
            n,
            args.vcpus,
            args.download_mb_s,
            args.start_s,
            args.usd_hour,
            args.scheduler_usd_hour,
            args.archive_mb_s,
        )
        for n in counts
    ]
    return options, advised


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--year", type=int, default=2021, help="the archive's year to size for")
    p.add_argument("--vcpus", type=int, default=4, help="vCPUs of a worker VM (threads)")
    p.add_argument("--download-mb-s", type=float, default=40.0, help="one worker's download MB/s")
    p.add_argument("--start-s", type=float, default=150.0, help="cluster start-up, seconds")
    p.add_argument("--usd-hour", type=float, default=0.07, help="price of a worker VM an hour")
    p.add_argument("--scheduler-usd-hour", type=float, default=0.07, help="the scheduler's")
    p.add_argument("--archive-mb-s", type=float, help="the archive's total MB/s to all workers")
    p.add_argument("--latest", type=Path, default=BENCH / "latest.json")
    args = p.parse_args(argv)
    era = era_of(args.year, measured_cpu_s_per_mb(args.latest))
    print(
        f"{args.year}: hours of ~{era.hour_mb:.1f} MB compressed, {era.file_cpu_s:.2f} s of CPU "
        f"each ({era.cpu_s_per_mb * 1000:.1f} ms/MB, measured on {era.style}-style hours); "
        f"workers of {args.vcpus} vCPUs downloading {args.download_mb_s:g} MB/s, "
        f"{args.start_s:g} s to start, ${args.usd_hour:g}/h"
    )
    for label, days in (("a month", 30), ("a year", 365)):
        options, advised = plans(era, days, args)
        print(f"\n{label} ({24 * days} files, {24 * days * era.hour_mb / 1000:,.1f} GB):")
        print("  workers  minutes  cost USD  bound    threads busy")
        for option in options:
            mark = "  <- GH_ASSETS_COILED_MAX_WORKERS" if option.workers == advised else ""
            print(
                f"  {option.workers:7d}  {option.minutes:7.1f}  {option.usd:8.2f}  "
                f"{option.bound:7s}  {option.busy_threads:12d}{mark}"
            )
    print(
        "\nThe mark: the workers whose work takes about as long as the start-up; beyond, the "
        "start-up dominates and every worker bills it. Network-bound rows get no faster with more "
        "vCPUs per worker; a bucket copy in the workers' region (GH_ASSETS_SOURCE_URL=s3://...) "
        "raises --download-mb-s."
    )


if __name__ == "__main__":
    main()
