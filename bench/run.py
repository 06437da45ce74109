"""Benchmark: per-file GH Archive transform against decompression floors, Dask 2021 and DuckDB.

    .venv/bin/python -m bench.run [--quick] [--reps 3] [--procs 1 2] [--mb 100] [--hours 4] ...

Scenarios: ``synthetic-<style>`` (generated hours, all approaches), ``real`` (the real 2015-01-01-1
hour), ``day`` (a day of hours: 1 -> 2 worker scaling), ``memory`` (one large 2020-style hour) and
``e2e`` (the CLI run of a week and of a day against the DuckDB one-liner: bench.end_to_end) and
``rerun`` (re-running a 30-day range, unchanged and with one day changed, against building it:
bench.rerun), ``hourly`` (a day built hour by hour as the archive publishes it, against at once:
bench.hourly) and ``asset-page`` (the UI's asset pages on PostgreSQL with a year materialized:
bench.asset_page).
Each measurement runs in a fresh process (see bench.approaches). Prints the tables and writes the
figures to bench/latest.json. MB = 1e6 bytes, for throughput and RSS alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from statistics import median
from typing import Any

from bench import asset_page, end_to_end, hourly, rerun
from bench.approaches import FLOORS, RESULT_PREFIX, RUNNERS
from bench.generate import MB, ensure

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
REAL_HOUR = (
    Path(__file__).resolve().parents[2]
    / "shared/gharchive-samples/py-gh-archive__2015-01-01-1.json.gz"
)
ALL = list(RUNNERS)
ROWS_OF = {"gh_assets_events": "event_rows"}  # the rows column: commit rows unless said here
TARGETS = {  # (approach, reference, bound): seconds ratio approach / reference
    "gh_assets <= 1.5x isal floor": ("gh_assets", "floor_isal_lines", "<=", 1.5),
    "approach_2021 >= 8x gh_assets": ("approach_2021", "gh_assets", ">=", 8.0),
    "duckdb >= 2x gh_assets": ("duckdb", "gh_assets", ">=", 2.0),
    "gh_assets_events <= 3x isal floor": ("gh_assets_events", "floor_isal_lines", "<=", 3.0),
}
RSS_TARGET_MB = {"gh_assets": 300.0, "gh_assets_events": 400.0}
SCALING_TARGET = 1.8
DAY_CPU_TARGET = 2.5
VERSIONS_OF = ("dask", "distributed", "duckdb", "pyarrow", "isal", "orjson")


@dataclass
class Scenario:
    """A set of files and the approaches / process counts measured on it."""

    name: str
    files: list[Path]
    approaches: list[str]
    procs: list[int]
    reps: int
    stats: dict[str, int] = field(default_factory=dict)


# --- input statistics (cached) ---------------------------------------------------------------
def _file_stats(path: str) -> dict[str, int]:
    """Uncompressed bytes, lines, push events and listed commits of one hour file."""
    import orjson
    from isal import igzip

    s = dict.fromkeys(["bytes", "events", "push_events", "commits"], 0)
    s["gz_bytes"] = os.path.getsize(path)
    with igzip.open(path, "rb") as f:
        for line in f:
            s["bytes"] += len(line)
            s["events"] += bool(line.strip())
            if b'"PushEvent"' in line:
                e = orjson.loads(line)
                if e.get("type") == "PushEvent":
                    s["push_events"] += 1
                    s["commits"] += len(e["payload"].get("commits") or [])
    return s


def dataset_stats(files: list[Path], cache_file: Path) -> dict[str, int]:
    """Summed statistics of ``files``, computed once per (path, size, mtime)."""
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    keys = {f: f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files}
    todo = [f for f in files if keys[f] not in cache]
    if todo:
        with ProcessPoolExecutor(min(len(todo), os.cpu_count() or 1)) as ex:
            for f, s in zip(todo, ex.map(_file_stats, map(str, todo)), strict=True):
                cache[keys[f]] = s
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(cache, indent=1))
    total: dict[str, int] = {}
    for f in files:
        for k, v in cache[keys[f]].items():
            total[k] = total.get(k, 0) + v
    return total


def warm_page_cache(files: Iterable[Path]) -> None:
    for f in files:
        with f.open("rb") as fh:
            while fh.read(1 << 24):
                pass


# --- one measurement -------------------------------------------------------------------------
def subprocess_env(no_bytecode_dir: Path | None) -> dict[str, str]:
    """Environment of the measuring processes: repo importable, never writing bytecode.

    `make bench` installs with bytecode compiled (`make sync`), so the processes find it as a fresh
    install does; with `no_bytecode_dir` (an empty folder as PYTHONPYCACHEPREFIX) they find none
    and compile every import, as an install without it would.
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("PYTHONPYCACHEPREFIX", None)
    if no_bytecode_dir:
        env["PYTHONPYCACHEPREFIX"] = str(no_bytecode_dir)
    return env


