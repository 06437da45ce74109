"""End to end: what a user pays for a week and for a day, against the DuckDB one-liner on the files.

    .venv/bin/python -m bench.end_to_end [--e2e-reps 3] [--no-bytecode] [--code DIR]

(`make bench` runs it as the `e2e` scenario of `bench.run`.) The week is the `day-24h` set (24
generated 2015-style hours of 25 MB) under the 7 day names 2015-01-05 to 2015-01-11 (hard links),
read from a `file://` folder; the day is 2015-01-05 of the same folder. Every measurement is a
fresh process tree, and the runs are interleaved (the rep loop outermost):

- `gh_assets`: the CLI, `dagster asset materialize -m gh_assets.definitions --select
  gharchive_manifest,push_events,commits --partition-range 2015-01-05...2015-01-11` (or
  `--partition 2015-01-05`): the tables the one-liner writes, not `events`; with a fresh Dagster
  instance (telemetry off), a fresh output folder and the default `auto` mode (a local cluster of
  one worker per core);
- `duckdb_one_read`: DuckDB's `read_json` with explicit columns reads the PushEvents once into a
  temporary table, then one `COPY` per table writes zstd Parquet partitioned by day;
- `duckdb_two_reads`: the same through a view, so that each `COPY` reads the JSON again: the form
  whose CPU matches the issue's 43 s.

Both DuckDB forms run with `threads` = the cores and give the same rows as ours (checked). CPU is
user + system time of every process of the tree: this harness is the tree's subreaper, so processes
that outlive their parent (a Dask forkserver and its workers) are reaped and counted too. Peak RSS
is each process's high-water mark (VmHWM), sampled every 0.1 s, the largest by role. The breakdown
splits each of our runs into consecutive phases from its Dagster event log and a scheduler plugin
(`bench/e2e_trace.py`) that records every task. Bytecode: the installed packages and this package
are precompiled (`make sync`) and every process runs with `PYTHONDONTWRITEBYTECODE=1`, as a fresh
install or a container would; `--no-bytecode` adds runs of ours that compile every import
(`PYTHONPYCACHEPREFIX` at an empty folder).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from statistics import median

import psutil

from bench.approaches import PUSH_TABLES, parquet_rows
from bench.generate import ensure

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
FIRST_DAY = dt.date(2015, 1, 5)  # the first hour of the 2015 style
WEEK = [FIRST_DAY + dt.timedelta(days=i) for i in range(7)]
MONTH = [FIRST_DAY + dt.timedelta(days=i) for i in range(30)]
SCOPES = {"day": 1, "week": 7, "month": 30}  # days, of the same generated hours
GOALS = {
    "week wall / duckdb_one_read": 0.7,
    "week CPU / duckdb_one_read": 1.0,
    "day fixed cost s": 8.0,
    "month Dagster process peak RSS MB": 500.0,
}
PR_SET_CHILD_SUBREAPER = 36

DUCKDB_COLUMNS = (
    "{id: 'VARCHAR', type: 'VARCHAR', actor: 'STRUCT(login VARCHAR)', "
    "repo: 'STRUCT(id BIGINT, name VARCHAR)', created_at: 'TIMESTAMP', "
    "payload: 'STRUCT(push_id BIGINT, size BIGINT, distinct_size BIGINT, ref VARCHAR, "
    'head VARCHAR, "before" VARCHAR, commits STRUCT(sha VARCHAR, author STRUCT(email VARCHAR, '
    'name VARCHAR), message VARCHAR, "distinct" BOOLEAN)[])\'}'
)
DUCKDB_PUSHES = """
SELECT regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})-\\d+\\.json\\.gz$', 1) AS date,
       id AS event_id, payload.push_id AS push_id, created_at, actor.login AS "user",
       repo.name AS repo, repo.id AS repo_id, payload.ref AS ref, payload.head AS head,
       payload."before" AS "before", payload.size AS size, payload.distinct_size AS distinct_size,
       CAST(len(payload.commits) AS INTEGER) AS commit_count,
       regexp_extract(filename, '[^/]+$') AS source_file, payload.commits AS commits
