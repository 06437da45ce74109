"""The approaches under test, and one measurement per process.

    python -m bench.approaches '{"approach": "gh_assets", "procs": 2, "files": [...], "out": "..."}'

prints one line ``BENCH_RESULT {json}``. Every approach is a runner: a context manager taking the
number of processes and yielding ``run(files, out) -> Outcome``. Its set-up (worker pool or Dask
cluster or DuckDB connection, then one pass of every worker over a 300-event excerpt of the input,
so that lazy imports and first-call costs are paid) is timed apart as ``startup_s``; ``measure``
times all approaches alike. Commit rows go to ``out/commits``, push rows to ``out/push_events``,
event rows to ``out/events``.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing as mp
import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any, NamedTuple

RESULT_PREFIX = "BENCH_RESULT "
GH_MODULE, GH_FUNCTION = "gh_assets.compute.hour_transform", "transform_stream"
KB = 1024
BOTH = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)


class Unavailable(Exception):
    """The approach cannot run here (e.g. the function under test does not exist yet)."""


@dataclass
class Outcome:
    """What a run reports besides its duration."""

    count: int | None = None  # lines read (floors) or commits reported by the transform
    worker_rss_kb: list[int] = field(default_factory=list)  # empty: use this process
    cpu_s: float | None = None  # CPU seconds of workers (not counted in this process's rusage)


class Warmup(NamedTuple):
    """A small excerpt of the input that every worker processes once during start-up."""

    path: str
    out: str


Run = Callable[[list[str], Path], Outcome]
Runner = Callable[[int, Warmup], AbstractContextManager[Run]]
Task = Callable[[str, str], int]  # (gz path, output dir) -> count
TaskResult = tuple[int, int, int, float]  # (count, pid, ru_maxrss in KiB, CPU seconds)


def _maxrss_kb(who: int = resource.RUSAGE_SELF) -> int:
    return resource.getrusage(who).ru_maxrss


def _cpu_s(*who: int) -> float:
    usage = [resource.getrusage(w) for w in who or (resource.RUSAGE_SELF,)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


# --- per-file tasks, run in worker processes ---------------------------------------------------
def isal_lines_task(path: str, out: str) -> int:
    """Floor: python-isal streaming decompression, iterating lines."""
    from isal import igzip

    n = 0
    with igzip.open(path, "rb") as f:
        for _ in f:
            n += 1
    return n


PUSH_TABLES = ("push_events", "commits")
# An archive file's name, the day in group 1 (a copy may carry a prefix, e.g. the real samples)
ARCHIVE_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-\d{1,2}\.json\.gz$")
TABLE_DIRS = (*PUSH_TABLES, "events")


def gh_assets_task(path: str, out: str, tables: tuple[str, ...] = PUSH_TABLES) -> int:
    """This project's per-file transform (`transform_stream`): a local gzip file in, the Parquet
    parts of `tables` out, as the Dask task does with a download and staged parts.

    Returns the commits reported, or the events when only `events` is asked for.
    """
    transform_stream = getattr(importlib.import_module(GH_MODULE), GH_FUNCTION)
    name = Path(path).name
    stem = name.removesuffix(".json.gz")
    with open(path, "rb") as compressed, ExitStack() as stack:
        sinks = {
            table: stack.enter_context(open(f"{out}/{table}/{stem}.parquet", "wb"))
            for table in tables
        }
        summary = transform_stream(compressed, name, sinks)
    return summary.commits if "commits" in tables else summary.events_read.events


gh_assets_events_task = partial(gh_assets_task, tables=("events",))
gh_assets_all_task = partial(gh_assets_task, tables=TABLE_DIRS)


def run_task(task: Task, path: str, out: str) -> TaskResult:
    """Run ``task`` on one file; add this worker's pid, peak RSS and the CPU time spent."""
    cpu = _cpu_s()
    count = task(path, out)
    return count, os.getpid(), _maxrss_kb(), _cpu_s() - cpu