def run_one(spec: dict[str, Any], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Measure once in a fresh interpreter; returns its result dict (or {"error": ...})."""
    out = Path(spec["out"])
    shutil.rmtree(out, ignore_errors=True)
    try:
        p = subprocess.run(
            [sys.executable, "-m", "bench.approaches", json.dumps(spec)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
    if not lines:
        return {"error": f"exit {p.returncode}: {tail}"}
    result = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    if p.returncode:  # measured, then crashed while shutting down
        result["note"] = f"exit {p.returncode} after the measurement: {tail}"
    return result


def run_scenario(
    sc: Scenario, args: argparse.Namespace, env: dict[str, str], skip: dict[str, str]
) -> dict:
    """All reps of all (approach, procs) pairs, reps outermost; failures stop that approach."""
    runs: dict[str, dict[int, list[dict]]] = {a: {p: [] for p in sc.procs} for a in sc.approaches}
    failed: dict[str, str] = {}
    notes: list[str] = []
    for rep in range(1, sc.reps + 1):
        for a in sc.approaches:
            for p in sc.procs:
                if a in skip or a in failed:
                    continue
                out = args.work_dir / sc.name / f"{a}-p{p}"
                spec = {
                    "approach": a,
                    "procs": p,
                    "files": list(map(str, sc.files)),
                    "out": str(out),
                }
                r = run_one(spec, env, args.timeout)
                tag = f"[{sc.name}] rep {rep}/{sc.reps} {a} P={p}"
                if "note" in r or "error" in r:
                    notes.append(f"WARNING {tag}: {r.get('note') or r['error']}")
                    log(notes[-1])
                if "unavailable" in r:
                    skip[a] = r["unavailable"]
                    log(f"{tag}: unavailable: {r['unavailable']}")
                elif "error" in r:
                    failed[a] = r["error"]  # no more runs of it here; earlier runs still count
                else:
                    runs[a][p].append(r)
                    log(
                        f"{tag}: {r['seconds']:.3f} s, CPU {r['cpu_s']:.2f} s, "
                        f"start-up {r['startup_s']:.2f} s, "
                        f"peak RSS {r['peak_rss_mb']:.0f} MB, rows {r['rows'] or r['count']}"
                    )
    missing = {a: {"unavailable": skip[a]} for a in sc.approaches if a in skip}
    missing |= {a: {"error": e} for a, e in failed.items() if not any(runs[a].values())}
    summary = summarize(sc, runs, missing)
    summary["warnings"] += notes
    return summary


# --- summary ---------------------------------------------------------------------------------
def summarize(sc: Scenario, runs: dict[str, dict[int, list[dict]]], missing: dict) -> dict:
    """Median seconds per (approach, procs), throughput, peak RSS, row checks and ratios."""
    st = sc.stats
    res: dict[str, Any] = {}
    warnings: list[str] = []
    for a, by_p in runs.items():
        if a in missing:
            res[a] = missing[a]
            continue
        for p, rs in by_p.items():
            if not rs:
                continue
            secs = median(r["seconds"] for r in rs)
            rows = rs[-1]["count"] if a in FLOORS else rs[-1][ROWS_OF.get(a, "rows")]
            res.setdefault(a, {})[str(p)] = {
                "seconds": secs,
                "startup_s": median(r["startup_s"] for r in rs),
                "cpu_s": median(r["cpu_s"] for r in rs),
                "mb_per_s": st["bytes"] / MB / secs,
                "events_per_s": st["events"] / secs,
                "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
                "worker_rss_mb": rs[-1]["worker_rss_mb"],
                "rows": rows,
                "runs_s": [round(r["seconds"], 4) for r in rs],
            }
            warnings += row_warnings(sc.name, a, p, rs[-1], st)
    for by_p in res.values():
        for p, r in by_p.items():
            if isinstance(r, dict):
                r["x_isal"] = _ratio(r, res, "floor_isal_lines", p)
                r["x_gh_assets"] = _ratio(r, res, "gh_assets", p)
    return {"files": [f.name for f in sc.files], **st, "results": res, "warnings": warnings}


def load_note(name: str) -> list[str]:
    """Other processes competing for the CPUs make the figures noisy: say so."""
    load = os.getloadavg()[0]
    busy = load > 0.5 * (os.cpu_count() or 1)
    return [f"NOTE [{name}] load average {load:.1f} before the runs: figures are noisy"] * busy


def row_warnings(scenario: str, a: str, p: int, r: dict, st: dict[str, int]) -> list[str]:
    """Row counts that differ from the input's (commits listed in PushEvents, lines read)."""
    if a in FLOORS:
        checks = [("lines", r["count"], st["events"])] if r["count"] is not None else []
    elif a == "gh_assets_events":
        checks = [("event rows", r["event_rows"], st["events"])]
        checks += [("reported events", r["count"], st["events"])]
    else:
        checks = [("commit rows", r["rows"], st["commits"])]
    if a.startswith("gh_assets") and a != "gh_assets_events":
        checks += [("reported commits", r["count"], st["commits"])]
        checks += [("push_event rows", r["push_rows"], st["push_events"])]
    if a == "gh_assets_all":
        checks += [("event rows", r["event_rows"], st["events"])]
    return [
        f"WARNING [{scenario}] {a} P={p}: {what} {got} != expected {want}"
        for what, got, want in checks
        if got != want
    ]


def _ratio(r: dict, res: dict, ref: str, p: str) -> float | None:
    base = res.get(ref, {}).get(p)
    return r["seconds"] / base["seconds"] if isinstance(base, dict) else None


def evaluate_targets(scenarios: dict[str, dict]) -> list[dict]:
    """The issue's targets, for every scenario (and process count) that has the figures."""
    out = []
    for name, sc in scenarios.items():
        res = sc["results"]
        for label, (a, ref, op, bound) in TARGETS.items():
            for p, r in res.get(a, {}).items():
                base = res.get(ref, {}).get(p)
                if isinstance(r, dict) and isinstance(base, dict):
                    t = _target(
                        f"{label} [{name} P={p}]", r["seconds"] / base["seconds"], op, bound
                    )
                    out.append(t | {"cpu_ratio": round(r["cpu_s"] / base["cpu_s"], 3)})
        for approach, bound in RSS_TARGET_MB.items():
            gh = res.get(approach, {}).get("1")
            if name.startswith("memory") and isinstance(gh, dict):
                label = f"{approach} peak RSS MB [{name}]"
                out.append(_target(label, gh["peak_rss_mb"], "<=", bound))
        for p, day in res.get("gh_assets_day", {}).items():
            floor = res.get("floor_isal_lines", {}).get(p)
            if isinstance(day, dict) and isinstance(floor, dict):
                label = f"gh_assets_day CPU (transform + publish) / isal floor CPU [{name} P={p}]"
                out.append(_target(label, day["cpu_s"] / floor["cpu_s"], "<=", DAY_CPU_TARGET))
        d1, d2 = (res.get("gh_assets_dask", {}).get(p) for p in ("1", "2"))
        if name.startswith("day") and isinstance(d1, dict) and isinstance(d2, dict):
            t1, t2 = (d["startup_s"] + d["seconds"] for d in (d1, d2))
            label = f"gh_assets_dask 1->2 workers incl. start-up [{name}]"
            out.append(_target(label, t1 / t2, ">=", SCALING_TARGET))
    return out


def _target(name: str, value: float, op: str, bound: float) -> dict:
    ok = value <= bound if op == "<=" else value >= bound
    return {"target": name, "measured": round(value, 3), "bound": f"{op} {bound}", "ok": ok}


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


HEAD = (
    "scenario approach P seconds CPU_s start-up MB/s events/s peak_RSS_MB x_isal x_gh_assets rows"
)


def _measured(by_p: dict) -> bool:
    return not ({"unavailable", "error"} & by_p.keys())


def _row(name: str, a: str, p: str, r: dict) -> tuple[str, ...]:
    if "seconds" not in r:
        return (name, a, "-", "unavailable" if "unavailable" in r else "FAILED", *"-" * 8)
    return (
        *(name, a, p, f"{r['seconds']:.3f}", f"{r['cpu_s']:.2f}", f"{r['startup_s']:.2f}"),
        *(f"{r['mb_per_s']:.0f}", f"{r['events_per_s'] / 1e3:.0f}k", f"{r['peak_rss_mb']:.0f}"),
        *(_fmt(r["x_isal"], ".2f"), _fmt(r["x_gh_assets"], ".2f"), _fmt(r["rows"], ",")),
    )


def print_report(scenarios: dict[str, dict], targets: list[dict]) -> None:
    """The one table, then data sets, warnings and targets."""
    head = tuple(h.replace("_", " ") for h in HEAD.split())
    rows = [
        _row(name, a, p, r)
        for name, sc in scenarios.items()
        for a, by_p in sc["results"].items()
        for p, r in (by_p.items() if _measured(by_p) else [("-", by_p)])
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    for i, row in enumerate([head, *rows]):
        cells = zip(row, widths, strict=True)
        print("  ".join(x.rjust(w) if j > 1 else x.ljust(w) for j, (x, w) in enumerate(cells)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for name, sc in scenarios.items():
        print(
            f"{name}: {len(sc['files'])} file(s), {sc['bytes'] / MB:,.1f} MB uncompressed, "
            f"{sc['gz_bytes'] / MB:,.1f} MB gzip, {sc['events']:,} events, "
            f"{sc['push_events']:,} pushes, {sc['commits']:,} commits"
        )
        for w in sc["warnings"]:
            print(w)
    print()
    print("Per-file ratios against the bounds of the first issue (history; the goals are below):")
    for t in targets:
        cpu = f"; CPU-time ratio {t['cpu_ratio']}" if "cpu_ratio" in t else ""
        print(f"  {t['target']}: {t['measured']} (then {t['bound']}{cpu})")
    print(
        "seconds: wall time of the work (median); CPU s: CPU time of all its processes, robust to "
        "other load; start-up (pool / cluster / connection + warm-up) is excluded from both. "
        "x isal, x gh_assets: seconds ratios at the same P. rows: commit rows written (floors: "
        "lines read; gh_assets_events: event rows)."
    )


# --- main ------------------------------------------------------------------------------------
def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_scenarios(a: argparse.Namespace) -> list[Scenario]:
    gen = a.data_dir / "gen"
    want = set(a.scenarios)
    sc: list[Scenario] = []
    if "synthetic" in want:
        for style in a.styles:
            files = ensure(style, a.mb, a.hours, a.seed, gen)
            sc.append(Scenario(f"synthetic-{style}", files, ALL, a.procs, a.reps))
    if "real" in want:
        if REAL_HOUR.exists():
            sc.append(Scenario("real-2015-01-01-1", [REAL_HOUR], ALL, [1], a.reps))
        else:
            log(f"skipping the real hour: {REAL_HOUR} not found")
    if "day" in want:
        files = ensure("2015", a.day_mb, a.day_hours, a.seed, gen)
        day = ["floor_isal_lines", "gh_assets", "gh_assets_day", "gh_assets_dask"]
        sc.append(Scenario(f"day-{a.day_hours}h", files, day, a.procs, a.reps))
    if "memory" in want:
        files = ensure("2020", a.memory_mb, 1, a.seed, gen)
        memory = ["floor_isal_lines", "gh_assets", "gh_assets_events", "gh_assets_all"]
        sc.append(Scenario("memory-2020", files, memory, [1], 1))
    for s in sc:
        s.approaches = [x for x in s.approaches if x in a.approaches]
    return sc


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--reps", type=int, default=3, help="runs per approach (median reported)")
    p.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--mb", type=float, default=100.0, help="MB uncompressed per synthetic hour")
    p.add_argument("--hours", type=int, default=4, help="synthetic hours per style")
    p.add_argument("--styles", nargs="+", default=["2015", "2020"], choices=["2015", "2020"])
    p.add_argument("--day-hours", type=int, default=24)
    p.add_argument("--day-mb", type=float, default=25.0, help="MB uncompressed per day hour")
    p.add_argument("--memory-mb", type=float, default=430.0, help="MB of the 2020-style hour")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--scenarios",
        nargs="+",
        default=["synthetic", "real", "day", "memory", "e2e", "rerun", "hourly", "asset-page"],
    )
    p.add_argument("--approaches", nargs="+", default=ALL, choices=ALL)
    p.add_argument("--quick", action="store_true", help="small smoke run (~1 min)")
    p.add_argument(
        "--no-bytecode",
        action="store_true",
        help="per-file runs compile every import; e2e adds runs of ours that do",
    )
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds per measurement")
    p.add_argument("--data-dir", type=Path, default=BENCH / ".data")
    p.add_argument("--work-dir", type=Path, default=BENCH / ".data" / "work")
    p.add_argument("--json", type=Path, default=BENCH / "latest.json")
    end_to_end.add_arguments(p)
    rerun.add_arguments(p)
    hourly.add_arguments(p)
    asset_page.add_arguments(p)
    a = p.parse_args(argv)
    if a.quick:
        a.reps, a.mb, a.hours, a.day_hours, a.day_mb, a.memory_mb = 1, 10.0, 2, 4, 5.0, 50.0
        a.e2e_reps, a.month, a.scaling = 1, False, False
        a.rerun_days, a.rerun_hour_mb, a.rerun_reps = 4, 2.0, 1
        a.hourly_hours, a.hourly_hour_mb, a.hourly_dev_hours = 3, 2.0, 1
        a.asset_page_reps = 1
    return a


def current_goals(
    e2e: dict | None, reruns: dict | None, hours: dict | None, pages: dict | None
) -> list[tuple]:
    """(goal, measured, met) of the open work: end to end, re-runs, a day hour by hour, the UI
    on PostgreSQL."""
    goals = [
        (f"{g['goal']} {g['bound']}", g["measured"], g["ok"]) for g in (e2e or {}).get("goals", [])
    ]
    goals += [(g["goal"], g["value"], g["met"]) for g in (reruns or {}).get("goals", [])]
    goals += [(g["goal"], g["value"], g["met"]) for g in (hours or {}).get("goals", [])]
    if pages:
        goals.append((pages["goal"]["goal"], round(pages["goal"]["value"], 2), pages["met"]))
    return goals


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    t0 = time.perf_counter()
    scenarios = build_scenarios(a)
    no_bytecode = a.work_dir / "no-bytecode" if a.no_bytecode else None
    env = subprocess_env(no_bytecode)
    log(f"input ready in {time.perf_counter() - t0:.1f} s")
    skip: dict[str, str] = {}
    report: dict[str, dict] = {}
    for sc in scenarios:
        sc.stats = dataset_stats(sc.files, a.data_dir / "stats.json")
        warm_page_cache(sc.files)
        note = load_note(sc.name)
        report[sc.name] = run_scenario(sc, a, env, skip)
        report[sc.name]["warnings"] += note
    targets = evaluate_targets(report)
    if report:
        print_report(report, targets)
    e2e = None
    if "e2e" in a.scenarios:
        e2e = end_to_end.run(a)
        print()
        end_to_end.print_summary(e2e)
    reruns = None
    if "rerun" in a.scenarios:
        reruns = rerun.measure(a)
        print()
        rerun.print_summary(reruns)
    hours = None
    if "hourly" in a.scenarios:
        hours = hourly.measure(a)
        print()
        hourly.print_summary(hours)
    pages = None
    if "asset-page" in a.scenarios:
        pages = asset_page.measure(a)
        print()
        asset_page.print_summary(pages)
    goals = current_goals(e2e, reruns, hours, pages)
    if goals:
        print()
        print("Current goals:")
        for goal, value, met in goals:
            print(f"{'PASS' if met else 'FAIL'}  {goal}: {value}")
    elapsed = time.perf_counter() - t0
    print(f"total {elapsed:.0f} s; figures in {a.json}")
    meta = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {m: version(m) for m in VERSIONS_OF},
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(a).items()},
    }
    figures = {
        "meta": meta,
        "scenarios": report,
        "targets": targets,
        "end_to_end": e2e,
        "rerun": reruns,
        "hourly": hours,
        "asset_page": pages,
    }
    a.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