FROM read_json('{files}', format = 'newline_delimited', filename = true, columns = {columns})
WHERE type = 'PushEvent'
"""
DUCKDB_COPIES = """
COPY (SELECT * EXCLUDE (commits) FROM p) TO '{out}/push_events'
  (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date));
COPY (SELECT date, event_id, commit_index, c.sha AS sha, push_id, created_at, "user", repo, ref,
             c.author.name AS author_name, c.author.email AS author_email, c.message AS message,
             c."distinct" AS "distinct", source_file
      FROM (SELECT *, unnest(commits) AS c, generate_subscripts(commits, 1) - 1 AS commit_index
            FROM p))
  TO '{out}/commits' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date));
"""
DUCKDB_FORMS = {
    "duckdb_one_read": "CREATE TEMP TABLE p AS " + DUCKDB_PUSHES + ";" + DUCKDB_COPIES,
    "duckdb_two_reads": "CREATE TEMP VIEW p AS " + DUCKDB_PUSHES + ";" + DUCKDB_COPIES,
}
PHASES = (
    ("before_run", "process start to the run's start (CLI, imports, code location, instance)"),
    ("manifest", "the run's start to the end of the manifest step"),
    ("cluster_start", "to the first task's start (step start, cluster start, graph submitted)"),
    ("transform", "to the end of the last transform task"),
    ("publish", "to the end of the last publish task"),
    ("checks_metadata", "to the step's end (cluster close, metadata, checks)"),
    ("after_run", "to the process's exit"),
)


@dataclass
class Measurement:
    """One run of one variant: its wall and CPU time, peak RSS by role, rows and phases."""

    variant: str
    rep: int
    wall_s: float
    cpu_s: float
    load: float
    exit_code: int
    peak_rss_mb: dict[str, float]
    rows: dict[str, int]
    phases: dict[str, float] = field(default_factory=dict)
    tasks: dict[str, float] = field(default_factory=dict)
    imports: dict = field(default_factory=dict)


# --- the files ---------------------------------------------------------------------------------
def link_days(hours: list[Path], days: list[dt.date], folder: Path) -> Path:
    """The generated hours under each of `days`' names (hard links; copies across devices)."""
    folder.mkdir(parents=True, exist_ok=True)
    for day in days:
        for hour in hours:
            target = folder / f"{day.isoformat()}-{hour.name.rsplit('-', 1)[1]}"
            if target.exists() and target.stat().st_size == hour.stat().st_size:
                continue
            target.unlink(missing_ok=True)
            try:
                os.link(hour, target)
            except OSError:
                shutil.copyfile(hour, target)
    return folder


# --- measuring a process tree --------------------------------------------------------------------
def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, which reaps and so counts them."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _high_water_mark_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class TreeSampler(threading.Thread):
    """Polls the process tree under `root`: each process's peak RSS, command line and parent."""

    def __init__(self, root: int, period: float = 0.1):
        super().__init__(daemon=True)
        self.root, self.period, self.done = root, period, threading.Event()
        self.seen: dict[int, dict] = {}

    def run(self) -> None:
        try:
            top = psutil.Process(self.root)
        except psutil.Error:
            return
        while not self.done.is_set():
            try:
                tree = [top, *top.children(recursive=True)]
            except psutil.Error:
                tree = [process for process in psutil.process_iter() if process.pid in self.seen]
            for process in tree:
                try:
                    info = self.seen.setdefault(process.pid, {"ppid": 0, "cmd": "", "kb": 0})
                    info["ppid"] = process.ppid()
                    info["cmd"] = " ".join(process.cmdline())  # a spawned child execs later
                    info["kb"] = max(info["kb"], _high_water_mark_kb(process.pid))
                except (psutil.Error, OSError):
                    pass
            self.done.wait(self.period)

    def peaks_by_role(self) -> dict[str, float]:
        forked = {pid for pid, i in self.seen.items() if "forkserver" in i["cmd"]}
        forkservers = {pid for pid in forked if self.seen[pid]["ppid"] not in forked}  # a fork
        # of the forkserver (a worker) has its command line too
        peaks: dict[str, float] = {}
        for pid, info in self.seen.items():
            if pid == self.root:
                role = "main"
            elif pid in forkservers:
                role = "forkserver"
            elif "spawn_main" in info["cmd"] or info["ppid"] in forkservers:
                role = "worker"
            else:
                role = "other"
            peaks[role] = max(peaks.get(role, 0.0), round(info["kb"] * 1024 / 1e6, 1))
        return peaks


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _reap_descendants(deadline_s: float = 60.0) -> list[int]:
    """Wait for every process left in the tree; kill (and report) those still there after it."""
    lingering: list[int] = []
    end = time.monotonic() + deadline_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return lingering
        if pid:
            continue
        if time.monotonic() > end:
            for child in psutil.Process().children():
                lingering.append(child.pid)
                child.send_signal(signal.SIGKILL)
            end = time.monotonic() + deadline_s
        time.sleep(0.05)