def _warm(modules: tuple[str, ...], task: Callable[[str, str], object], warm: Warmup) -> None:
    """Import ``modules``, then run ``task`` once on the small warm-up file (lazy set-up)."""
    for m in modules:
        importlib.import_module(m)
    out = Path(warm.out) / str(os.getpid())
    for sub in TABLE_DIRS:
        (out / sub).mkdir(parents=True, exist_ok=True)
    task(warm.path, str(out))


def _init_worker(barrier: Any, *args: Any) -> None:
    _warm(*args)
    barrier.wait(timeout=600)


def _from_tasks(results: list[TaskResult]) -> Outcome:
    peak: dict[int, int] = {}
    for _, pid, rss, _ in results:
        peak[pid] = max(peak.get(pid, 0), rss)
    return Outcome(sum(r[0] for r in results), list(peak.values()), sum(r[3] for r in results))


# --- runners: set-up (timed as start-up) yields run(files, out) --------------------------------
@contextmanager
def gzip_runner(procs: int, warm: Warmup) -> Iterator[Run]:
    """Floor: ``gzip -dc FILE > /dev/null``, ``procs`` files at a time."""

    def gunzip(path: str) -> None:
        subprocess.run(["gzip", "-dc", path], stdout=subprocess.DEVNULL, check=True)

    def run(files: list[str], out: Path) -> Outcome:
        with ThreadPoolExecutor(procs) as ex:
            list(ex.map(gunzip, files))
        return Outcome(worker_rss_kb=[_maxrss_kb(resource.RUSAGE_CHILDREN)])

    yield run


@contextmanager
def pool_runner(task: Task, modules: tuple[str, ...], procs: int, warm: Warmup) -> Iterator[Run]:
    """One file per task on ``procs`` spawned processes, each started and warmed up."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(procs + 1)
    init_args = (barrier, modules, task, warm)
    with ctx.Pool(procs, initializer=_init_worker, initargs=init_args) as pool:
        barrier.wait(timeout=600)

        def run(files: list[str], out: Path) -> Outcome:
            return _from_tasks(pool.map(partial(run_task, task, out=str(out)), files, chunksize=1))

        yield run


@contextmanager
def day_runner(procs: int, warm: Warmup) -> Iterator[Run]:
    """The day's work as a run does it, without Dask: each file's parts on the pool (as
    `gh_assets`), then the day's publish (`day_publish.commit_day`) in this process."""
    commit_day = importlib.import_module("gh_assets.compute.day_publish").commit_day
    storage = importlib.import_module("gh_assets.tables.storage")
    with pool_runner(gh_assets_task, GH_MODULES, procs, warm) as transform:

        def run(files: list[str], out: Path) -> Outcome:
            staged = out / "_staging"
            for table in PUSH_TABLES:
                (staged / table).mkdir(parents=True)
            outcome = transform(files, staged)
            day = date.fromisoformat(ARCHIVE_NAME.search(Path(files[0]).name)[1])
            stems = [Path(f).name.removesuffix(".json.gz") for f in files]
            parts = [{t: f"{staged}/{t}/{stem}.parquet" for t in PUSH_TABLES} for stem in stems]
            commit_day(storage.Storage(str(out)), day, parts, str(staged))
            return outcome

        yield run


