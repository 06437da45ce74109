"""Benchmark: what re-running a range costs against building it, whole CLI runs.

    .venv/bin/python -m bench.rerun [--days 30] [--hour-mb 25] [--reps 3]

Builds a range of generated 2015-style days (every table, as the daily job does) with the CLI
from a fresh process, then runs the same range again unchanged, and again with one day's hour
uploaded again (a new Last-Modified): each run's wall time, CPU time (the whole process tree)
and the bytes the archive sent. The archive is the loopback mirror of the tests, so what is
downloaded is counted; every run is a fresh `dagster asset materialize` process over one
instance, its bytecode compiled at install as `make sync` does (PYTHONDONTWRITEBYTECODE=1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from statistics import median

from bench.end_to_end import BENCH, VENV_BIN, base_env, become_subreaper, link_days, run_tree
from bench.generate import ensure
from gh_assets_tests.harnesses.archive_mirror import ArchiveMirror

FIRST_DAY = dt.date(2015, 1, 5)
GOALS = {"unchanged / build, wall": 0.05, "one day changed / build, wall": 1 / 20}


def materialize(days: list[dt.date], mirror: ArchiveMirror, home: Path, tables: Path) -> dict:
    """One CLI run of every table over `days`: wall, CPU and the bytes the archive sent."""
    env = base_env() | {
        "DAGSTER_HOME": str(home),
        "GH_ASSETS_SOURCE_URL": mirror.base_url,
        "GH_ASSETS_STORAGE": str(tables),
        "GH_ASSETS_DASK_MODE": "local",
    }
    command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-m", "gh_assets.definitions"]
    command += ["--select", "gharchive_manifest*"]
    command += ["--partition-range", f"{days[0]}...{days[-1]}"]
    since = len(mirror.requests)
    result = run_tree(command, env, home, home / "run.log")
    sent = mirror.files_sent(since)
    result["downloaded_mb"] = sum((mirror.root / name).stat().st_size for name in sent) / 1e6
    result["files_downloaded"] = len(sent)
    return result


def measure(args: argparse.Namespace) -> dict:
    days = [FIRST_DAY + dt.timedelta(days=i) for i in range(args.rerun_days)]
    hours = ensure("2015", args.rerun_hour_mb, 24, args.seed, args.data_dir / "gen")
    work = Path(tempfile.mkdtemp(prefix="rerun-", dir=args.data_dir.resolve()))
    try:
        source = link_days(hours, days, work / "archive")
        home, tables = work / "dagster_home", work / "tables"
        home.mkdir()
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        for path in source.iterdir():  # in the page cache for every run alike
            path.read_bytes()
        become_subreaper()
        with ArchiveMirror(source) as mirror:
            runs = {"build": [materialize(days, mirror, home, tables)]}
            for rep in range(args.rerun_reps):
                runs.setdefault("unchanged", []).append(materialize(days, mirror, home, tables))
                changed = source / f"{days[rep % len(days)]}-0.json.gz"
                changed.unlink()  # uploaded again: a new file (a hard link shares its times)
                shutil.copy(hours[0], changed)
                os.utime(changed, (changed.stat().st_mtime + 1 + rep,) * 2)
                runs.setdefault("one day changed", []).append(
                    materialize(days, mirror, home, tables)
                )
        failed = [name for name, results in runs.items() if any(r["exit_code"] for r in results)]
        if failed:
            raise RuntimeError(f"runs failed: {failed}; see {home / 'run.log'}")
    finally:
        if not args.rerun_keep:
            shutil.rmtree(work, ignore_errors=True)
    return summarize(runs, args)


def summarize(runs: dict[str, list[dict]], args: argparse.Namespace) -> dict:
    figures = {
        name: {
            key: round(median(r[key] for r in results), 2)
            for key in ("wall_s", "cpu_s", "downloaded_mb", "files_downloaded")
        }
        for name, results in runs.items()
    }
    build = figures["build"]
    ratios = {
        "unchanged / build, wall": figures["unchanged"]["wall_s"] / build["wall_s"],
        "unchanged / build, CPU": figures["unchanged"]["cpu_s"] / build["cpu_s"],
        "one day changed / build, wall": figures["one day changed"]["wall_s"] / build["wall_s"],
        "one day changed / build, CPU": figures["one day changed"]["cpu_s"] / build["cpu_s"],
    }
    return {
        "days": args.rerun_days,
        "hour_mb": args.rerun_hour_mb,
        "reps": args.rerun_reps,
        "runs": figures,
        "ratios": {name: round(ratio, 4) for name, ratio in ratios.items()},
        "goals": [
            {
                "goal": f"{name} <= {bound:.2f}",
                "value": round(ratios[name], 4),
                "met": ratios[name] <= bound,
            }
            for name, bound in GOALS.items()
        ]
        + [
            {
                "goal": "unchanged: 0 bytes downloaded",
                "value": figures["unchanged"]["downloaded_mb"],
                "met": figures["unchanged"]["files_downloaded"] == 0,
            }
        ],
    }


def print_summary(result: dict) -> None:
    print(
        f"Re-running a {result['days']}-day range (every table, CLI from a fresh process, "
        f"{result['hour_mb']:g} MB per generated hour; median of {result['reps']} re-runs):"
    )
    print(f"{'run':<18} {'wall s':>8} {'CPU s':>8} {'downloaded MB':>14} {'files':>6}")
    for name, f in result["runs"].items():
        print(
            f"{name:<18} {f['wall_s']:>8.1f} {f['cpu_s']:>8.1f} {f['downloaded_mb']:>14.1f} "
            f"{f['files_downloaded']:>6.0f}"
        )
    for name, ratio in result["ratios"].items():
        print(f"  {name}: {ratio:.3f}")
    for goal in result["goals"]:
        print(f"  goal {goal['goal']}: {goal['value']} -> {'met' if goal['met'] else 'NOT met'}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rerun-days", dest="rerun_days", type=int, default=30, help="days in the range"
    )
    p.add_argument("--rerun-hour-mb", type=float, default=25.0, help="MB per generated hour")
    p.add_argument("--rerun-reps", type=int, default=3, help="re-runs of each kind")
    p.add_argument("--rerun-keep", action="store_true", help="keep the re-runs' folder (logs)")


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