def run_tree(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> dict:
    """Run `command` to the end of its whole process tree: wall, CPU, exit code, peak RSS."""
    load = os.getloadavg()[0]
    cpu = _children_cpu_s()
    started = time.time()
    with open(log, "w") as output:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=output)
        sampler = TreeSampler(process.pid)
        sampler.start()
        exit_code = process.wait()
    ended = time.time()
    lingering = _reap_descendants()
    sampler.done.set()
    sampler.join()
    if lingering:
        print(f"WARNING {command[0]}: killed lingering processes {lingering}", file=sys.stderr)
    return {
        "started": started,
        "ended": ended,
        "wall_s": ended - started,
        "cpu_s": _children_cpu_s() - cpu,
        "load": load,
        "exit_code": exit_code,
        "peak_rss_mb": sampler.peaks_by_role(),
    }


# --- the variants --------------------------------------------------------------------------------
def base_env(no_bytecode_dir: Path | None = None) -> dict[str, str]:
    """This environment without GH_ASSETS_* or DASK_* settings; never writing bytecode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GH_ASSETS_", "DASK_"))}
    env.pop("PYTHONPYCACHEPREFIX", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if no_bytecode_dir:
        env["PYTHONPYCACHEPREFIX"] = str(no_bytecode_dir)  # empty: nothing precompiled is found
    return env


def table_rows(folder: Path) -> dict[str, int]:
    return {table: parquet_rows(folder / table) or 0 for table in PUSH_TABLES}


def run_gh_assets(
    source: Path,
    days: list[dt.date],
    work: Path,
    code: Path | None = None,
    no_bytecode: bool = False,
) -> dict:
    """One CLI run over `days`, from a fresh instance to the tables on disk, with its phases."""
    home, store, trace = work / "dagster_home", work / "tables", work / "trace"
    for folder in (home, store, trace):
        folder.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
    env = base_env(work / "no-bytecode" if no_bytecode else None)
    env |= {
        "DAGSTER_HOME": str(home),
        "GH_ASSETS_SOURCE_URL": f"file://{source}",
        "GH_ASSETS_STORAGE": str(store),
        "E2E_TRACE_DIR": str(trace),
        "DASK_DISTRIBUTED__SCHEDULER__PRELOAD": json.dumps([str(BENCH / "e2e_trace.py")]),
        "DASK_DISTRIBUTED__WORKER__PRELOAD": json.dumps([str(BENCH / "e2e_trace.py")]),
    }
    if len(days) > 7:
        env["GH_ASSETS_DASK_MODE"] = "local"
    if code:
        env["PYTHONPATH"] = str(code)
    partitions = (
        ["--partition", days[0].isoformat()]
        if len(days) == 1
        else ["--partition-range", f"{days[0]}...{days[-1]}"]
    )
    command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-m", "gh_assets.definitions"]
    command += ["--select", "gharchive_manifest,push_events,commits", *partitions]
    result = run_tree(command, env, work, work / "run.log")
    result["rows"] = table_rows(store)
    result |= breakdown(home, trace, result["started"], result["ended"])
    return result


def run_duckdb(form: str, source: Path, days: list[dt.date], work: Path) -> dict:
    """One DuckDB one-liner over the files of `days`, as a fresh Python process."""
    out = work / "tables"
    out.mkdir(parents=True)
    pattern = f"{days[0]}-*.json.gz" if len(days) == 1 else "*.json.gz"
    threads = f"SET threads = {os.cpu_count()};"
    sql = threads + DUCKDB_FORMS[form].format(
        files=source / pattern, columns=DUCKDB_COLUMNS, out=out
    )
    (work / "query.sql").write_text(sql)
    code = f"import duckdb; duckdb.connect().execute(open({str(work / 'query.sql')!r}).read())"
    result = run_tree([sys.executable, "-c", code], base_env(), work, work / "run.log")
    result["rows"] = table_rows(out)
    return result


# --- the breakdown -------------------------------------------------------------------------------
def _run_events(home: Path) -> list[dict]:
    """The run's events from its Dagster event log (sqlite): time, type, step, message."""
    events = []
    for db in (home / "history" / "runs").glob("*.db"):
        if db.name == "index.db":
            continue
        with sqlite3.connect(db) as con:
            for (body,) in con.execute("SELECT event FROM event_logs ORDER BY id"):
                record = json.loads(body)
                dagster_event = record.get("dagster_event") or {}
                events.append(
                    {
                        "t": record["timestamp"],
                        "type": dagster_event.get("event_type_value"),
                        "step": record.get("step_key"),
                    }
                )
    return sorted(events, key=lambda e: e["t"])


