"""Benchmark: a day built hour by hour as the archive publishes it, against building it at once.

    python -m bench.hourly [--hourly-hours 24] [--hourly-hour-mb 25] [--hourly-dev-hours 3]

Generated hours (2015-style by default) are published under yesterday's (UTC) names on the loopback
mirror of the tests: the day has ended but is not complete until its last hour is in, as yesterday
is after midnight. One CLI run (every table, `dagster asset materialize`, a fresh process) builds
the day with all its hours at once; then, in a second instance and folder, the hours are published
one by one with a run of the day after each, as `gharchive_hour_sensor` asks for them. Printed: the
CPU (whole process tree) and wall of both ways. Then `make dev` (webserver and daemon, in a third
folder) runs with the hour sensor on: after the first hour's rows are in, each of the next
`--hourly-dev-hours` hours is published and timed to the moment the day's `events` file holds its
rows (the sensor's tick, the daemon's dequeue, the run's start and work): the longest is the goal's
figure (without such hours: the sensor's interval plus the median wall of an hour's run, a bound).
And a CLI run of an asset that does nothing (`bench/empty_definitions.py`) gives the floor every
run from a fresh process pays, whatever its work: what a run per hour costs before any of it.
Bytecode is compiled at install, as `make sync` does (PYTHONDONTWRITEBYTECODE=1 for the CLI runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from statistics import median

from bench.end_to_end import BENCH, VENV_BIN, base_env, become_subreaper, run_tree
from bench.generate import ensure
from gh_assets.defs.hour_sensor import hour_sensor
from gh_assets.tables.catalogue import EVENTS
from gh_assets.tables.storage import Storage
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror
from gh_assets_tests.harnesses.dagster_dev import dagster_dev
from gh_assets_tests.harnesses.processes import wait_for

GOALS = {"hour by hour / at once, CPU": 1.3, "publication to queryable rows, s": 90.0}


def materialize(day: dt.date, mirror: ArchiveMirror, home: Path, tables: Path) -> dict:
    """One CLI run of every table over `day`: wall and CPU of the process tree."""
    env = base_env() | {
        "DAGSTER_HOME": str(home),
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": str(tables),
        "GH_ASSETS_DASK_MODE": "local",
    }
    command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-m", "gh_assets.definitions"]
    command += ["--select", "gharchive_manifest*", "--partition", day.isoformat()]
    result = run_tree(command, env, home, home / "run.log")
    if result["exit_code"]:
        raise RuntimeError(f"the run of {day} failed; see {home / 'run.log'}")
    return result


def empty_run(folder: Path) -> dict:
    """A CLI run of an asset that does nothing (`bench/empty_definitions.py`): wall and CPU."""
    home, _ = instance_in(folder)
    definitions = Path(__file__).with_name("empty_definitions.py")
    command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-f", str(definitions)]
    result = run_tree([*command, "--select", "nothing"], base_env(), home, home / "run.log")
    if result["exit_code"]:
        raise RuntimeError(f"the run of nothing failed; see {home / 'run.log'}")
    return result


def instance_in(folder: Path) -> tuple[Path, Path]:
    home, tables = folder / "dagster_home", folder / "tables"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return home, tables


def measure(args: argparse.Namespace) -> dict:
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    hours = ensure(
        args.hourly_style, args.hourly_hour_mb, args.hourly_hours, args.seed, args.data_dir / "gen"
    )
    work = Path(tempfile.mkdtemp(prefix="hourly-", dir=args.data_dir.resolve()))
    archive = work / "archive"
    archive.mkdir()
    names = [f"{day.isoformat()}-{hour.name.rsplit('-', 1)[1]}" for hour in hours]
    try:
        become_subreaper()
        with ArchiveMirror(archive) as mirror:
            for hour, name in zip(hours, names, strict=True):
                os.link(hour, archive / name)
            at_once = materialize(day, mirror, *instance_in(work / "at-once"))
            for name in names:
                (archive / name).unlink()
            home, tables = instance_in(work / "hourly")
            hourly = []
            for hour, name in zip(hours, names, strict=True):
                os.link(hour, archive / name)  # the archive publishes the next hour
                hourly.append(materialize(day, mirror, home, tables))
        floor = empty_run(work / "empty")
        latencies = under_make_dev(day, hours, names, work / "dev", args.hourly_dev_hours)
    finally:
        if not args.hourly_keep:
            shutil.rmtree(work, ignore_errors=True)
    return summarize(at_once, hourly, floor, latencies, args)


def under_make_dev(
    day: dt.date, hours: list[Path], names: list[str], folder: Path, samples: int
) -> list[float]:
    """`make dev` with `gharchive_hour_sensor` on: the seconds from each of `samples` hours'
    publication to the day's `events` holding its rows (after a first run of the day's first
    hour), with the daemon's ticks and dequeue, the run's start and its work all in them."""
    if samples < 1:
        return []
    archive, home = folder / "archive", folder / "home"
    archive.mkdir(parents=True)
    home.mkdir()
    storage = Storage(str(folder / "tables"))
    events = storage.day_file(EVENTS.name, day)

    def rows() -> int:
        return storage.row_count(events) if storage.fs.exists(events) else 0

    latencies = []
    with (
        ArchiveMirror(archive) as mirror,
        dagster_dev(home, folder / "tables", mirror, folder / "dev.log") as dev,
    ):
        os.link(hours[0], archive / names[0])
        before = dt.datetime.combine(day, dt.time(), dt.UTC) - dt.timedelta(hours=1)
        dev.start_sensor(hour_sensor.name, cursor=before.isoformat())
        wait_for(rows, 300, "the first hour's rows", every=0.2)
        for hour, name in list(zip(hours, names, strict=True))[1 : samples + 1]:
            held = rows()
            published = time.monotonic()
            os.link(hour, archive / name)
            wait_for(lambda held=held: rows() > held, 300, f"the rows of {name}", every=0.2)
            latencies.append(time.monotonic() - published)
    return latencies


def summarize(
    at_once: dict, hourly: list[dict], floor: dict, latencies: list[float], args: argparse.Namespace
) -> dict:
    interval = hour_sensor.minimum_interval_seconds
    hour_run = median(run["wall_s"] for run in hourly)
    figures = {
        "at once": {"wall_s": at_once["wall_s"], "cpu_s": at_once["cpu_s"], "runs": 1},
        "hour by hour": {
            "wall_s": sum(run["wall_s"] for run in hourly),
            "cpu_s": sum(run["cpu_s"] for run in hourly),
            "runs": len(hourly),
        },
    }
    values = {
        "hour by hour / at once, CPU": figures["hour by hour"]["cpu_s"] / at_once["cpu_s"],
        # the longest measured under make dev; without a measure, the bound: the longest wait
        # for a tick, then a run
        "publication to queryable rows, s": max(latencies, default=interval + hour_run),
    }
    return {
        "hours": args.hourly_hours,
        "style": args.hourly_style,
        "hour_mb": args.hourly_hour_mb,
        "runs": {name: {k: round(v, 2) for k, v in f.items()} for name, f in figures.items()},
        "hour_run_wall_s": round(hour_run, 2),
        "sensor_interval_s": interval,
        "hour_run_cpu_s": round(median(run["cpu_s"] for run in hourly), 2),
        "empty_run_cpu_s": round(floor["cpu_s"], 2),
        # what the hour-by-hour runs cost before any work, against the at-once day
        "empty_runs_over_at_once_cpu": round(len(hourly) * floor["cpu_s"] / at_once["cpu_s"], 2),
        "publication_to_rows_under_dev_s": [round(latency, 1) for latency in latencies],
        "goals": [
            {
                "goal": f"{name} <= {bound:g}",
                "value": round(values[name], 3),
                "met": values[name] <= bound,
            }
            for name, bound in GOALS.items()
        ],
    }


def print_summary(result: dict) -> None:
    print(
        f"A day of {result['hours']} {result['style']}-style hours of {result['hour_mb']:g} MB, "
        "built at once and hour "
        "by hour (every table, a CLI run from a fresh process each):"
    )
    print(f"{'way':<14} {'runs':>5} {'wall s':>8} {'CPU s':>8}")
    for name, f in result["runs"].items():
        print(f"{name:<14} {f['runs']:>5.0f} {f['wall_s']:>8.1f} {f['cpu_s']:>8.1f}")
    print(
        f"  an hour's run: median wall {result['hour_run_wall_s']:.1f} s, CPU "
        f"{result['hour_run_cpu_s']:.1f} s; the hour sensor ticks every "
        f"{result['sensor_interval_s']} s at most"
    )
    print(
        f"  a run of an asset that does nothing: {result['empty_run_cpu_s']:.1f} s CPU; "
        f"{result['runs']['hour by hour']['runs']:.0f} of them alone are "
        f"{result['empty_runs_over_at_once_cpu']:.2f}x the at-once day's CPU"
    )
    if latencies := result["publication_to_rows_under_dev_s"]:
        print(
            f"  under make dev with the hour sensor on, from an hour's publication to its rows: "
            f"{', '.join(f'{latency:.1f}' for latency in latencies)} s"
        )
    for goal in result["goals"]:
        print(f"  goal {goal['goal']}: {goal['value']} -> {'met' if goal['met'] else 'NOT met'}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hourly-hours", type=int, default=24, help="hours of the day")
    p.add_argument("--hourly-style", default="2015", choices=["2015", "2020"], help="hour format")
    p.add_argument("--hourly-hour-mb", type=float, default=25.0, help="MB per generated hour")
    p.add_argument("--hourly-keep", action="store_true", help="keep the runs' folder (logs)")
    p.add_argument(
        "--hourly-dev-hours",
        type=int,
        default=3,
        help="hours published under make dev, each timed to its rows (0: none)",
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add_arguments(p)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--data-dir", type=Path, default=BENCH / ".data")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()
    result = measure(args)
    print_summary(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