@contextmanager
def dask_runner(
    work: Callable[[Any, list[str], Path], int | None],
    warm_task: Callable[[str, str], object],
    modules: tuple[str, ...],
    config: Callable[[], dict[str, Any]],
    procs: int,
    warm: Warmup,
) -> Iterator[Run]:
    """A LocalCluster of ``procs`` single-threaded worker processes, each warmed up.

    `config` gives the dask configuration the workers start with (gh_assets: the project's own).
    """
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(config()),
        LocalCluster(
            n_workers=procs, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(procs)
        client.run(_warm, modules, warm_task, warm)

        def run(files: list[str], out: Path) -> Outcome:
            cpu = client.run(_cpu_s)
            count = work(client, files, out)
            cpu_s = sum(c - cpu[w] for w, c in client.run(_cpu_s).items())
            return Outcome(count, list(client.run(_maxrss_kb).values()), cpu_s)

        yield run


def gh_assets_dask_work(client: Any, files: list[str], out: Path) -> int:
    """This project's transform as one ``client.map`` task per file."""
    futures = client.map(partial(run_task, gh_assets_task), files, out=str(out), pure=False)
    return sum(r[0] for r in client.gather(futures))


def process_2021(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Coiled's 2021 blog: one record per commit of a PushEvent (bad records skipped)."""
    try:
        for commit in record["payload"]["commits"]:
            yield {
                "user": record["actor"]["login"],
                "repo": record["repo"]["name"],
                "created_at": record["created_at"],
                "message": commit["message"],
                "author": commit["author"]["name"],
            }
    except KeyError:
        pass


def _is_push(record: dict[str, Any]) -> bool:
    return record["type"] == "PushEvent"


def approach_2021_work(client: Any, files: list[str], out: Path) -> None:
    """read_text -> loads -> filter -> map(process) -> flatten -> to_dataframe -> to_parquet."""
    import dask.bag as db
    import orjson  # the blog used ujson; orjson is faster, so this errs in the 2021 code's favour
    import pandas as pd

    cols = ["user", "repo", "created_at", "message", "author"]
    meta = pd.DataFrame({c: pd.Series(dtype="str") for c in cols})  # "object" breaks to_parquet
    bag = db.read_text(files).map(orjson.loads).filter(_is_push).map(process_2021).flatten()
    bag.to_dataframe(meta=meta).to_parquet(str(out / "commits"), engine="pyarrow")


def approach_2021_local(path: str, out: str) -> None:
    """The 2021 pipeline on one file with the synchronous scheduler (worker warm-up)."""
    import dask

    with dask.config.set(scheduler="sync"):
        approach_2021_work(None, [path], Path(out))


DUCKDB_COLUMNS = {
    "id": "VARCHAR",
    "type": "VARCHAR",
    "actor": "STRUCT(login VARCHAR)",
    "repo": "STRUCT(name VARCHAR)",
    "payload": "STRUCT(push_id BIGINT, ref VARCHAR, commits STRUCT(sha VARCHAR, "
    'author STRUCT(email VARCHAR, name VARCHAR), message VARCHAR, "distinct" BOOLEAN)[])',
    "created_at": "TIMESTAMP",
}
DUCKDB_SQL = """
COPY (
    SELECT id AS event_id, actor.login AS actor_login, repo.name AS repo_name, created_at,
           payload.push_id AS push_id, payload.ref AS ref, c.sha AS sha,
           c.author.email AS author_email, c.author.name AS author_name,
           c.message AS message, c."distinct" AS is_distinct
    FROM (
        SELECT id, actor, repo, created_at, payload, unnest(payload.commits) AS c
        FROM read_json({files}, format = 'newline_delimited', columns = {columns})
        WHERE type = 'PushEvent'
    )
) TO '{out}' (FORMAT parquet, COMPRESSION zstd)
"""


@contextmanager
def duckdb_runner(procs: int, warm: Warmup) -> Iterator[Run]:
    """DuckDB read_json (explicit columns) + unnest + COPY TO parquet, ``threads = procs``."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {procs}")

    def run(files: list[str], out: Path) -> Outcome:
        sql = DUCKDB_SQL.format(
            files=[str(f) for f in files],
            columns=DUCKDB_COLUMNS,
            out=out / "commits" / "commits.parquet",
        )
        con.execute(sql)
        return Outcome()

    try:
        (Path(warm.out) / "commits").mkdir(parents=True, exist_ok=True)
        run([warm.path], Path(warm.out))
        yield run
    finally:
        con.close()


GH_MODULES = (GH_MODULE,)


def gh_assets_worker_config() -> dict[str, Any]:
    return importlib.import_module("gh_assets.compute.worker_config").WORKER_DASK_CONFIG


DASK_2021 = ("dask.bag", "dask.dataframe", "pandas", "pyarrow.parquet", "orjson")
RUNNERS: dict[str, Runner] = {
    "floor_gzip": gzip_runner,
    "floor_isal_lines": partial(pool_runner, isal_lines_task, ("isal.igzip",)),
    "gh_assets": partial(pool_runner, gh_assets_task, GH_MODULES),
    "gh_assets_events": partial(pool_runner, gh_assets_events_task, GH_MODULES),
    "gh_assets_day": day_runner,
    "gh_assets_all": partial(pool_runner, gh_assets_all_task, GH_MODULES),
    "gh_assets_dask": partial(
        dask_runner, gh_assets_dask_work, gh_assets_task, GH_MODULES, gh_assets_worker_config
    ),
    "approach_2021": partial(dask_runner, approach_2021_work, approach_2021_local, DASK_2021, dict),
    "duckdb": duckdb_runner,
}
NEEDS_GH = {"gh_assets", "gh_assets_events", "gh_assets_all", "gh_assets_dask", "gh_assets_day"}
FLOORS = {"floor_gzip", "floor_isal_lines"}


def _require_gh() -> None:
    try:
        getattr(importlib.import_module(GH_MODULE), GH_FUNCTION)
    except (ImportError, AttributeError) as e:
        raise Unavailable(f"{GH_MODULE}.{GH_FUNCTION} not importable ({e})") from e


def parquet_rows(d: Path) -> int | None:
    """Rows in all Parquet files under ``d`` (from the footers), None when there are none."""
    import pyarrow.parquet as pq

    parts = sorted(d.rglob("*.parquet"))
    return sum(pq.ParquetFile(p).metadata.num_rows for p in parts) if parts else None


def make_warmup(first: str, out: Path, lines: int = 300) -> Warmup:
    """The first ``lines`` events of ``first``, gzipped under the same name."""
    from isal import igzip

    with igzip.open(first, "rb") as f:
        head = b"".join(line for _, line in zip(range(lines), f, strict=False))
    path = out / "warmup" / Path(first).name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(igzip.compress(head))
    return Warmup(str(path), str(out / "warmup" / "out"))


def measure(approach: str, procs: int, files: list[str], out: Path) -> dict[str, Any]:
    """Time one run of ``approach``: start-up (incl. warm-up) apart, then the work."""
    if approach in NEEDS_GH:
        _require_gh()
    for sub in TABLE_DIRS:
        (out / sub).mkdir(parents=True, exist_ok=True)
    warm = make_warmup(files[0], out)
    t0 = perf_counter()
    with RUNNERS[approach](procs, warm) as run:
        cpu, t1 = _cpu_s(*BOTH), perf_counter()
        outcome = run(files, out)
        t2, cpu = perf_counter(), _cpu_s(*BOTH) - cpu
    rss_kb = outcome.worker_rss_kb or [_maxrss_kb()]
    return {
        "seconds": t2 - t1,
        "startup_s": t1 - t0,
        "cpu_s": cpu + (outcome.cpu_s or 0.0),
        "peak_rss_mb": max(rss_kb) * KB / 1e6,
        "worker_rss_mb": [round(r * KB / 1e6, 1) for r in rss_kb],
        "count": outcome.count,
        "rows": parquet_rows(out / "commits"),
        "push_rows": parquet_rows(out / "push_events"),
        "event_rows": parquet_rows(out / "events"),
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    try:
        result = measure(spec["approach"], spec["procs"], spec["files"], Path(spec["out"]))
    except Unavailable as e:
        result = {"unavailable": str(e)}
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