def _tasks(trace: Path) -> list[tuple[str, float, float]]:
    """(kind, start, stop) of every task's compute, from the scheduler plugin's records."""
    tasks = []
    for path in trace.glob("scheduler-*.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record["event"] == "task":
                kind = record["key"].split("-", 1)[0]
                tasks += [(kind, start, stop) for start, stop in record["computes"]]
    return tasks


def _imports(trace: Path) -> dict:
    """What the Dagster process and the workers had imported when they closed."""
    found: dict = {"main": None, "workers": []}
    for path in trace.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            record.pop("t", None)
            if record["event"] == "scheduler_close":
                found["main"] = {k: v for k, v in record.items() if k != "event"}
            elif record["event"] == "worker_close":
                found["workers"].append({k: v for k, v in record.items() if k != "event"})
    return found


def breakdown(home: Path, trace: Path, started: float, ended: float) -> dict:
    """Consecutive phases of a run (they sum to its wall time) and its tasks' durations."""
    events = _run_events(home)
    tasks = _tasks(trace)

    def first(kind: str, step: str | None = None, last: bool = False) -> float | None:
        times = [e["t"] for e in events if e["type"] == kind and step in (None, e["step"])]
        return (max if last else min)(times) if times else None

    transforms = [t for t in tasks if t[0] == "transform"]
    publishes = [t for t in tasks if t[0] == "publish"]
    marks = [
        started,
        first("PIPELINE_START"),
        first("STEP_SUCCESS", "gharchive_manifest"),
        min((t[1] for t in tasks), default=None),
        max((t[2] for t in transforms), default=None),
        max((t[2] for t in publishes), default=None),
        first("STEP_SUCCESS", last=True),
        ended,
    ]
    if any(mark is None for mark in marks):
        return {"phases": {}, "tasks": {}, "imports": _imports(trace)}
    phases = {
        name: round(end - start, 3)
        for (name, _), start, end in zip(PHASES, marks[:-1], marks[1:], strict=True)
    }
    tasks_wall = max(t[2] for t in tasks) - min(t[1] for t in tasks)
    return {
        "phases": phases,
        "tasks": {
            "tasks_wall_s": round(tasks_wall, 3),
            "fixed_cost_s": round(ended - started - tasks_wall, 3),
            "transform_sum_s": round(sum(t[2] - t[1] for t in transforms), 3),
            "publish_sum_s": round(sum(t[2] - t[1] for t in publishes), 3),
            "transforms": len(transforms),
            "publishes": len(publishes),
        },
        "imports": _imports(trace),
    }


# --- the runs and their summary ----------------------------------------------------------------
def variants(
    args: argparse.Namespace, week: Path, month: Path | None, full_month: Path | None
) -> dict[str, Callable]:
    """Name -> a function of a fresh work folder that measures one run (those `--only` names)."""
    found: dict[str, Callable] = {}
    for code in [args.code, *args.compare]:
        label = f" @{code.name}" if code and code in args.compare else ""
        for scope, days in (("week", WEEK), ("day", WEEK[:1])):
            found[f"{scope} gh_assets{label}"] = partial(run_gh_assets, week, days, code=code)
            if args.no_bytecode:
                found[f"{scope} gh_assets{label}, no bytecode"] = partial(
                    run_gh_assets, week, days, code=code, no_bytecode=True
                )
    for scope, days in (("week", WEEK), ("day", WEEK[:1])):
        for form in DUCKDB_FORMS if scope == "week" else ["duckdb_one_read"]:
            found[f"{scope} {form}"] = partial(run_duckdb, form, week, days)
    if month:
        found["month gh_assets (memory)"] = partial(run_gh_assets, month, MONTH, code=args.code)
    if full_month:  # the week's hours under 30 day names: the scaling line's third step
        found["month gh_assets"] = partial(run_gh_assets, full_month, MONTH, code=args.code)
        found["month duckdb_one_read"] = partial(run_duckdb, "duckdb_one_read", full_month, MONTH)
    only = args.only or ()
    return {name: run for name, run in found.items() if not only or any(o in name for o in only)}


def measure_all(
    args: argparse.Namespace, week: Path, month: Path | None, full_month: Path | None
) -> list[Measurement]:
    become_subreaper()
    measurements = []
    work_root = args.work_dir / "e2e"
    work_root.mkdir(parents=True, exist_ok=True)
    runs = variants(args, week, month, full_month)
    for rep in range(1, args.e2e_reps + 1):
        for name, measure in runs.items():
            if name.startswith("month") and rep > 1:
                continue  # once: minutes each
            work = Path(tempfile.mkdtemp(prefix="run-", dir=work_root))
            try:
                result = measure(work)
            finally:
                if not args.keep:
                    shutil.rmtree(work, ignore_errors=True)
            m = Measurement(
                name,
                rep,
                **{k: result[k] for k in ("wall_s", "cpu_s", "load", "exit_code", "peak_rss_mb")},
                rows=result["rows"],
                phases=result.get("phases", {}),
                tasks=result.get("tasks", {}),
                imports=result.get("imports", {}),
            )
            measurements.append(m)
            print(
                f"[e2e] rep {rep} {name}: wall {m.wall_s:.1f} s, CPU {m.cpu_s:.1f} s, "
                f"load {m.load:.1f}, exit {m.exit_code}, peak RSS {m.peak_rss_mb}, rows {m.rows}, "
                f"phases {m.phases}, tasks {m.tasks}, imports {m.imports}",
                file=sys.stderr,
                flush=True,
            )
    return measurements


def summarize(measurements: list[Measurement]) -> dict:
    """Medians per variant, ratios to DuckDB, the goals, and warnings (row counts, failures)."""
    by_name: dict[str, list[Measurement]] = {}
    for m in measurements:
        by_name.setdefault(m.variant, []).append(m)
    summary: dict[str, dict] = {}
    warnings = []
    for name, runs in by_name.items():
        ok = [m for m in runs if m.exit_code == 0]
        if len(ok) < len(runs):
            warnings.append(f"WARNING {name}: {len(runs) - len(ok)} run(s) failed")
        if not ok:
            continue
        roles = {role for m in ok for role in m.peak_rss_mb}
        summary[name] = {
            "wall_s": round(median(m.wall_s for m in ok), 2),
            "cpu_s": round(median(m.cpu_s for m in ok), 2),
            "wall_runs_s": [round(m.wall_s, 2) for m in ok],
            "cpu_runs_s": [round(m.cpu_s, 2) for m in ok],
            "load": round(median(m.load for m in ok), 1),
            "peak_rss_mb": {r: max(m.peak_rss_mb.get(r, 0.0) for m in ok) for r in sorted(roles)},
            "rows": ok[-1].rows,
            "phases": _median_of(m.phases for m in ok),
            "tasks": _median_of(m.tasks for m in ok),
            "imports": ok[-1].imports,
        }
    for scope in SCOPES:
        ours = summary.get(f"{scope} gh_assets")
        for form in DUCKDB_FORMS:
            duck = summary.get(f"{scope} {form}")
            if ours and duck:
                ours[f"x_{form}"] = {
                    "wall": round(ours["wall_s"] / duck["wall_s"], 2),
                    "cpu": round(ours["cpu_s"] / duck["cpu_s"], 2),
                }
                if ours["rows"] != duck["rows"]:
                    warnings.append(
                        f"WARNING {scope}: rows {ours['rows']} differ from {form}'s {duck['rows']}"
                    )
    return {"variants": summary, "goals": goals(summary), "warnings": warnings}


def _median_of(dicts) -> dict[str, float]:
    dicts = [d for d in dicts if d]
    keys = dicts[0].keys() if dicts else ()
    return {k: round(median(d[k] for d in dicts), 3) for k in keys}


def goals(summary: dict) -> list[dict]:
    week = summary.get("week gh_assets", {})
    day = summary.get("day gh_assets", {})
    month = summary.get("month gh_assets (memory)", {})
    measured = {
        "week wall / duckdb_one_read": week.get("x_duckdb_one_read", {}).get("wall"),
        "week CPU / duckdb_one_read": week.get("x_duckdb_one_read", {}).get("cpu"),
        "day fixed cost s": day.get("tasks", {}).get("fixed_cost_s"),
        "month Dagster process peak RSS MB": month.get("peak_rss_mb", {}).get("main"),
    }
    return [
        {"goal": name, "measured": value, "bound": f"<= {bound}", "ok": value <= bound}
        for name, bound in GOALS.items()
        if (value := measured[name]) is not None
    ]


def print_summary(result: dict) -> None:
    head = ("run", "wall s", "CPU s", "x duckdb 1 read (wall/CPU)", "x duckdb 2 reads", "load")
    head += ("peak RSS MB main/worker",)
    rows = []
    for name, v in result["variants"].items():
        ratios = [v.get(f"x_{form}") for form in DUCKDB_FORMS]
        rss = v["peak_rss_mb"]
        rows.append(
            (
                name,
                f"{v['wall_s']:.1f}",
                f"{v['cpu_s']:.1f}",
                *(f"{r['wall']:.2f} / {r['cpu']:.2f}" if r else "" for r in ratios),
                f"{v['load']:.1f}",
                f"{rss.get('main', 0):.0f} / {rss.get('worker', 0):.0f}"
                if "worker" in rss
                else f"{rss.get('main', 0):.0f}",
            )
        )
    _print_table(head, rows)
    print()
    phase_rows = [
        (
            name,
            *(f"{v['phases'].get(p, 0):.2f}" for p, _ in PHASES),
            f"{v['tasks'].get('transform_sum_s', 0):.1f}",
            f"{v['tasks'].get('publish_sum_s', 0):.1f}",
            f"{v['tasks'].get('fixed_cost_s', 0):.1f}",
        )
        for name, v in result["variants"].items()
        if v["phases"]
    ]
    _print_table(
        ("run", *(p for p, _ in PHASES), "transform tasks s", "publish tasks s", "fixed cost s"),
        phase_rows,
    )
    print(
        "phases (seconds, consecutive, summing to the wall time): "
        + "; ".join(f"{p}: {what}" for p, what in PHASES)
    )
    print("tasks: summed durations of the Dask tasks; fixed cost: wall minus the tasks' wall time")
    scaling = scaling_rows(result["variants"])
    if scaling:
        print()
        print("Scaling with work (the same generated hours; x day: wall and CPU over the day's):")
        _print_table(
            (
                "work",
                "gh_assets wall / CPU s",
                "x day",
                "peak RSS MB",
                "DuckDB one read wall / CPU s",
            )
            + ("x day", "peak RSS MB", "x DuckDB wall / CPU"),
            scaling,
        )
    for w in result["warnings"]:
        print(w)
    for g in result["goals"]:
        print(f"{'PASS' if g['ok'] else 'FAIL'}  {g['goal']}: {g['measured']} ({g['bound']})")


def scaling_rows(variants: dict) -> list[tuple[str, ...]]:
    """A row per scope (day, week, month) measured for both gh_assets and DuckDB's one read."""
    rows = []
    for scope, days in SCOPES.items():
        ours, duck = (variants.get(f"{scope} {name}") for name in ("gh_assets", "duckdb_one_read"))
        if not (ours and duck):
            continue
        cells = [f"{scope} ({days * 24} files)"]
        for run, name in ((ours, "gh_assets"), (duck, "duckdb_one_read")):
            base = variants.get(f"day {name}")
            growth = (
                f"{run['wall_s'] / base['wall_s']:.1f} / {run['cpu_s'] / base['cpu_s']:.1f}"
                if base
                else ""
            )
            peak = max(run["peak_rss_mb"].values(), default=0)
            cells += [f"{run['wall_s']:.1f} / {run['cpu_s']:.1f}", growth, f"{peak:.0f}"]
        ratio = ours.get("x_duckdb_one_read", {})
        cells.append(f"{ratio.get('wall', 0):.2f} / {ratio.get('cpu', 0):.2f}")
        rows.append(tuple(cells))
    return rows


def _print_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    for i, row in enumerate([head, *rows]):
        cells = zip(row, widths, strict=True)
        print("  ".join(x.ljust(w) if j == 0 else x.rjust(w) for j, (x, w) in enumerate(cells)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def prepare(args: argparse.Namespace) -> tuple[Path, Path | None, Path | None]:
    """The week's folder, the month's of small hours (for the Dagster process's memory) and the
    month's of the week's hours (for the scaling line)."""
    data_dir = args.data_dir.resolve()
    gen = data_dir / "gen"
    hours = ensure("2015", args.day_mb, 24, args.seed, gen)
    week = link_days(hours, WEEK, data_dir / "e2e-week")
    month = full_month = None
    if args.month:
        small = ensure("2015", args.month_mb, 24, args.seed, gen)
        month = link_days(small, MONTH, data_dir / "e2e-month")
    if args.scaling:
        full_month = link_days(hours, MONTH, data_dir / "e2e-month-full")
    for code in {args.code, *args.compare} - {None}:  # as `make sync` compiles this checkout
        compile_code = [sys.executable, "-m", "compileall", "-q", str(code / "gh_assets")]
        subprocess.run(compile_code, check=True)
    for folder in (week, month, full_month):
        if folder:  # in the page cache before the first run, for every variant alike
            for path in sorted(folder.iterdir()):
                path.read_bytes()
    return week, month, full_month


def run(args: argparse.Namespace) -> dict:
    measurements = measure_all(args, *prepare(args))
    result = summarize(measurements)
    result["runs"] = [asdict(m) for m in measurements]
    result["phases"] = dict(PHASES)
    result["bytecode"] = (
        "precompiled at install (make sync); PYTHONDONTWRITEBYTECODE=1 in every process"
        + ("; 'no bytecode' runs compile every import" if args.no_bytecode else "")
    )
    return result


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--e2e-reps", type=int, default=3, help="interleaved runs of each")
    p.add_argument("--no-month", dest="month", action="store_false", help="skip the 30-day run")
    p.add_argument("--month-mb", type=float, default=1.0, help="MB per hour of the 30-day run")
    p.add_argument(
        "--no-scaling",
        dest="scaling",
        action="store_false",
        help="skip the month of the week's hours (gh_assets and DuckDB), the scaling line's third",
    )
    p.add_argument("--code", type=Path, help="a checkout of this project to run instead")
    p.add_argument(
        "--compare", type=Path, nargs="*", default=[], help="checkouts to run too (week, day)"
    )
    p.add_argument("--only", nargs="*", help="the runs whose names contain one of these")
    p.add_argument("--keep", action="store_true", help="keep each run's folder (logs, tables)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add_arguments(p)
    p.add_argument("--no-bytecode", action="store_true", help="also run ours compiling imports")
    p.add_argument("--day-mb", type=float, default=25.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--data-dir", type=Path, default=BENCH / ".data")
    p.add_argument("--work-dir", type=Path, default=BENCH / ".data" / "work")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args()
    result = run(args)
    print_summary(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
